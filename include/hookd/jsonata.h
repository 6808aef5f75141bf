// hookd's JSONata engine (https://docs.jsonata.org), with jsonata-js 2.x semantics.
//
//   auto expr = jsonata::compile("body.items[price > 10].sku");   // once, when a config is loaded
//   if (!expr.ok()) reject(expr.error());                           // syntax errors: code S0xxx and position
//   auto out = jsonata::evaluate(*expr.value(), payload, bindings, limits);  // per request, from any thread
//
// A compiled Expression is immutable: many threads may evaluate the same one at once without locks. Values
// are hookd::json::Value handles; evaluation shares the input's nodes instead of copying them, and the result
// may share nodes with the input.
//
// Errors are values (Result<T>), never exceptions. They carry jsonata-js's code ("S0201", "T0410", "D3030",
// "U1001", ...), its message text, the position in the expression (a byte offset just past the offending
// token, as jsonata-js reports it), the token and the offending value.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "hookd/json.h"

namespace hookd::jsonata {

struct Error {
  std::string code;  // "S0201", "T0410", "D3030", "U1001", ...
  // jsonata-js's text, e.g. `Argument 1 of function "min" does not match function signature`
  std::string message;
  size_t position = 0;  // byte offset in the expression (0 when jsonata-js gives none)
  std::string token;    // operator or function name involved, when jsonata-js reports one
  json::Value value;    // the offending value, when jsonata-js reports one (undefined otherwise)
  json::Value details;  // any other field jsonata-js puts on the error (index, value2, functionName, ...),
                        // as an object; undefined when there are none
};

// A value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Per-evaluation limits. A hostile or buggy expression (infinite recursion, an `$eval` loop, exponential
// output) fails that one evaluation with a clear error instead of hanging or crashing the thread. Zero means
// "no limit".
struct Limits {
  // Wall time of one evaluation; exceeding it fails with U1001 ("Expression evaluation timeout").
  std::chrono::milliseconds time{100};
  // Nesting of the evaluator, counted as jsonata-js counts nested evaluate() calls (about three per level of
  // a non-tail-recursive function call); exceeding it fails with U1001 ("Stack overflow"). Whatever this
  // says, the engine also stops with U1001 before the thread's machine stack runs out.
  int max_depth = 1000;
  // The most values one sequence or array built during the evaluation may hold, and the most values the
  // result may contain in total (counting a shared value each time it appears); exceeding either fails with
  // D2015.
  size_t max_result_items = 1'000'000;
  // The longest string the evaluation may build, in bytes; exceeding it fails with D2015.
  size_t max_string_bytes = 16u << 20;
};

// Variables supplied to an evaluation: name (without `$`) -> value.
using Bindings = std::map<std::string, json::Value, std::less<>>;

namespace detail {
class Evaluator;
struct Program;
struct FunctionTable;
}  // namespace detail

// What a native function (see FunctionSet::Builder) sees of the evaluation that called it.
class CallContext {
 public:
  // The context value (JSONata's focus `$`) at the call. A `-` in the signature substitutes it for a missing
  // first argument already.
  const json::Value& input() const noexcept { return input_; }
  // Calls a function value (a lambda, a built-in, a partial application, a regex) as JSONata would, e.g. the
  // callback passed to a `$mapValues`-style extension. Errors inside it come back as an Error: return it as
  // is.
  Result<json::Value> call(const json::Value& function, std::span<const json::Value> args) const;
  // How many parameters a function value declares (jsonata-js's getFunctionArity): HOF-style functions pass
  // (value), (value, index) or (value, index, array) accordingly. -1 if `function` is not a function.
  static int arity(const json::Value& function) noexcept;
  // The evaluation's timestamp in milliseconds since the epoch (what `$millis()` returns; fixed for an
  // evaluation).
  double now_millis() const noexcept;

  CallContext(detail::Evaluator& evaluator, const json::Value& input, const void* env) noexcept
      : evaluator_(evaluator), input_(input), env_(env) {}

 private:
  detail::Evaluator& evaluator_;
  const json::Value& input_;
  const void* env_;
};

// A native function: evaluated arguments (already checked against its signature; a missing optional argument
// is undefined or absent) in, a value (undefined allowed) or an Error out. An Error without position or token
// gets the call's. It must be safe to call from many threads at once.
using NativeFunction = std::function<Result<json::Value>(CallContext&, std::span<const json::Value> args)>;

// The functions an expression can call: `standard()` is JSONata 2.x's library; a Builder extends a set
// (Truto's extensions are built this way in src/jsonata/truto). Immutable once built, cheap to copy (shared).
class FunctionSet {
 public:
  static const FunctionSet& standard();

  class Builder {
   public:
    explicit Builder(const FunctionSet& base = standard());
    // Adds `name` (without `$`), replacing a function of the same name. `signature` is a JSONata signature
    // such as "<s-n?:s>" (argument checks with T0410/T0411/T0412 errors exactly as for the built-ins; empty:
    // no checks). `arity` is the parameter count HOF-style callers see (jsonata-js: the JavaScript function's
    // length); -1 counts the signature's parameters.
    Builder& add(std::string_view name, std::string_view signature, NativeFunction fn, int arity = -1);
    // The set, or the first malformed signature (code S0401/S0402).
    Result<FunctionSet> build() &&;

   private:
    std::shared_ptr<detail::FunctionTable> table_;
    std::optional<Error> error_;
  };

  // The function called `name`, or nullptr.
  const json::Value* find(std::string_view name) const noexcept;
  const detail::FunctionTable& table() const noexcept { return *table_; }

  explicit FunctionSet(std::shared_ptr<const detail::FunctionTable> table) : table_(std::move(table)) {}

 private:
  std::shared_ptr<const detail::FunctionTable> table_;
};

// A compiled expression: immutable, keeps its source text and its function set.
class Expression {
 public:
  std::string_view source() const noexcept;
  const FunctionSet& functions() const noexcept { return functions_; }
  const detail::Program& program() const noexcept { return *program_; }
  const std::shared_ptr<const detail::Program>& program_ptr() const noexcept { return program_; }

  Expression(std::shared_ptr<const detail::Program> program, FunctionSet functions)
      : program_(std::move(program)), functions_(std::move(functions)) {}

 private:
  std::shared_ptr<const detail::Program> program_;
  FunctionSet functions_;
};

using ExpressionPtr = std::shared_ptr<const Expression>;

// Parses and analyses `text`. Every syntax error (S0xxx) is reported here, never at evaluation.
Result<ExpressionPtr> compile(std::string_view text, const FunctionSet& functions = FunctionSet::standard());

// Evaluates against `input` (undefined means "no input"). The result may be undefined (JSONata's "nothing",
// which is not null). Thread-safe: any number of threads may evaluate the same Expression at once.
// `now_millis` fixes the evaluation's timestamp (what `$now()` and `$millis()` return and what date parsing
// fills missing fields from); unset, it is the system clock when the evaluation starts. Tests pass a fixed
// instant so that a recorded result never depends on the day it is checked.
Result<json::Value> evaluate(const Expression& expression, const json::Value& input,
                             const Bindings& bindings = {}, const Limits& limits = {},
                             std::optional<double> now_millis = std::nullopt);

}  // namespace hookd::jsonata
