// The evaluator: jsonata-js's evaluate() and friends over hookd::json::Value.
//
// Sequences are arrays whose handle carries flags (jsonata-js puts properties on its arrays): a path's
// results, a function's results, tuple streams. Flags travel with the handle, so marking an array never
// copies it. One Evaluator lives for one evaluation on one thread; the tree it walks is shared and never
// changes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string_view>

#include "hookd/json.h"
#include "hookd/jsonata.h"
#include "jsonata/ast.h"
#include "jsonata/error.h"
#include "jsonata/signature.h"
#include "jsonata/small_vec.h"
#include "jsonata/stack.h"

namespace hookd::jsonata::detail {

using json::Value;

// Handle flags (jsonata-js array properties).
enum : uint8_t {
  kSequence = 1,       // a sequence (singletons unwrap)
  kKeepSingleton = 2,  // `[]`: a singleton stays an array
  kOuterWrapper = 4,   // the input array, wrapped so it counts as one value
  kTupleStream = 8,    // a stream of tuples (objects: "@" plus variable bindings)
  kCons = 16,          // built by an array constructor at the start or end of a path: never flattened
};

inline bool is_sequence(const Value& v) noexcept {
  return v.is_array() && (v.tag() & kSequence);
}
inline bool has_flag(const Value& v, uint8_t f) noexcept {
  return v.is_array() && (v.tag() & f);
}
inline Value sequence_of(std::vector<Value> items, uint8_t extra = 0) {
  return Value::array(std::move(items)).with_tag(kSequence | extra);
}

// --- frames ------------------------------------------------------------------------------------------------

class Env;

class EnvRef {
 public:
  EnvRef() noexcept = default;
  explicit EnvRef(Env* adopt) noexcept : p_(adopt) {}
  EnvRef(const EnvRef& o) noexcept;
  EnvRef(EnvRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  EnvRef& operator=(EnvRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~EnvRef();
  Env* get() const noexcept { return p_; }
  Env* operator->() const noexcept { return p_; }

 private:
  Env* p_ = nullptr;
};

// A frame of variable bindings. Closures keep the frame they were created in alive.
//
// A closure stored in a variable of the frame it captured makes a reference cycle (jsonata-js leaves cycles
// to the garbage collector). Every frame is therefore linked into the list of its evaluation while it lives;
// when the evaluation ends, the frames still alive are cleared (Evaluator::collect_frames).
class Env {
 public:
  // `live`: the head of the evaluation's list of live frames.
  static EnvRef make(Env* parent, Env** live);

  const Value* lookup(std::string_view name) const noexcept {
    for (const Env* e = this; e; e = e->parent_) {
      for (const Binding& b : e->vars_)
        if (b.view.size() == name.size() && b.view == name) return &b.value;
    }
    return nullptr;
  }
  // The same, first comparing string nodes: names are interned per program, so a variable and the parameter
  // or assignment that bound it usually share one.
  const Value* lookup(const Value& key, std::string_view name) const noexcept {
    for (const Env* e = this; e; e = e->parent_) {
      for (const Binding& b : e->vars_)
        if (b.name.same_node(key) || (b.view.size() == name.size() && b.view == name)) return &b.value;
    }
    return nullptr;
  }
  void bind(const Value& name, Value value);
  Env* parent() const noexcept { return parent_; }

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

  // Cycle collection (see above).
  void clear_bindings() noexcept { vars_.clear(); }
  Env* next_live() const noexcept { return next_; }
  void unlink() noexcept;

 private:
  struct Binding {
    Value name;
    std::string_view view;  // of name
    Value value;
  };
  explicit Env(Env* parent) noexcept : parent_(parent) {}
  void destroy() noexcept;

  std::atomic<uint32_t> refs_{1};
  Env* parent_;
  SmallVec<Binding, 3> vars_;
  Env** live_ = nullptr;  // list head while linked
  Env* prev_ = nullptr;
  Env* next_ = nullptr;
};

inline EnvRef::EnvRef(const EnvRef& o) noexcept : p_(o.p_) {
  if (p_) p_->retain();
}
inline EnvRef::~EnvRef() {
  if (p_) p_->release();
}

// --- function values ---------------------------------------------------------------------------------------

// json::Function derives from json::detail::Node, whose name would hide ours inside the classes below.
using AstNode = Node;

class Evaluator;

// What a built-in sees of its call (jsonata-js's `this`: the environment and the context value).
struct Call {
  Evaluator& ev;
  const Value& input;
  Env* env;
};

using BuiltinImpl = Value (*)(Call& call, Args& args);

class Callable : public json::Function {
 public:
  enum class Kind : uint8_t { builtin, external, lambda, native_partial, regex, regex_next, transform };
  explicit Callable(Kind k, int arity) : kind(k), arity(arity) {}
  const Kind kind;
  const int arity;  // jsonata-js's getFunctionArity
  std::shared_ptr<const Signature> signature;
};

// A built-in (or an extension registered through FunctionSet::Builder).
class Builtin : public Callable {
 public:
  Builtin(std::string name, BuiltinImpl impl, int arity, std::shared_ptr<const Signature> sig)
      : Callable(Kind::builtin, arity), name(std::move(name)), impl(impl) {
    signature = std::move(sig);
  }
  std::string name;
  BuiltinImpl impl;
};

class External : public Callable {
 public:
  External(std::string name, NativeFunction fn, int arity, std::shared_ptr<const Signature> sig)
      : Callable(Kind::external, arity), name(std::move(name)), fn(std::move(fn)) {
    signature = std::move(sig);
  }
  std::string name;
  NativeFunction fn;
};

// A lambda (also a thunk for a tail call, and the result of partially applying a lambda).
class Lambda : public Callable {
 public:
  Lambda(std::shared_ptr<const Program> program, const AstNode* node, const std::vector<Value>* params,
         Value input, EnvRef env)
      : Callable(Kind::lambda, static_cast<int>(params->size())),
        program(std::move(program)),
        node(node),
        params(params),
        input(std::move(input)),
        env(std::move(env)) {}
  // A partial application of a lambda: the parameters still open.
  Lambda(std::shared_ptr<const Program> program, const AstNode* node, std::vector<Value> open_params,
         Value input, EnvRef env)
      : Callable(Kind::lambda, static_cast<int>(open_params.size())),
        program(std::move(program)),
        node(node),
        params(nullptr),
        own_params(std::move(open_params)),
        input(std::move(input)),
        env(std::move(env)) {
    params = &own_params;
  }
  std::shared_ptr<const Program> program;  // keeps the tree alive
  const AstNode* node;                     // the lambda node: body, thunk
  const std::vector<Value>* params;        // parameter names (the node's, or own_params)
  std::vector<Value> own_params;
  Value input;
  EnvRef env;
};

// A built-in with some arguments fixed: `$substring(?, 0, 5)`.
class NativePartial : public Callable {
 public:
  NativePartial(Value native, std::vector<Value> bound, int arity)
      : Callable(Kind::native_partial, arity), native(std::move(native)), bound(std::move(bound)) {}
  Value native;
  std::vector<Value> bound;  // placeholders where arguments go
};

class Regex;
// A regex literal's value: a matcher function (str, fromIndex) -> {match, start, end, groups, next}.
class RegexFunction : public Callable {
 public:
  explicit RegexFunction(std::shared_ptr<const Regex> re, int64_t position)
      : Callable(Kind::regex, 2), regex(std::move(re)), position(position) {}
  std::shared_ptr<const Regex> regex;
  int64_t position;
};

// The `next` member of a match object.
class RegexNext : public Callable {
 public:
  RegexNext(Value regex, Value subject, size_t last_index)
      : Callable(Kind::regex_next, 0),
        regex(std::move(regex)),
        subject(std::move(subject)),
        last_index(last_index) {}
  Value regex;  // a RegexFunction
  Value subject;
  size_t last_index;  // UTF-16 index
};

// `| pattern | update, delete |`: a function of one object.
class Transformer : public Callable {
 public:
  Transformer(std::shared_ptr<const Program> program, const AstNode* node, EnvRef env);
  std::shared_ptr<const Program> program;
  const AstNode* node;
  EnvRef env;
};

const Callable* as_callable(const Value& v) noexcept;
// The placeholder `?` in a partial application's arguments.
const Value& placeholder();

// --- the evaluator -----------------------------------------------------------------------------------------

struct FunctionTable;

struct CallSite {
  int64_t position = -1;
  std::string_view token;
  bool has_token = false;
};

class Evaluator {
 public:
  // `now_millis` unset: the system clock now.
  Evaluator(const FunctionTable& functions, const Limits& limits, std::shared_ptr<const Program> program,
            std::optional<double> now_millis = std::nullopt);

  ~Evaluator();

  Value eval(const Node* expr, const Value& input, Env* env);
  EnvRef new_frame(Env* parent) { return Env::make(parent, &live_frames_); }
  // At the end of an evaluation: clears the frames still alive (breaking closure cycles) and detaches them.
  void collect_frames();
  // jsonata-js's apply(): validates against the signature, runs the function, follows tail-call thunks.
  Value apply(const Value& proc, std::span<const Value> args, const Value& input, Env* env,
              const CallSite* site = nullptr);
  Value lookup_variable(std::string_view name, Env* env) const;

  // Evaluates `program` (from $eval) against `input` in `env`.
  Value eval_program(const std::shared_ptr<const Program>& program, const Value& input, Env* env);

  // Safety limits.
  void check_items(size_t n) const;
  void check_string(size_t bytes) const;
  void check_time();
  // Counts a step; looks at the clock every 256 steps (a countdown, so no pattern of steps can skip the
  // look).
  void tick() {
    if (--tick_budget_ == 0) {
      tick_budget_ = 256;
      check_time();
    }
  }
  size_t max_items() const noexcept { return max_items_; }
  double now_millis() const noexcept { return now_ms_; }
  const FunctionTable& functions() const noexcept { return functions_; }

  // Shared with the built-ins.
  Value sort(const Value& array, const std::function<bool(const Value&, const Value&)>& swap);

 private:
  // Counts one level of evaluation: the depth limit, the machine stack, and now and then the clock.
  struct DepthGuard {
    Evaluator& ev;
    explicit DepthGuard(Evaluator& e) : ev(e) {
      ++ev.depth_;
      if ((ev.max_depth_ > 0 && ev.depth_ > ev.max_depth_) || stack_exhausted()) ev.fail_depth();
      ev.tick();
    }
    ~DepthGuard() { --ev.depth_; }
  };
  [[noreturn]] void fail_depth() const;

  Value eval_path(const Node* expr, const Value& input, Env* env);
  Value eval_simple_path(const Node* expr, const Value& input, Env* env);
  Value eval_path_from(const Node* expr, size_t first, std::span<const Value> input_seq,
                       Value input_seq_value, Env* env);
  Value eval_tuple_step(const Node* step, const Value& input_seq, Value tuples, Env* env);
  Value eval_stages(const std::vector<Stage>& stages, Value input, Env* env);
  Value eval_filter(const Node* predicate, const Value& input, Env* env);
  Value eval_binary(const Node* expr, const Value& input, Env* env);
  Value eval_unary(const Node* expr, const Value& input, Env* env);
  Value eval_name(const Node* expr, const Value& input);
  Value eval_wildcard(const Value& input);
  Value eval_descendants(const Value& input);
  Value eval_group(const std::vector<std::pair<Node*, Node*>>& pairs, int64_t position, const Value& input,
                   Env* env);
  Value eval_sort(const Node* expr, const Value& input, Env* env);
  Value eval_block(const Node* expr, const Value& input, Env* env);
  Value eval_function(const Node* expr, const Value& input, Env* env, const Value* applyto);
  const Value* callee(const Node* procedure, const Value& input, Env* env, Value& holder);
  Value eval_partial(const Node* expr, const Value& input, Env* env);
  Value eval_apply(const Node* expr, const Value& input, Env* env);
  Value eval_lambda(const Node* expr, const Value& input, Env* env);
  Value eval_variable(const Node* expr, const Value& input, Env* env);
  Value apply_inner(const Value& proc, std::span<const Value> args, const Value& input, Env* env,
                    const CallSite* site);
  Value apply_lambda(const Lambda& lambda, std::span<const Value> args);
  Value apply_transform(const Transformer& t, const Value& obj);
  EnvRef frame_from_tuple(Env* env, const Value& tuple);

 public:
  const FunctionTable& functions_;
  // the program whose nodes are being evaluated (lambdas capture it)
  std::shared_ptr<const Program> program_;
  int depth_ = 0;
  int max_depth_;
  uint32_t tick_budget_ = 256;  // steps until the next look at the clock
  std::chrono::steady_clock::time_point deadline_;
  bool has_deadline_;
  int64_t time_limit_ms_;
  size_t max_items_;
  size_t max_string_;
  double now_ms_;
  Env* live_frames_ = nullptr;
};

// jsonata-js helpers the built-ins share (functions.js / utils.js).
bool is_numeric(const Value& v);  // a finite number; throws D1001 for +-Infinity
bool to_boolean(const Value& v);  // fn.boolean (undefined -> false)
Value append(Evaluator& ev, const Value& a, const Value& b);
Value lookup(const Value& input, std::string_view key);
// fn.string(): strings as is, numbers with 15 significant digits, JSON otherwise. Throws D3001 on non-finite.
std::string to_js_string(Evaluator& ev, const Value& v, bool pretty = false);
Value flatten_all(const Value& v);
// jsonata-js's isDeepEqual (json::equal, guarded against values nested deeper than the stack allows).
bool deep_equal(const Value& a, const Value& b);

}  // namespace hookd::jsonata::detail
