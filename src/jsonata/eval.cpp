// evaluate() and the simplest cases: variables, blocks, names, wildcards, descendants (jsonata-js evaluate,
// evaluateVariable, evaluateBlock, evaluateName, evaluateWildcard, evaluateDescendants), and the limit
// checks.
#include <cmath>

#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/stack.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

void Evaluator::fail_depth() const {
  JError err("U1001");
  err.message =
      max_depth_ > 0 && depth_ > max_depth_
          ? "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as "
            "tail-recursive."
          : "Stack overflow error: the evaluation nests too deeply for this thread's stack.";
  err.message_is_final = true;
  err.is_limit = true;
  throw err;
}

void Evaluator::check_time() {
  if (has_deadline_ && std::chrono::steady_clock::now() > deadline_) {
    JError err("U1001");
    err.message = "Expression evaluation timeout: Check for infinite loop";
    err.message_is_final = true;
    err.is_limit = true;
    err.value = Value(static_cast<double>(time_limit_ms_));
    throw err;
  }
}

void Evaluator::check_items(size_t n) const {
  if (max_items_ && n > max_items_) {
    JError err("D2015", Value(static_cast<double>(max_items_)));
    err.is_limit = true;
    throw err;
  }
}

void Evaluator::check_string(size_t bytes) const {
  if ((max_string_ && bytes > max_string_) || bytes == SIZE_MAX) {
    JError err("D2015", Value(static_cast<double>(max_string_)));
    err.message = "The maximum string length of " + std::to_string(max_string_) + " bytes was exceeded.";
    err.message_is_final = true;
    err.is_limit = true;
    throw err;
  }
}

Value Evaluator::eval(const Node* expr, const Value& input, Env* env) {
  DepthGuard guard(*this);
  if (expr->folded) return expr->folded_value;
  Value result;
  switch (expr->kind) {
    case Kind::path:
      result = eval_path(expr, input, env);
      break;
    case Kind::binary:
      result = eval_binary(expr, input, env);
      break;
    case Kind::unary:
      result = eval_unary(expr, input, env);
      break;
    case Kind::name:
      result = eval_name(expr, input);
      break;
    case Kind::string:
    case Kind::number:
    case Kind::literal:
      result = expr->value;
      break;
    case Kind::wildcard:
      result = eval_wildcard(input);
      break;
    case Kind::descendant:
      result = eval_descendants(input);
      break;
    case Kind::parent: {
      const Value* v = env->lookup(expr->slot->label);
      if (v) result = *v;
      break;
    }
    case Kind::condition: {
      Value cond = eval(expr->cond, input, env);
      if (to_boolean(cond))
        result = eval(expr->then, input, env);
      else if (expr->els)
        result = eval(expr->els, input, env);
      break;
    }
    case Kind::block:
      result = eval_block(expr, input, env);
      break;
    case Kind::bind: {
      result = eval(expr->rhs, input, env);
      env->bind(expr->lhs->value, result);
      break;
    }
    case Kind::regex:
      result = Value::adopt_function(new RegexFunction(expr->regex, expr->position));
      break;
    case Kind::function:
      result = eval_function(expr, input, env, nullptr);
      break;
    case Kind::variable:
      result = eval_variable(expr, input, env);
      break;
    case Kind::lambda:
      result = eval_lambda(expr, input, env);
      break;
    case Kind::partial:
      result = eval_partial(expr, input, env);
      break;
    case Kind::apply:
      result = eval_apply(expr, input, env);
      break;
    case Kind::transform:
      result = Value::adopt_function(
          new Transformer(program_, expr, EnvRef(env ? (env->retain(), env) : nullptr)));
      break;
    case Kind::sort:  // only as a path step
    case Kind::placeholder:
    case Kind::end:
      break;
  }
  if (expr->has_predicate) {
    for (const Stage& stage : expr->predicate)
      result = eval_filter(stage.expr, result, env);
  }
  if (expr->kind != Kind::path && expr->group)
    result = eval_group(expr->group->pairs, expr->group->position, result, env);

  if (is_sequence(result) && !(result.tag() & kTupleStream)) {
    if (expr->keep_array) result = std::move(result).with_tag(result.tag() | kKeepSingleton);
    size_t n = result.size();
    if (n == 0) return Value();
    if (n == 1 && !(result.tag() & kKeepSingleton)) return result.as_array()[0];
  }
  return result;
}

Value Evaluator::eval_variable(const Node* expr, const Value& input, Env* env) {
  std::string_view name = expr->value.as_string();
  if (name.empty()) return has_flag(input, kOuterWrapper) ? input.as_array()[0] : input;
  if (env) {
    if (const Value* v = env->lookup(expr->value, name)) return *v;
  }
  if (expr->resolved) return *expr->resolved;
  const Value* f = functions_.find(name);
  return f ? *f : Value();
}

Value Evaluator::eval_block(const Node* expr, const Value& input, Env* env) {
  EnvRef frame = new_frame(env);
  Value result;
  for (const Node* e : expr->items)
    result = eval(e, input, frame.get());
  return result;
}

// --- names, wildcards, descendants -------------------------------------------------------------------------

Value lookup(const Value& input, std::string_view key) {
  if (input.is_array()) {
    if (stack_exhausted()) throw JError("U1001");
    std::vector<Value> result;
    for (const Value& item : input.as_array()) {
      Value res = lookup(item, key);
      if (res.is_undefined()) continue;
      if (res.is_array()) {
        for (const Value& v : res.as_array())
          result.push_back(v);
      } else {
        result.push_back(std::move(res));
      }
    }
    return sequence_of(std::move(result));
  }
  if (input.is_object()) return input.get(key);
  return Value();
}

Value Evaluator::eval_name(const Node* expr, const Value& input) {
  if (input.is_object()) return input.get(expr->value.as_string());
  if (input.is_array()) return lookup(input, expr->value.as_string());
  return Value();
}

Value flatten_all(const Value& v) {
  std::vector<Value> out;
  auto rec = [&](auto& self, const Value& x) -> void {
    if (x.is_array()) {
      if (stack_exhausted()) throw JError("U1001");
      for (const Value& item : x.as_array())
        self(self, item);
    } else {
      out.push_back(x);
    }
  };
  rec(rec, v);
  return Value::array(std::move(out));
}

Value Evaluator::eval_wildcard(const Value& input) {
  const Value* in = &input;
  if (has_flag(input, kOuterWrapper) && input.size() > 0) in = &input.as_array()[0];
  std::vector<Value> results;
  auto add = [&](const Value& v) {
    if (v.is_array()) {
      Value flat = flatten_all(v);
      for (const Value& x : flat.as_array())
        results.push_back(x);
    } else {
      results.push_back(v);
    }
  };
  // jsonata-js takes Object.keys of the input, so an array contributes its elements, and a sequence also the
  // flags jsonata-js keeps as enumerable properties on it (each `true`).
  if (in->is_object()) {
    for (const json::Member& m : in->members())
      add(m.value);
  } else if (in->is_array()) {
    for (const Value& v : in->as_array())
      add(v);
    uint8_t flags = in->tag();
    for (uint8_t f : {kSequence, kOuterWrapper, kKeepSingleton, kTupleStream})
      if (flags & f) results.emplace_back(true);
  }
  check_items(results.size());
  return sequence_of(std::move(results));
}

Value Evaluator::eval_descendants(const Value& input) {
  if (input.is_undefined()) return Value();
  std::vector<Value> results;
  auto rec = [&](auto& self, const Value& v) -> void {
    if (stack_exhausted()) throw JError("U1001");
    if (!v.is_array()) results.push_back(v);
    if (v.is_array()) {
      for (const Value& item : v.as_array())
        self(self, item);
    } else if (v.is_object()) {
      for (const json::Member& m : v.members())
        self(self, m.value);
    }
  };
  rec(rec, input);
  check_items(results.size());
  if (results.size() == 1) return results[0];
  return sequence_of(std::move(results));
}

}  // namespace hookd::jsonata::detail
