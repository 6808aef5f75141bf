// Frames, function values and calls: jsonata-js evaluateFunction, apply (with its tail-call trampoline),
// applyInner, evaluateLambda, evaluatePartialApplication, evaluateApplyExpression.
#include <mutex>
#include <typeinfo>

#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/parser.h"
#include "jsonata/regex.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

// --- frames ------------------------------------------------------------------------------------------------

EnvRef Env::make(Env* parent, Env** live) {
  if (parent) parent->retain();
  Env* e = new Env(parent);
  if (live) {
    e->live_ = live;
    e->next_ = *live;
    if (*live) (*live)->prev_ = e;
    *live = e;
  }
  return EnvRef(e);
}

void Env::unlink() noexcept {
  if (!live_) return;
  if (prev_)
    prev_->next_ = next_;
  else
    *live_ = next_;
  if (next_) next_->prev_ = prev_;
  live_ = nullptr;
  prev_ = next_ = nullptr;
}

void Env::bind(const Value& name, Value value) {
  std::string_view n = name.as_string();
  for (Binding& b : vars_) {
    if (b.view == n) {
      b.value = std::move(value);
      return;
    }
  }
  vars_.push_back(Binding{name, n, std::move(value)});
}

void Env::destroy() noexcept {
  // Iterative, so a long chain of frames cannot exhaust the stack.
  Env* e = this;
  while (e) {
    Env* parent = e->parent_;
    e->unlink();
    delete e;
    e = (parent && parent->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) ? parent : nullptr;
  }
}

// --- function values ---------------------------------------------------------------------------------------

const Callable* as_callable(const Value& v) noexcept {
  if (!v.is_function()) return nullptr;
  // A type_info comparison is a few instructions; dynamic_cast walks the class hierarchy.
  const json::Function& f = v.as_function();
  const std::type_info& t = typeid(f);
  if (t == typeid(Builtin) || t == typeid(Lambda) || t == typeid(External) || t == typeid(NativePartial) ||
      t == typeid(RegexFunction) || t == typeid(RegexNext) || t == typeid(Transformer))
    return static_cast<const Callable*>(&f);
  return nullptr;
}

namespace {

class Placeholder : public json::Function {};

const std::shared_ptr<const Program>& chain_program() {
  // λ($f, $g) { λ($x){ $g($f($x)) } }: what `f ~> g` with two functions evaluates to.
  static const std::shared_ptr<const Program> p =
      compile_program("function($f, $g) { function($x){ $g($f($x)) } }");
  return p;
}

std::string_view procedure_name(const Node* procedure, bool& has) {
  const Node* n =
      procedure->kind == Kind::path && !procedure->items.empty() ? procedure->items[0] : procedure;
  has = n->value.is_string();
  return has ? n->value.as_string() : std::string_view();
}

}  // namespace

const Value& placeholder() {
  static const Value p = Value::adopt_function(new Placeholder());
  return p;
}

// --- the evaluator -----------------------------------------------------------------------------------------

Evaluator::Evaluator(const FunctionTable& functions, const Limits& limits,
                     std::shared_ptr<const Program> program, std::optional<double> now_millis)
    : functions_(functions),
      program_(std::move(program)),
      max_depth_(limits.max_depth),
      has_deadline_(limits.time.count() > 0),
      time_limit_ms_(limits.time.count()),
      max_items_(limits.max_result_items),
      max_string_(limits.max_string_bytes) {
  auto now = std::chrono::steady_clock::now();
  deadline_ = now + limits.time;
  now_ms_ = now_millis ? *now_millis
                       : static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
}

Evaluator::~Evaluator() {
  collect_frames();
}

void Evaluator::collect_frames() {
  // Frames still alive here are held by closures, possibly their own (a cycle). The evaluation is over:
  // clearing their bindings drops those closures and breaks the cycles. A function in the result keeps
  // working, but sees the variables it captured as undefined.
  std::vector<EnvRef> alive;
  for (Env* e = live_frames_; e; e = e->next_live()) {
    e->retain();
    alive.emplace_back(e);
  }
  for (EnvRef& e : alive)
    e->clear_bindings();
  while (live_frames_)
    live_frames_->unlink();
}

Value Evaluator::lookup_variable(std::string_view name, Env* env) const {
  if (env) {
    if (const Value* v = env->lookup(name)) return *v;
  }
  if (const Value* f = functions_.find(name)) return *f;
  return Value();
}

Value Evaluator::eval_program(const std::shared_ptr<const Program>& program, const Value& input, Env* env) {
  std::shared_ptr<const Program> saved = std::exchange(program_, program);
  struct Restore {
    Evaluator& ev;
    std::shared_ptr<const Program>& saved;
    ~Restore() { ev.program_ = std::move(saved); }
  } restore{*this, saved};
  return eval(program->root, input, env);
}

// The function a call names. One from the function set is used in place: the set is immutable, and not
// copying its handle spares every call two atomic reference-count updates on a node all threads share.
const Value* Evaluator::callee(const Node* procedure, const Value& input, Env* env, Value& holder) {
  static const Value undefined;
  if (procedure->kind == Kind::variable && !procedure->has_predicate && !procedure->group) {
    std::string_view name = procedure->value.as_string();
    if (!name.empty()) {
      if (max_depth_ > 0 && depth_ + 1 > max_depth_) fail_depth();  // as evaluating the variable would
      if (env) {
        if (const Value* v = env->lookup(procedure->value, name)) {
          holder = *v;  // a frame can be rebound while the arguments are evaluated: keep this value
          return &holder;
        }
      }
      if (procedure->resolved) return procedure->resolved;
      const Value* f = functions_.find(name);
      return f ? f : &undefined;
    }
  }
  holder = eval(procedure, input, env);
  return &holder;
}

Value Evaluator::eval_function(const Node* expr, const Value& input, Env* env, const Value* applyto) {
  Value holder;
  const Value& proc = *callee(expr->procedure, input, env, holder);
  bool has_name = false;
  std::string_view name = procedure_name(expr->procedure, has_name);
  if (proc.is_undefined() && expr->procedure->kind == Kind::path && has_name &&
      !lookup_variable(name, env).is_undefined()) {
    JError e("T1005");
    e.position = expr->position;
    e.token = std::string(name);
    e.has_token = true;
    throw e;
  }
  Args args;
  if (applyto) args.push_back(*applyto);
  for (const Node* arg : expr->items)
    args.push_back(eval(arg, input, env));
  CallSite site{expr->position, name, has_name};
  try {
    return apply(proc, args, input, env, &site);
  } catch (JError& e) {
    if (!e.is_limit) {
      if (e.position <= 0) e.position = expr->position;
      if (!e.has_token && has_name) {
        e.token = std::string(name);
        e.has_token = true;
      }
    }
    throw;
  }
}

Value Evaluator::apply(const Value& proc, std::span<const Value> args, const Value& input, Env* env,
                       const CallSite* site) {
  Value result = apply_inner(proc, args, input, env, site);
  for (;;) {
    const Callable* c = as_callable(result);
    if (!c || c->kind != Callable::Kind::lambda) break;
    const auto* thunk = static_cast<const Lambda*>(c);
    if (!thunk->node->thunk) break;
    // A tail call: evaluate the callee and its arguments in the thunk's scope, then call it here, so a
    // tail-recursive function runs in constant stack.
    Value keep = std::move(result);
    std::shared_ptr<const Program> saved = std::exchange(program_, thunk->program);
    const Node* call = thunk->node->body;
    Value next;
    Args next_args;
    try {
      next = eval(call->procedure, thunk->input, thunk->env.get());
      for (const Node* arg : call->items)
        next_args.push_back(eval(arg, thunk->input, thunk->env.get()));
    } catch (...) {
      program_ = std::move(saved);
      throw;
    }
    program_ = std::move(saved);
    CallSite tail;
    tail.position = call->procedure->position;
    if (call->procedure->kind == Kind::variable) {
      tail.token = call->procedure->value.as_string();
      tail.has_token = true;
    }
    result = apply_inner(next, next_args, input, env, &tail);
  }
  return result;
}

Value Evaluator::apply_inner(const Value& proc, std::span<const Value> args, const Value& input, Env* env,
                             const CallSite* site) {
  try {
    const Callable* c = as_callable(proc);
    if (!c) throw JError("T1006");
    Args validated;
    if (c->signature) {
      c->signature->validate(args, input, validated);
      args = validated;
    }
    switch (c->kind) {
      case Callable::Kind::lambda:
        return apply_lambda(*static_cast<const Lambda*>(c), args);
      case Callable::Kind::builtin: {
        const auto* b = static_cast<const Builtin*>(c);
        Call call{*this, input, env};
        Args owned;
        if (validated.size() == args.size() && validated.data() == args.data()) {
          owned = std::move(validated);
        } else {
          for (const Value& a : args)
            owned.push_back(a);
        }
        return b->impl(call, owned);
      }
      case Callable::Kind::external: {
        const auto* x = static_cast<const External*>(c);
        CallContext ctx(*this, input, env);
        Result<Value> r = x->fn(ctx, args);
        if (!r.ok()) throw from_public(std::move(r).error());
        return std::move(r).value();
      }
      case Callable::Kind::native_partial: {
        const auto* p = static_cast<const NativePartial*>(c);
        Args filled;
        size_t next = 0;
        for (const Value& b : p->bound) {
          if (b.same_node(placeholder()))
            filled.push_back(next < args.size() ? args[next++] : Value());
          else
            filled.push_back(b);
        }
        return apply_inner(p->native, filled, Value(), env, nullptr);
      }
      case Callable::Kind::regex: {
        const auto* r = static_cast<const RegexFunction*>(c);
        double from = args.size() > 1 && args[1].is_number() ? args[1].as_number() : 0;
        return regex_exec(*this, proc, *r, args.empty() ? Value() : args[0], from);
      }
      case Callable::Kind::regex_next: {
        const auto* n = static_cast<const RegexNext*>(c);
        return regex_next(*this, *n);
      }
      case Callable::Kind::transform:
        return apply_transform(*static_cast<const Transformer*>(c), args.empty() ? Value() : args[0]);
    }
    throw JError("T1006");
  } catch (JError& e) {
    if (site && !e.is_limit) {
      if (!e.has_token && site->has_token) {
        e.token = std::string(site->token);
        e.has_token = true;
      }
      if (site->position > 0) e.position = site->position;
    }
    throw;
  }
}

Value Evaluator::apply_lambda(const Lambda& lambda, std::span<const Value> args) {
  EnvRef frame = new_frame(lambda.env.get());
  const auto& params = *lambda.params;
  for (size_t i = 0; i < params.size(); ++i)
    frame->bind(params[i], i < args.size() ? args[i] : Value());
  std::shared_ptr<const Program> saved = std::exchange(program_, lambda.program);
  struct Restore {
    Evaluator& ev;
    std::shared_ptr<const Program>& saved;
    ~Restore() { ev.program_ = std::move(saved); }
  } restore{*this, saved};
  return eval(lambda.node->body, lambda.input, frame.get());
}

Value Evaluator::eval_lambda(const Node* expr, const Value& input, Env* env) {
  if (env) env->retain();
  auto* lambda = new Lambda(program_, expr, &expr->params, input, EnvRef(env));
  lambda->signature = expr->signature;
  return Value::adopt_function(lambda);
}

Value Evaluator::eval_partial(const Node* expr, const Value& input, Env* env) {
  std::vector<Value> args;
  for (const Node* arg : expr->items)
    args.push_back(arg->kind == Kind::placeholder ? placeholder() : eval(arg, input, env));
  Value proc = eval(expr->procedure, input, env);
  bool has_name = false;
  std::string_view name = procedure_name(expr->procedure, has_name);
  auto fail = [&](const char* code) {
    JError e(code);
    e.position = expr->position;
    if (has_name) {
      e.token = std::string(name);
      e.has_token = true;
    }
    return e;
  };
  if (proc.is_undefined() && expr->procedure->kind == Kind::path && has_name &&
      !lookup_variable(name, env).is_undefined())
    throw fail("T1007");
  const Callable* c = as_callable(proc);
  if (!c) throw fail("T1008");

  if (c->kind == Callable::Kind::lambda) {
    const auto* l = static_cast<const Lambda*>(c);
    EnvRef frame = new_frame(l->env.get() ? l->env.get() : env);
    std::vector<Value> unbound;
    for (size_t i = 0; i < l->params->size(); ++i) {
      const Value& arg = i < args.size() ? args[i] : Value();
      if (arg.same_node(placeholder()))
        unbound.push_back((*l->params)[i]);
      else
        frame->bind((*l->params)[i], arg);
    }
    return Value::adopt_function(
        new Lambda(l->program, l->node, std::move(unbound), l->input, std::move(frame)));
  }
  if (c->kind == Callable::Kind::native_partial) {
    // Partially applying a partial application fills more of its holes.
    const auto* p = static_cast<const NativePartial*>(c);
    std::vector<Value> bound = p->bound;
    size_t next = 0;
    int holes = 0;
    for (Value& b : bound) {
      if (!b.same_node(placeholder())) continue;
      if (next < args.size()) b = args[next++];
      if (b.same_node(placeholder())) ++holes;
    }
    return Value::adopt_function(new NativePartial(p->native, std::move(bound), holes));
  }
  size_t params = static_cast<size_t>(param_count(*c));
  std::vector<Value> bound;
  int holes = 0;
  for (size_t i = 0; i < params; ++i) {
    bound.push_back(i < args.size() ? args[i] : Value());
    if (bound.back().same_node(placeholder())) ++holes;
  }
  return Value::adopt_function(new NativePartial(proc, std::move(bound), holes));
}

Value Evaluator::eval_apply(const Node* expr, const Value& input, Env* env) {
  Value lhs = eval(expr->lhs, input, env);
  if (expr->rhs->kind == Kind::function) return eval_function(expr->rhs, input, env, &lhs);
  Value func = eval(expr->rhs, input, env);
  if (!func.is_function()) {
    JError e("T2006", func);
    e.position = expr->position;
    throw e;
  }
  if (lhs.is_function()) {
    Value chain = eval_program(chain_program(), Value(nullptr), env);
    Value pair[2] = {lhs, func};
    return apply(chain, pair, Value(nullptr), env);
  }
  return apply(func, std::span(&lhs, 1), Value(nullptr), env);
}

}  // namespace hookd::jsonata::detail

namespace hookd::jsonata {

using detail::Env;
using detail::JError;

// --- CallContext -------------------------------------------------------------------------------------------

Result<json::Value> CallContext::call(const json::Value& function, std::span<const json::Value> args) const {
  try {
    return evaluator_.apply(function, args, json::Value(nullptr), static_cast<Env*>(const_cast<void*>(env_)));
  } catch (const JError& e) {
    return detail::to_public(e);
  }
}

int CallContext::arity(const json::Value& function) noexcept {
  const detail::Callable* c = detail::as_callable(function);
  return c ? c->arity : -1;
}

double CallContext::now_millis() const noexcept {
  return evaluator_.now_millis();
}

}  // namespace hookd::jsonata
