// The shared test vectors of the customer verification libraries (sdk/*), built from fixed inputs with hookd's
// own signer, so that what the libraries check is what the dispatcher sends.
#pragma once

#include <string>

namespace hookd::sdk_vectors {

// The whole vectors file's text (sdk/testdata/vectors.json), deterministic: the same inputs give the same bytes.
std::string build_vectors_json();

}  // namespace hookd::sdk_vectors
