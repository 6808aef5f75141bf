// The built-in function library (jsonata-js functions.js and the bindings in jsonata.js), registered into a
// FunctionTable by name. Each built-in is a C++ function over already validated arguments.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "jsonata/evaluator.h"

namespace hookd::jsonata::detail {

struct FunctionTable {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Value, Hash, std::equal_to<>> map;

  const Value* find(std::string_view name) const noexcept {
    auto it = map.find(name);
    return it == map.end() ? nullptr : &it->second;
  }
  // `arity`: what jsonata-js's getFunctionArity reports (the JavaScript function's length).
  void add(std::string_view name, BuiltinImpl impl, int arity, std::string_view signature);
};

void register_string_functions(FunctionTable& t);
void register_numeric_functions(FunctionTable& t);
void register_collection_functions(FunctionTable& t);
void register_format_functions(FunctionTable& t);

// Parameters a partial application of `c` binds (its declared parameters, defaults included).
int param_count(const Callable& c) noexcept;

// Argument i, or undefined.
inline const Value& arg(const Args& args, size_t i) {
  static const Value undefined;
  return i < args.size() ? args[i] : undefined;
}

// Any parameter type but `f` also accepts undefined (a missing argument), so a built-in must cope with it
// where a JavaScript function would coerce it: as a number it is NaN, as a string it is "undefined".
inline double number_arg(const Args& args, size_t i) {
  const Value& v = arg(args, i);
  return v.is_number() ? v.as_number() : NAN;
}
inline std::string_view string_arg(const Args& args, size_t i) {
  const Value& v = arg(args, i);
  return v.is_string() ? v.as_string() : std::string_view("undefined");
}
// A string parameter JavaScript would call a method on: undefined there is a type error (T0410 here).
std::string_view required_string(const Args& args, size_t i);

// Calls `fn` with (value, index, array) cut to its arity, as jsonata-js's hofFuncArgs does.
Value call_hof(Call& call, const Value& fn, const Value& v, const Value& index, const Value& whole);

// A regex (or a user-written matcher) applied at UTF-16 index `from`: the match object, or undefined.
Value regex_exec(Evaluator& ev, const Value& self, const RegexFunction& re, const Value& subject,
                 double from);
Value regex_next(Evaluator& ev, const RegexNext& next);

// The JSON round trip $clone performs (JSON.parse(fn.string(v))).
Value clone_value(Evaluator& ev, const Value& v);
// Number(x.toPrecision(15)).
double to_precision_15(double d);

}  // namespace hookd::jsonata::detail
