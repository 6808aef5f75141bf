// Fuzzes evaluation: the input is an expression, optionally followed by a line "\n---\n" and a JSON document
// to evaluate it against (a fixed sample document otherwise). Evaluation runs under tight limits and must end
// with a value or a coded error, never crash, hang or leak; the result must serialize.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hookd/json.h"
#include "hookd/jsonata.h"

namespace {

const hookd::json::Value& sample() {
  static const hookd::json::Value v = [] {
    hookd::json::Value out;
    hookd::json::parse(
        R"({"a": 1, "b": [1, 2, {"c": "x", "d": [true, null]}], "e": {"f": "Hello World", "g": -2.5},
      "items": [{"sku": "A1", "price": 10, "qty": 2, "tags": ["x", "y"]}, {"sku": "B2", "price": 0.5, "qty": 7}],
      "s": "a,b,c", "n": null, "t": true, "empty": [], "obj": {}})",
        out);
    return out;
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hookd::json::Value input = sample();
  size_t sep = text.find("\n---\n");
  if (sep != std::string_view::npos) {
    hookd::json::Value doc;
    if (hookd::json::parse(text.substr(sep + 5), doc)) input = doc;
    text = text.substr(0, sep);
  }
  auto compiled = hookd::jsonata::compile(text);
  if (!compiled.ok()) return 0;
  hookd::jsonata::Limits limits;
  limits.time = std::chrono::milliseconds(50);
  limits.max_depth = 200;
  limits.max_result_items = 20000;
  limits.max_string_bytes = 1 << 20;
  hookd::jsonata::Bindings bindings{{"v", hookd::json::Value(3)}, {"list", input.get("b")}};
  auto r = hookd::jsonata::evaluate(*compiled.value(), input, bindings, limits);
  if (r.ok()) {
    std::string out = hookd::json::dump(r.value());
    (void)out;
  } else if (r.error().code.empty() || r.error().message.empty()) {
    __builtin_trap();  // every failure is a coded, described error
  }
  return 0;
}
