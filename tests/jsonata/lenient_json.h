// A small JSON reader for test data that simdjson rejects on purpose: the conformance suite holds lone UTF-16
// surrogates ("\ud800"), which JavaScript strings allow. They become WTF-8 (the engine's representation of
// such strings). Test-only: not fast, but strict about everything else.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hookd/json.h"

namespace hookd::jsonata::testing {

// The value, or nullopt (with `error` set) on malformed input.
std::optional<json::Value> parse_lenient(std::string_view text, std::string* error = nullptr);

std::optional<std::string> read_file(const std::string& path);

}  // namespace hookd::jsonata::testing
