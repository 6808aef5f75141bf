// Helpers for the engine's tests: evaluate an expression on JSON text and describe the outcome as text.
#pragma once

#include <string>
#include <string_view>

#include "hookd/jsonata.h"

namespace hookd::jsonata::testing {

json::Value parse_json(std::string_view text);

// The result as JSON text, "undefined", or "error CODE" (compile or evaluation error).
std::string run(std::string_view expr, std::string_view input = {}, const Bindings& bindings = {},
                const Limits& limits = {});

// The error an expression fails with (compile or evaluation); a default Error (empty code) if it succeeds.
Error error_of(std::string_view expr, std::string_view input = {}, const Limits& limits = {});

}  // namespace hookd::jsonata::testing
