// Fuzzes the tokenizer, parser and analyser: any text must compile or fail with an S0xxx (or U1001) error,
// never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hookd/jsonata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = hookd::jsonata::compile(text);
  if (!r.ok()) {
    const auto& e = r.error();
    // Every compile error is a coded syntax error with a position in (or, like jsonata-js, just past) the
    // text.
    if (e.code.empty() || (e.code[0] != 'S' && e.code != "U1001") || e.message.empty() ||
        e.position > size + 8)
      __builtin_trap();
  }
  return 0;
}
