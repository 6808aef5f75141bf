// Boolean, array, object and higher-order built-ins, plus $eval and $clone.
#include <cmath>
#include <random>
#include <unordered_set>

#include "jsonata/functions.h"
#include "jsonata/parser.h"
#include "jsonata/stack.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

std::string_view required_string(const Args& args, size_t i) {
  const Value& v = arg(args, i);
  if (!v.is_string()) {
    JError e("T0410", v);
    e.has_value = !v.is_undefined();
    e.index = static_cast<int>(i + 1);
    throw e;
  }
  return v.as_string();
}

Value call_hof(Call& call, const Value& fn, const Value& v, const Value& index, const Value& whole) {
  const Callable* c = as_callable(fn);
  int arity = c ? c->arity : 1;
  Value args[3] = {v, index, whole};
  size_t n = arity >= 3 ? 3 : arity >= 2 ? 2 : 1;
  return call.ev.apply(fn, std::span<const Value>(args, n), Value(nullptr), call.env);
}

namespace {

// JavaScript truthiness (what `if (x)` does with a comparator's result).
bool js_truthy(const Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::null:
      return false;
    case json::Type::boolean:
      return v.as_bool();
    case json::Type::number:
      return v.as_number() != 0 && !std::isnan(v.as_number());
    case json::Type::string:
      return !v.as_string().empty();
    default:
      return true;
  }
}

Value fn_boolean(Call&, Args& args) {
  const Value& a = arg(args, 0);
  return a.is_undefined() ? Value() : Value(to_boolean(a));
}

Value fn_not(Call&, Args& args) {
  const Value& a = arg(args, 0);
  return a.is_undefined() ? Value() : Value(!to_boolean(a));
}

Value fn_exists(Call&, Args& args) {
  return Value(!arg(args, 0).is_undefined());
}

Value fn_map(Call& call, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  std::vector<Value> result;
  const auto& items = arr.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    Value res = call_hof(call, arg(args, 1), items[i], Value(static_cast<double>(i)), arr);
    if (!res.is_undefined()) result.push_back(std::move(res));
  }
  return sequence_of(std::move(result));
}

Value fn_filter(Call& call, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  std::vector<Value> result;
  const auto& items = arr.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (to_boolean(call_hof(call, arg(args, 1), items[i], Value(static_cast<double>(i)), arr)))
      result.push_back(items[i]);
  }
  return sequence_of(std::move(result));
}

Value fn_single(Call& call, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  bool found = false;
  Value result;
  const auto& items = arr.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    bool positive = true;
    if (!arg(args, 1).is_undefined())
      positive = to_boolean(call_hof(call, arg(args, 1), items[i], Value(static_cast<double>(i)), arr));
    if (!positive) continue;
    if (found) {
      JError e("D3138");
      e.index = static_cast<int>(i);
      throw e;
    }
    result = items[i];
    found = true;
  }
  if (!found) throw JError("D3139");
  return result;
}

Value fn_zip(Call& call, Args& args) {
  size_t length = SIZE_MAX;
  for (const Value& a : args)
    length = std::min(length, a.is_array() ? a.size() : size_t{0});
  if (args.empty()) length = 0;
  std::vector<Value> result;
  for (size_t i = 0; i < length; ++i) {
    std::vector<Value> tuple;
    for (const Value& a : args)
      tuple.push_back(a.as_array()[i]);
    result.push_back(Value::array(std::move(tuple)));
  }
  call.ev.check_items(result.size());
  return Value::array(std::move(result));
}

Value fn_reduce(Call& call, Args& args) {
  const Value& seq = arg(args, 0);
  if (seq.is_undefined()) return Value();
  const Value& fn = arg(args, 1);
  const Callable* c = as_callable(fn);
  int arity = c ? c->arity : 0;
  if (arity < 2) {
    JError e("D3050");
    e.index = 1;
    throw e;
  }
  const auto& items = seq.as_array();
  Value result;
  size_t index = 0;
  if (arg(args, 2).is_undefined() && !items.empty()) {
    result = items[0];
    index = 1;
  } else {
    result = arg(args, 2);
  }
  for (; index < items.size(); ++index) {
    Value call_args[4] = {result, items[index], Value(static_cast<double>(index)), seq};
    size_t n = arity >= 4 ? 4 : arity >= 3 ? 3 : 2;
    result = call.ev.apply(fn, std::span<const Value>(call_args, n), Value(nullptr), call.env);
  }
  return result;
}

Value fn_sift(Call& call, Args& args) {
  const Value& obj = arg(args, 0);
  if (!obj.is_object()) return Value();
  json::ObjectBuilder result;
  for (const json::Member& m : obj.members()) {
    if (to_boolean(call_hof(call, arg(args, 1), m.value, m.key, obj))) result.append_unique(m.key, m.value);
  }
  if (result.empty()) return Value();
  return std::move(result).build();
}

void collect_keys(const Value& v, std::vector<Value>& out, std::unordered_set<std::string_view>& seen) {
  if (stack_exhausted()) throw JError("U1001");
  if (v.is_array()) {
    for (const Value& item : v.as_array())
      collect_keys(item, out, seen);
  } else if (v.is_object()) {
    for (const json::Member& m : v.members())
      if (seen.insert(m.name()).second) out.push_back(m.key);
  }
}

Value fn_keys(Call&, Args& args) {
  std::vector<Value> out;
  std::unordered_set<std::string_view> seen;
  collect_keys(arg(args, 0), out, seen);
  return sequence_of(std::move(out));
}

Value fn_lookup(Call&, Args& args) {
  return lookup(arg(args, 0), string_arg(args, 1));
}

Value fn_append(Call& call, Args& args) {
  return append(call.ev, arg(args, 0), arg(args, 1));
}

// fn.spread: an object becomes a sequence of one-member objects; an array is the items' spreads appended (so
// a plain array, or an empty sequence when nothing came of them); anything else stays as it is.
Value spread(Evaluator& ev, const Value& v) {
  if (stack_exhausted()) throw JError("U1001");
  if (v.is_array()) {
    std::vector<Value> out;
    bool any = false;
    for (const Value& item : v.as_array()) {
      Value r = spread(ev, item);
      if (r.is_undefined()) continue;
      any = true;
      if (r.is_array())
        out.insert(out.end(), r.as_array().begin(), r.as_array().end());
      else
        out.push_back(std::move(r));
      ev.check_items(out.size());
    }
    return any ? Value::array(std::move(out)) : sequence_of({});
  }
  if (v.is_object()) {
    std::vector<Value> out;
    for (const json::Member& m : v.members()) {
      json::ObjectBuilder b(1);
      b.append_unique(m.key, m.value);
      out.push_back(std::move(b).build());
    }
    return sequence_of(std::move(out));
  }
  return v;
}

Value fn_spread(Call& call, Args& args) {
  return spread(call.ev, arg(args, 0));
}

Value fn_merge(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  json::ObjectBuilder result;
  for (const Value& obj : a.as_array()) {
    if (!obj.is_object()) continue;
    for (const json::Member& m : obj.members())
      result.set(m.key, m.value);
  }
  return std::move(result).build();
}

Value fn_reverse(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  if (a.size() <= 1) return a;
  std::vector<Value> items(a.as_array().rbegin(), a.as_array().rend());
  return Value::array(std::move(items));
}

Value fn_each(Call& call, Args& args) {
  const Value& obj = arg(args, 0);
  std::vector<Value> result;
  if (obj.is_object()) {
    for (const json::Member& m : obj.members()) {
      Value v = call_hof(call, arg(args, 1), m.value, m.key, obj);
      if (!v.is_undefined()) result.push_back(std::move(v));
    }
  }
  return sequence_of(std::move(result));
}

Value fn_error(Call&, Args& args) {
  JError e("D3137");
  const Value& m = arg(args, 0);
  e.message =
      m.is_string() && !m.as_string().empty() ? std::string(m.as_string()) : "$error() function evaluated";
  throw e;
}

Value fn_assert(Call&, Args& args) {
  if (!arg(args, 0).bool_or(false)) {
    JError e("D3141");
    const Value& m = arg(args, 1);
    e.message =
        m.is_string() && !m.as_string().empty() ? std::string(m.as_string()) : "$assert() statement failed";
    throw e;
  }
  return Value();
}

Value fn_type(Call&, Args& args) {
  const Value& v = arg(args, 0);
  switch (v.type()) {
    case json::Type::undefined:
      return Value();
    case json::Type::null:
      return Value("null");
    case json::Type::number:
      return Value(is_numeric(v) ? "number" : "object");
    case json::Type::string:
      return Value("string");
    case json::Type::boolean:
      return Value("boolean");
    case json::Type::array:
      return Value("array");
    case json::Type::function:
      return Value("function");
    case json::Type::object:
      return Value("object");
  }
  return Value();
}

Value fn_sort(Call& call, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  if (arr.size() <= 1) return arr;
  const Value& comparator = arg(args, 1);
  if (comparator.is_undefined()) {
    bool numbers = true, strings = true;
    for (const Value& v : arr.as_array()) {
      numbers = numbers && is_numeric(v);
      strings = strings && v.is_string();
    }
    if (!numbers && !strings) {
      JError e("D3070");
      e.index = 1;
      throw e;
    }
    return call.ev.sort(arr, [](const Value& a, const Value& b) {
      if (a.is_number()) return a.as_number() > b.as_number();
      return compare_utf16(a.as_string(), b.as_string()) > 0;
    });
  }
  return call.ev.sort(arr, [&](const Value& a, const Value& b) {
    Value pair[2] = {a, b};
    return js_truthy(call.ev.apply(comparator, pair, Value(nullptr), call.env));
  });
}

Value fn_shuffle(Call&, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  if (arr.size() <= 1) return arr;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::vector<Value> items = arr.as_array();
  for (size_t i = items.size() - 1; i > 0; --i) {
    size_t j = std::uniform_int_distribution<size_t>(0, i)(rng);
    std::swap(items[i], items[j]);
  }
  return Value::array(std::move(items));
}

Value fn_distinct(Call& call, Args& args) {
  const Value& arr = arg(args, 0);
  if (arr.is_undefined()) return Value();
  if (!arr.is_array() || arr.size() <= 1) return arr;
  std::vector<Value> results;
  std::unordered_set<std::string_view> strings;
  std::unordered_set<double> numbers;
  for (const Value& v : arr.as_array()) {
    bool seen = false;
    if (v.is_string()) {
      seen = !strings.insert(v.as_string()).second;
    } else if (v.is_number() && !std::isnan(v.as_number())) {
      seen = !numbers.insert(v.as_number() == 0 ? 0.0 : v.as_number()).second;
    } else {
      for (const Value& r : results) {
        if (deep_equal(v, r)) {
          seen = true;
          break;
        }
      }
    }
    if (!seen) results.push_back(v);
    if ((results.size() & 1023) == 0) call.ev.check_time();
  }
  return is_sequence(arr) ? sequence_of(std::move(results)) : Value::array(std::move(results));
}

Value fn_eval(Call& call, Args& args) {
  const Value& expr = arg(args, 0);
  if (expr.is_undefined()) return Value();
  Value input = call.input;
  if (args.size() > 1 && !arg(args, 1).is_undefined()) {
    input = arg(args, 1);
    if (input.is_array() && !is_sequence(input)) input = sequence_of({input}, kOuterWrapper);
  }
  std::shared_ptr<const Program> program;
  try {
    program = compile_program(expr.as_string());
  } catch (const JError& inner) {
    if (inner.is_limit) throw;
    JError e("D3120", Value(message_for(inner)));
    throw e;
  }
  try {
    return call.ev.eval_program(program, input, call.env);
  } catch (const JError& inner) {
    if (inner.is_limit) throw;
    JError e("D3121", Value(message_for(inner)));
    throw e;
  }
}

Value fn_clone(Call& call, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  return clone_value(call.ev, a);
}

}  // namespace

void register_collection_functions(FunctionTable& t) {
  t.add("boolean", fn_boolean, 1, "<x-:b>");
  t.add("not", fn_not, 1, "<x-:b>");
  t.add("map", fn_map, 2, "<af>");
  t.add("zip", fn_zip, 0, "<a+>");
  t.add("filter", fn_filter, 2, "<af>");
  t.add("single", fn_single, 2, "<af?>");
  t.add("reduce", fn_reduce, 3, "<afj?:j>");
  t.add("sift", fn_sift, 2, "<o-f?:o>");
  t.add("keys", fn_keys, 1, "<x-:a<s>>");
  t.add("lookup", fn_lookup, 2, "<x-s:x>");
  t.add("append", fn_append, 2, "<xx:a>");
  t.add("exists", fn_exists, 1, "<x:b>");
  t.add("spread", fn_spread, 1, "<x-:a<o>>");
  t.add("merge", fn_merge, 1, "<a<o>:o>");
  t.add("reverse", fn_reverse, 1, "<a:a>");
  t.add("each", fn_each, 2, "<o-f:a>");
  t.add("error", fn_error, 1, "<s?:x>");
  t.add("assert", fn_assert, 2, "<bs?:x>");
  t.add("type", fn_type, 1, "<x:s>");
  t.add("sort", fn_sort, 2, "<af?:a>");
  t.add("shuffle", fn_shuffle, 1, "<a:a>");
  t.add("distinct", fn_distinct, 1, "<x:x>");
  t.add("eval", fn_eval, 2, "<sx?:x>");
  t.add("clone", fn_clone, 1, "<(oa)-:o>");
}

}  // namespace hookd::jsonata::detail
