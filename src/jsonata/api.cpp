// The public API: compile(), evaluate(), FunctionSet and its Builder.
#include <new>

#include "hookd/jsonata.h"
#include "jsonata/functions.h"
#include "jsonata/parser.h"
#include "jsonata/stack.h"

namespace hookd::jsonata {

namespace detail {

void FunctionTable::add(std::string_view name, BuiltinImpl impl, int arity, std::string_view signature) {
  auto sig = signature.empty() ? nullptr : parse_signature(signature);
  map[std::string(name)] = Value::adopt_function(new Builtin(std::string(name), impl, arity, std::move(sig)));
}

int param_count(const Callable& c) noexcept {
  int n = c.arity;
  if ((c.kind == Callable::Kind::builtin || c.kind == Callable::Kind::external) && c.signature)
    n = std::max(n, static_cast<int>(c.signature->params.size()));
  return n;
}

namespace {

// Counts the values in a result (a shared value counts each time it appears) up to `limit` (0: no limit), and
// bounds its nesting, so that whoever serializes the result can.
constexpr int kMaxResultNesting = 2048;

void check_result_size(const Value& v, size_t limit, size_t& count, int depth = 0) {
  if (++count > limit && limit) {
    JError e("D2015", Value(static_cast<double>(limit)));
    e.is_limit = true;
    throw e;
  }
  if (!v.is_array() && !v.is_object()) return;
  if (depth > kMaxResultNesting || stack_exhausted()) {
    JError e("U1001");
    e.message = "The result nests deeper than " + std::to_string(kMaxResultNesting) + " levels";
    e.message_is_final = true;
    e.is_limit = true;
    throw e;
  }
  if (v.is_array()) {
    for (const Value& item : v.as_array())
      check_result_size(item, limit, count, depth + 1);
  } else {
    for (const json::Member& m : v.members())
      check_result_size(m.value, limit, count, depth + 1);
  }
}

Error internal_error(std::string message) {
  Error e;
  e.code = "U1001";
  e.message = std::move(message);
  return e;
}

}  // namespace

}  // namespace detail

using detail::JError;

const FunctionSet& FunctionSet::standard() {
  static const FunctionSet set = [] {
    auto table = std::make_shared<detail::FunctionTable>();
    detail::register_string_functions(*table);
    detail::register_numeric_functions(*table);
    detail::register_collection_functions(*table);
    detail::register_format_functions(*table);
    return FunctionSet(std::move(table));
  }();
  return set;
}

const json::Value* FunctionSet::find(std::string_view name) const noexcept {
  return table_->find(name);
}

FunctionSet::Builder::Builder(const FunctionSet& base)
    : table_(std::make_shared<detail::FunctionTable>(base.table())) {}

FunctionSet::Builder& FunctionSet::Builder::add(std::string_view name, std::string_view signature,
                                                NativeFunction fn, int arity) {
  std::shared_ptr<const detail::Signature> sig;
  if (!signature.empty()) {
    try {
      sig = detail::parse_signature(signature);
    } catch (const JError& e) {
      if (!error_) error_ = detail::to_public(e);
      return *this;
    }
  }
  if (arity < 0) arity = sig ? static_cast<int>(sig->params.size()) : 0;
  table_->map[std::string(name)] = json::Value::adopt_function(
      new detail::External(std::string(name), std::move(fn), arity, std::move(sig)));
  return *this;
}

Result<FunctionSet> FunctionSet::Builder::build() && {
  if (error_) return *error_;
  return FunctionSet(std::move(table_));
}

std::string_view Expression::source() const noexcept {
  return program_->source;
}

Result<ExpressionPtr> compile(std::string_view text, const FunctionSet& functions) {
  try {
    std::shared_ptr<detail::Program> program = detail::compile_program(text);
    for (auto& node : program->nodes)
      if (node->kind == detail::Kind::variable && node->value.is_string())
        node->resolved = functions.find(node->value.as_string());
    return std::make_shared<const Expression>(std::move(program), functions);
  } catch (const JError& e) {
    return detail::to_public(e);
  } catch (const std::bad_alloc&) {
    return detail::internal_error("Out of memory while compiling the expression");
  }
}

Result<json::Value> evaluate(const Expression& expression, const json::Value& input, const Bindings& bindings,
                             const Limits& limits, std::optional<double> now_millis) {
  static const json::Value dollar("$");
  detail::Evaluator ev(expression.functions().table(), limits, expression.program_ptr(), now_millis);
  try {
    detail::EnvRef exec = ev.new_frame(nullptr);
    for (const auto& [name, value] : bindings)
      exec->bind(json::Value(name), value);
    json::Value in = input.with_tag(0);
    exec->bind(dollar, in);
    // An input array is wrapped so that it counts as one value (jsonata-js's outerWrapper).
    if (in.is_array()) in = detail::sequence_of({in}, detail::kOuterWrapper);
    json::Value result = ev.eval(expression.program().root, in, exec.get());
    size_t count = 0;
    detail::check_result_size(result, limits.max_result_items, count);
    exec = detail::EnvRef();
    ev.collect_frames();
    return std::move(result).with_tag(0);
  } catch (const JError& e) {
    ev.collect_frames();
    return detail::to_public(e);
  } catch (const std::bad_alloc&) {
    return detail::internal_error("Out of memory while evaluating the expression");
  }
}

}  // namespace hookd::jsonata
