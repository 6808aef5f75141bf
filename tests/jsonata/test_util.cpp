#include "test_util.h"

#include <gtest/gtest.h>

namespace hookd::jsonata::testing {

json::Value parse_json(std::string_view text) {
  json::Value v;
  json::ParseError err;
  EXPECT_TRUE(json::parse(text, v, &err)) << text << ": " << err.message;
  return v;
}

std::string run(std::string_view expr, std::string_view input, const Bindings& bindings,
                const Limits& limits) {
  auto compiled = compile(expr);
  if (!compiled.ok()) return "error " + compiled.error().code;
  json::Value in = input.empty() ? json::Value() : parse_json(input);
  auto r = evaluate(*compiled.value(), in, bindings, limits);
  if (!r.ok()) return "error " + r.error().code;
  if (r.value().is_undefined()) return "undefined";
  return json::dump(r.value());
}

Error error_of(std::string_view expr, std::string_view input, const Limits& limits) {
  auto compiled = compile(expr);
  if (!compiled.ok()) return compiled.error();
  json::Value in = input.empty() ? json::Value() : parse_json(input);
  auto r = evaluate(*compiled.value(), in, {}, limits);
  if (!r.ok()) return r.error();
  return Error{};
}

}  // namespace hookd::jsonata::testing
