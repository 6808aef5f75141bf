// Operators, constructors, grouping, order-by and the transform operator (jsonata-js evaluateBinary,
// evaluateUnary, evaluateGroupExpression, evaluateSortExpression, evaluateTransformExpression).
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/stack.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

namespace {

JError at_op(JError e, const Node* expr) {
  e.position = expr->position;
  e.token = std::string(expr->value.string_or(""));
  e.has_token = true;
  return e;
}

Value arithmetic(Op op, const Value& lhs, const Value& rhs) {
  if (!lhs.is_undefined() && !is_numeric(lhs)) throw JError("T2001", lhs);
  if (!rhs.is_undefined() && !is_numeric(rhs)) throw JError("T2002", rhs);
  if (lhs.is_undefined() || rhs.is_undefined()) return Value();
  double a = lhs.as_number(), b = rhs.as_number();
  switch (op) {
    case Op::add:
      return Value(a + b);
    case Op::sub:
      return Value(a - b);
    case Op::mul:
      return Value(a * b);
    case Op::div:
      return Value(a / b);
    case Op::mod:
      return Value(std::fmod(a, b));
    default:
      return Value();
  }
}

Value comparison(Op op, const Value& lhs, const Value& rhs) {
  auto comparable = [](const Value& v) { return v.is_undefined() || v.is_string() || v.is_number(); };
  if (!comparable(lhs) || !comparable(rhs)) {
    bool lbad = !(lhs.is_string() || lhs.is_number());
    throw JError("T2010", lbad ? lhs : rhs);
  }
  if (lhs.is_undefined() || rhs.is_undefined()) return Value();
  if (lhs.type() != rhs.type()) {
    JError e("T2009", lhs);
    e.value2 = rhs;
    e.has_value2 = true;
    throw e;
  }
  int c;
  if (lhs.is_number()) {
    double a = lhs.as_number(), b = rhs.as_number();
    switch (op) {
      case Op::lt:
        return Value(a < b);
      case Op::le:
        return Value(a <= b);
      case Op::gt:
        return Value(a > b);
      case Op::ge:
        return Value(a >= b);
      default:
        return Value();
    }
  }
  c = compare_utf16(lhs.as_string(), rhs.as_string());
  switch (op) {
    case Op::lt:
      return Value(c < 0);
    case Op::le:
      return Value(c <= 0);
    case Op::gt:
      return Value(c > 0);
    case Op::ge:
      return Value(c >= 0);
    default:
      return Value();
  }
}

// JavaScript's === (objects, arrays and functions by identity).
bool strict_equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::Type::undefined:
    case json::Type::null:
      return true;
    case json::Type::boolean:
      return a.as_bool() == b.as_bool();
    case json::Type::number:
      return a.as_number() == b.as_number();
    case json::Type::string:
      return a.as_string() == b.as_string();
    default:
      return a.same_node(b);
  }
}

// Keys that JavaScript orders first in an object (canonical array indices).
bool is_index_key(std::string_view k, uint64_t& n) {
  if (k.empty() || k.size() > 10 || (k.size() > 1 && k[0] == '0')) return false;
  n = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n < 4294967295ull;
}

}  // namespace

Value Evaluator::eval_binary(const Node* expr, const Value& input, Env* env) {
  Value lhs = eval(expr->lhs, input, env);
  Op op = expr->op;
  if (op == Op::and_ || op == Op::or_) {
    try {
      bool l = to_boolean(lhs);
      if (op == Op::and_) return Value(l && to_boolean(eval(expr->rhs, input, env)));
      return Value(l || to_boolean(eval(expr->rhs, input, env)));
    } catch (JError& e) {
      if (e.is_limit) throw;
      throw at_op(std::move(e), expr);
    }
  }
  Value rhs = eval(expr->rhs, input, env);
  try {
    switch (op) {
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::mod:
        return arithmetic(op, lhs, rhs);
      case Op::eq:
        if (lhs.is_undefined() || rhs.is_undefined()) return Value(false);
        return Value(deep_equal(lhs, rhs));
      case Op::ne:
        if (lhs.is_undefined() || rhs.is_undefined()) return Value(false);
        return Value(!deep_equal(lhs, rhs));
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
        return comparison(op, lhs, rhs);
      case Op::concat: {
        std::string out = lhs.is_undefined() ? std::string() : to_js_string(*this, lhs);
        if (!rhs.is_undefined()) out += to_js_string(*this, rhs);
        check_string(out.size());
        return Value(out);
      }
      case Op::range: {
        auto is_int = [](const Value& v) {
          return v.is_number() && std::isfinite(v.as_number()) && std::trunc(v.as_number()) == v.as_number();
        };
        if (!lhs.is_undefined() && !is_int(lhs)) throw JError("T2003", lhs);
        if (!rhs.is_undefined() && !is_int(rhs)) throw JError("T2004", rhs);
        if (lhs.is_undefined() || rhs.is_undefined()) return Value();
        double a = lhs.as_number(), b = rhs.as_number();
        if (a > b) return Value();
        double size = b - a + 1;
        if (size > 1e7) throw JError("D2014", Value(size));
        check_items(static_cast<size_t>(size));
        std::vector<Value> items;
        items.reserve(static_cast<size_t>(size));
        for (double x = a; x <= b; ++x) {
          items.emplace_back(x);
          if ((items.size() & 0xFFFF) == 0) check_time();
        }
        return sequence_of(std::move(items));
      }
      case Op::in: {
        if (lhs.is_undefined() || rhs.is_undefined()) return Value(false);
        if (rhs.is_array()) {
          for (const Value& v : rhs.as_array())
            if (strict_equal(v, lhs)) return Value(true);
          return Value(false);
        }
        return Value(strict_equal(rhs, lhs));
      }
      default:
        return Value();
    }
  } catch (JError& e) {
    if (e.is_limit) throw;
    throw at_op(std::move(e), expr);
  }
}

namespace {

// A group's data: the item when there is one, else the items appended (arrays contribute their elements), as
// jsonata-js's repeated fn.append builds it.
Value group_data(const Value& first, std::span<const Value> more) {
  if (more.empty()) return first;
  Value acc = first;
  std::vector<Value> all;
  bool joined = false;
  auto add = [&](const Value& v) {
    if (v.is_array())
      all.insert(all.end(), v.as_array().begin(), v.as_array().end());
    else
      all.push_back(v);
  };
  for (const Value& v : more) {
    if (v.is_undefined()) continue;
    if (!joined && acc.is_undefined()) {
      acc = v;
      continue;
    }
    if (!joined) {
      add(acc);
      joined = true;
    }
    add(v);
  }
  return joined ? Value::array(std::move(all)) : acc;
}

}  // namespace

Value Evaluator::eval_unary(const Node* expr, const Value& input, Env* env) {
  switch (expr->op) {
    case Op::neg: {
      Value v = eval(expr->lhs, input, env);
      if (v.is_undefined()) return Value();
      if (is_numeric(v)) return Value(-v.as_number());
      JError e("D1002", v);
      e.position = expr->position;
      e.token = "-";
      e.has_token = true;
      throw e;
    }
    case Op::array: {
      std::vector<Value> result;
      for (const Node* item : expr->items) {
        Value v = eval(item, input, env);
        if (v.is_undefined()) continue;
        if ((item->kind == Kind::unary && item->op == Op::array) ||
            (item->kind == Kind::string && v.is_string() && v.as_string() == "[")) {
          result.push_back(std::move(v));
        } else if (v.is_array()) {
          result.insert(result.end(), v.as_array().begin(), v.as_array().end());
        } else {
          result.push_back(std::move(v));
        }
        check_items(result.size());
      }
      Value out = Value::array(std::move(result));
      return expr->consarray ? std::move(out).with_tag(kCons) : out;
    }
    case Op::object: {
      if (expr->literal_keys && !has_flag(input, kTupleStream)) {
        // Known, distinct keys: every key groups every item, so each value is evaluated once, in order,
        // against all the items appended (what grouping gives).
        Value context = input;
        if (input.is_array()) {
          const auto& items = input.as_array();
          context = items.empty() ? Value() : group_data(items[0], std::span(items).subspan(1));
          check_items(context.is_array() ? context.size() : 1);
        }
        json::ObjectBuilder b(expr->pairs.size());
        for (const auto& [key, value] : expr->pairs) {
          Value v = eval(value, context, env);
          if (!v.is_undefined()) b.append_unique(key->value, std::move(v));
        }
        return std::move(b).build();
      }
      return eval_group(expr->pairs, expr->position, input, env);
    }
    default:
      return Value();
  }
}

Value Evaluator::eval_group(const std::vector<std::pair<Node*, Node*>>& pairs, int64_t position,
                            const Value& input, Env* env) {
  bool reduce = has_flag(input, kTupleStream);
  static const Value undefined;
  std::span<const Value> items =
      input.is_array() ? std::span<const Value>(input.as_array()) : std::span(&input, 1);
  if (items.empty() && !reduce) items = std::span(&undefined, 1);

  // A group's data is the item when there is one, else the items appended (arrays contribute their elements),
  // as jsonata-js's repeated fn.append builds it.
  struct Entry {
    Value key;
    size_t expr_index;
    Value first;
    std::vector<Value> more;
    Value data() const { return group_data(first, more); }
  };
  SmallVec<Entry, 8> groups;
  std::unordered_map<std::string_view, size_t> index;  // only for many groups; a scan is faster for a few
  auto find = [&](std::string_view k) -> Entry* {
    if (!index.empty()) {
      auto it = index.find(k);
      return it == index.end() ? nullptr : &groups[it->second];
    }
    for (Entry& g : groups)
      if (g.key.as_string() == k) return &g;
    return nullptr;
  };
  for (const Value& item : items) {
    EnvRef frame;
    Env* item_env = env;
    if (reduce) {
      frame = frame_from_tuple(env, item);
      item_env = frame.get();
    }
    for (size_t pi = 0; pi < pairs.size(); ++pi) {
      Value key = eval(pairs[pi].first, reduce ? item.get("@") : item, item_env);
      if (key.is_undefined()) continue;
      if (!key.is_string()) {
        JError e("T1003", key);
        e.position = position;
        throw e;
      }
      std::string_view k = key.as_string();
      if (k == "_jsonata_lambda" || k == "_jsonata_function") {
        JError e("D1013", key);
        e.position = position;
        throw e;
      }
      if (Entry* entry = find(k)) {
        if (entry->expr_index != pi) {
          JError e("D1009", key);
          e.position = position;
          throw e;
        }
        entry->more.push_back(item);
        check_items(entry->more.size() + 1);
      } else {
        groups.push_back(Entry{std::move(key), pi, item, {}});
        if (!index.empty()) {
          index.emplace(groups.back().key.as_string(), groups.size() - 1);
        } else if (groups.size() > 16) {
          for (size_t i = 0; i < groups.size(); ++i)
            index.emplace(groups[i].key.as_string(), i);
        }
      }
    }
  }

  // JavaScript enumerates integer-like keys first, in numeric order.
  SmallVec<size_t, 8> order;
  for (size_t i = 0; i < groups.size(); ++i)
    order.push_back(i);
  uint64_t n;
  bool any_index = false;
  for (const Entry& g : groups)
    any_index = any_index || is_index_key(g.key.as_string(), n);
  if (any_index) {
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      uint64_t na = 0, nb = 0;
      bool ia = is_index_key(groups[a].key.as_string(), na), ib = is_index_key(groups[b].key.as_string(), nb);
      if (ia != ib) return ia;
      return ia && na < nb;
    });
  }

  json::ObjectBuilder result(groups.size());
  for (size_t gi : order) {
    const Entry& entry = groups[gi];
    Value context = entry.data();
    EnvRef frame;
    Env* value_env = env;
    if (reduce) {
      // reduceTupleStream: one tuple whose bindings collect every tuple's values
      json::ObjectBuilder tuple;
      if (context.is_array()) {
        const auto& tuples = context.as_array();
        if (!tuples.empty()) tuple = json::ObjectBuilder(tuples[0]);
        for (size_t ii = 1; ii < tuples.size(); ++ii) {
          if (!tuples[ii].is_object()) continue;
          for (const json::Member& m : tuples[ii].members()) {
            const Value* prev = tuple.find(m.name());
            tuple.set(m.key, append(*this, prev ? *prev : Value(), m.value));
          }
        }
      } else {
        tuple = json::ObjectBuilder(context);
      }
      const Value* at = tuple.find("@");
      context = at ? *at : Value();
      tuple.erase("@");
      frame = frame_from_tuple(env, std::move(tuple).build());
      value_env = frame.get();
    }
    Value v = eval(pairs[entry.expr_index].second, context, value_env);
    if (!v.is_undefined()) result.append_unique(entry.key, std::move(v));
  }
  return std::move(result).build();
}

// fn.sort: a top-down merge sort, so a comparator sees the same pairs in the same order as in jsonata-js.
Value Evaluator::sort(const Value& array, const std::function<bool(const Value&, const Value&)>& swap) {
  if (!array.is_array() || array.size() <= 1) return array;
  std::vector<Value> items = array.as_array();
  std::vector<Value> buffer(items.size());
  auto msort = [&](auto& self, size_t lo, size_t hi) -> void {
    if (hi - lo <= 1) return;
    size_t mid = lo + (hi - lo) / 2;
    self(self, lo, mid);
    self(self, mid, hi);
    size_t l = lo, r = mid, o = lo;
    while (l < mid && r < hi) {
      if (swap(items[l], items[r]))
        buffer[o++] = items[r++];
      else
        buffer[o++] = items[l++];
    }
    while (l < mid)
      buffer[o++] = items[l++];
    while (r < hi)
      buffer[o++] = items[r++];
    for (size_t i = lo; i < hi; ++i)
      items[i] = std::move(buffer[i]);
    check_time();
  };
  msort(msort, 0, items.size());
  return Value::array(std::move(items));
}

Value Evaluator::eval_sort(const Node* expr, const Value& input, Env* env) {
  bool tuples = has_flag(input, kTupleStream);
  auto key = [&](const Node* term, const Value& item) {
    if (!tuples) return eval(term, item, env);
    EnvRef frame = frame_from_tuple(env, item);
    return eval(term, item.get("@"), frame.get());
  };
  auto swap = [&](const Value& a, const Value& b) {
    int comp = 0;
    for (size_t i = 0; comp == 0 && i < expr->terms.size(); ++i) {
      const SortTerm& term = expr->terms[i];
      Value aa = key(term.expr, a);
      Value bb = key(term.expr, b);
      if (aa.is_undefined()) {
        comp = bb.is_undefined() ? 0 : 1;
        continue;
      }
      if (bb.is_undefined()) {
        comp = -1;
        continue;
      }
      bool a_ok = aa.is_string() || aa.is_number(), b_ok = bb.is_string() || bb.is_number();
      if (!a_ok || !b_ok) {
        JError e("T2008", a_ok ? bb : aa);
        e.position = expr->position;
        throw e;
      }
      if (aa.type() != bb.type()) {
        JError e("T2007", aa);
        e.value2 = bb;
        e.has_value2 = true;
        e.position = expr->position;
        throw e;
      }
      int c = aa.is_number() ? (aa.as_number() == bb.as_number()  ? 0
                                : aa.as_number() < bb.as_number() ? -1
                                                                  : 1)
                             : compare_utf16(aa.as_string(), bb.as_string());
      if (c == 0) continue;
      comp = term.descending ? -c : c;
    }
    return comp == 1;
  };
  return sort(input, swap);
}

// --- transform ---------------------------------------------------------------------------------------------

Transformer::Transformer(std::shared_ptr<const Program> program, const AstNode* node, EnvRef env)
    : Callable(Kind::transform, 1), program(std::move(program)), node(node), env(std::move(env)) {
  static const std::shared_ptr<const Signature> sig = parse_signature("<(oa):o>");
  signature = sig;
}

namespace {

const void* identity(const Value& v) {
  return &v.members();
}

// Rebuilds `v` with the edited versions of the objects the transform changed. jsonata-js edits its deep copy
// in place; rebuilding from an identity map gives the same result on immutable values.
Value rebuild(const Value& v, const std::unordered_map<const void*, Value>& edits,
              std::unordered_set<const void*>& active) {
  if (stack_exhausted()) throw JError("U1001");
  if (v.is_object()) {
    const void* id = identity(v);
    const Value* base = &v;
    auto it = edits.find(id);
    bool edited = it != edits.end() && !active.count(id);
    if (edited) base = &it->second;
    active.insert(id);
    json::ObjectBuilder b(base->size());
    bool changed = edited;
    for (const json::Member& m : base->members()) {
      Value nv = rebuild(m.value, edits, active);
      changed = changed || !nv.same_node(m.value);
      b.append_unique(m.key, std::move(nv));
    }
    active.erase(id);
    return changed ? std::move(b).build() : v;
  }
  if (v.is_array()) {
    std::vector<Value> items;
    items.reserve(v.size());
    bool changed = false;
    for (const Value& item : v.as_array()) {
      items.push_back(rebuild(item, edits, active));
      changed = changed || !(items.back().same_node(item) || items.back().type() < json::Type::string);
    }
    return changed ? Value::array(std::move(items)).with_tag(v.tag()) : v;
  }
  return v;
}

}  // namespace

Value Evaluator::apply_transform(const Transformer& t, const Value& obj) {
  if (obj.is_undefined()) return Value();
  const Node* expr = t.node;
  Env* env = t.env.get();
  Value clone = lookup_variable("clone", env);
  if (!clone.is_function()) {
    JError e("T2013");
    e.position = expr->position;
    throw e;
  }
  Value result = apply(clone, std::span(&obj, 1), Value(nullptr), env);
  Value matches = eval(expr->cond, result, env);
  if (matches.is_undefined()) return result;
  std::vector<Value> list = matches.is_array() ? matches.as_array() : std::vector<Value>{matches};
  std::unordered_map<const void*, Value> edits;
  for (const Value& match : list) {
    const Value* current = &match;
    if (match.is_object()) {
      auto it = edits.find(identity(match));
      if (it != edits.end()) current = &it->second;
    }
    Value target = *current;
    Value update = eval(expr->then, target, env);
    if (!update.is_undefined()) {
      if (!update.is_object()) {
        JError e("T2011", update);
        e.position = expr->then->position;
        throw e;
      }
      if (target.is_object()) {
        json::ObjectBuilder b(target);
        for (const json::Member& m : update.members())
          b.set(m.key, m.value);
        target = std::move(b).build();
      }
    }
    if (expr->els) {
      Value deletions = eval(expr->els, target, env);
      if (!deletions.is_undefined()) {
        std::vector<Value> names =
            deletions.is_array() ? deletions.as_array() : std::vector<Value>{deletions};
        for (const Value& n : names) {
          if (!n.is_string()) {
            JError e("T2012", deletions);
            e.position = expr->els->position;
            throw e;
          }
        }
        if (target.is_object()) {
          json::ObjectBuilder b(target);
          for (const Value& n : names)
            b.erase(n.as_string());
          target = std::move(b).build();
        }
      }
    }
    if (match.is_object()) edits[identity(match)] = std::move(target);
  }
  std::unordered_set<const void*> active;
  return rebuild(result, edits, active);
}

}  // namespace hookd::jsonata::detail
