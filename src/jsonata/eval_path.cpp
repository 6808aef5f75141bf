// Location paths, steps, tuple streams and predicates (jsonata-js evaluatePath, evaluateStep,
// evaluateTupleStep, evaluateStages, evaluateFilter).
#include <cmath>

#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/stack.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

namespace {

const Value& at_key() {
  static const Value k("@");
  return k;
}

// Appends `v` to `out` the way evaluateStep flattens a step's result: arrays (unless built by a constructor
// at the edge of a path) contribute their elements.
template <class Out>
void flatten_into(Out& out, const Value& v) {
  if (!v.is_array() || (v.tag() & kCons)) {
    out.push_back(v);
    return;
  }
  for (const Value& item : v.as_array())
    out.push_back(item);
}

}  // namespace

// --- paths -------------------------------------------------------------------------------------------------

// A path of plain steps (names, and a variable first) over a single value: the common `body.a.b` case, walked
// without building sequences. The result is what the general evaluation gives; when a step yields an array to
// iterate, the general evaluation takes over from there.
Value Evaluator::eval_simple_path(const Node* expr, const Value& input, Env* env) {
  const auto& steps = expr->items;
  if (max_depth_ > 0 && depth_ + 1 > max_depth_) {
    DepthGuard guard(*this);  // throws, as evaluating the step would
  }
  auto unwrap = [](Value v) {
    if (is_sequence(v) && !(v.tag() & kTupleStream)) {
      if (v.size() == 0) return Value();
      if (v.size() == 1 && !(v.tag() & kKeepSingleton)) return Value(v.as_array()[0]);
    }
    return v;
  };
  size_t i = 0;
  Value cur;
  if (steps[0]->kind == Kind::variable) {
    cur = unwrap(eval_variable(steps[0], input, env));
    i = 1;
    if (cur.is_undefined()) return Value();
    if (cur.is_array()) {
      if (cur.tag() & kCons) return eval_path_from(expr, 1, std::span(&cur, 1), Value(), env);
      return eval_path_from(expr, 1, cur.as_array(), cur, env);
    }
  } else {
    if (input.is_array()) return eval_path_from(expr, 0, input.as_array(), input, env);
    cur = input;
  }
  for (; i < steps.size(); ++i) {
    tick();
    Value res = cur.is_object() ? unwrap(cur.get(steps[i]->value.as_string())) : Value();
    if (res.is_undefined()) return Value();
    bool last = i + 1 == steps.size();
    if (last) {
      if (res.is_array() && (res.tag() & kSequence) && !(res.tag() & kCons))
        return std::move(res).with_tag(kSequence);
      return res;
    }
    if (res.is_array()) {
      if (res.tag() & kCons) return eval_path_from(expr, i + 1, std::span(&res, 1), Value(), env);
      return eval_path_from(expr, i + 1, res.as_array(), res, env);
    }
    cur = std::move(res);
  }
  return cur;
}

Value Evaluator::eval_path(const Node* expr, const Value& input, Env* env) {
  if (expr->simple_path) return eval_simple_path(expr, input, env);
  const auto& steps = expr->items;
  // The input sequence: an array input is iterated, anything else is a sequence of one (absolute paths
  // starting with a variable always start from a sequence of one).
  if (input.is_array() && steps[0]->kind != Kind::variable)
    return eval_path_from(expr, 0, input.as_array(), input, env);
  return eval_path_from(expr, 0, std::span(&input, 1), Value(), env);
}

// The general path evaluation (jsonata-js evaluatePath) from step `first`, over `input_seq` (whose owner,
// when it is an array value, is `input_seq_value`).
Value Evaluator::eval_path_from(const Node* expr, size_t first, std::span<const Value> input_seq,
                                Value input_seq_value, Env* env) {
  const auto& steps = expr->items;
  Value wrapped = input_seq_value.is_undefined() && input_seq.size() == 1 ? input_seq[0] : Value();
  SmallVec<Value, 4> current;  // the result sequence of the last step
  Value current_array;         // ... or an array standing in for it (not flattened, not a sequence)
  bool use_array = false;
  bool tuple_stream = false;
  Value tuples;  // tuple stream (array of tuple objects), once a step needs one

  auto seq_value = [&](std::span<const Value> items) {
    if (!input_seq_value.is_undefined() && items.data() == input_seq_value.as_array().data())
      return input_seq_value;
    return sequence_of(std::vector<Value>(items.begin(), items.end()));
  };

  for (size_t ii = first; ii < steps.size(); ++ii) {
    const Node* step = steps[ii];
    if (step->tuple) tuple_stream = true;

    if (ii == 0 && step->consarray) {
      Value seq = input_seq_value.is_undefined() ? sequence_of({wrapped}) : input_seq_value;
      Value r = eval(step, seq, env);
      current.clear();
      current_array = r;
      use_array = r.is_array();
      // jsonata-js then iterates whatever came back by index: a string gives its characters, anything else
      // that is not an array gives nothing.
      if (r.is_string()) {
        std::string_view str = r.as_string();
        char32_t cp;
        for (size_t i = 0; i < str.size();) {
          size_t n = utf8_decode(str, i, cp);
          current.push_back(Value(str.substr(i, n)));
          i += n;
        }
      }
    } else if (tuple_stream) {
      Value in = use_array ? current_array : seq_value(input_seq);
      tuples = eval_tuple_step(step, in, tuples, env);
    } else {
      bool last = ii == steps.size() - 1;
      SmallVec<Value, 4> out;
      Value out_array;
      bool out_is_array = false;
      if (step->kind == Kind::sort) {
        Value in = use_array ? current_array : seq_value(input_seq);
        Value r = eval_sort(step, in, env);
        if (step->has_stages) r = eval_stages(step->stages, r, env);
        out_array = r;
        out_is_array = true;
      } else {
        size_t count = 0;
        Value first;
        for (const Value& item : input_seq) {
          Value res = eval(step, item, env);
          if (step->has_stages)
            for (const Stage& stage : step->stages)
              res = eval_filter(stage.expr, res, env);
          if (res.is_undefined()) continue;
          ++count;
          if (last && count == 1) {
            first = std::move(res);
            continue;
          }
          if (last && count == 2) flatten_into(out, first);
          flatten_into(out, res);
          check_items(out.size());
        }
        if (last && count == 1) {
          if (first.is_array() && !is_sequence(first)) {
            out_array = std::move(first);
            out_is_array = true;
          } else {
            flatten_into(out, first);
          }
        }
      }
      current = std::move(out);
      current_array = std::move(out_array);
      use_array = out_is_array;
    }

    size_t produced = use_array ? current_array.size() : current.size();
    if (!tuple_stream && produced == 0) break;
    if (step->focus.is_undefined()) {
      if (use_array) {
        input_seq = current_array.is_array() ? std::span<const Value>(current_array.as_array())
                                             : std::span<const Value>();
        input_seq_value = current_array;
      } else {
        input_seq = std::span<const Value>(current.data(), current.size());
        input_seq_value = Value();
      }
    }
  }

  // The result as a value: sequences of one unwrap here already (evaluate() would do it next).
  Value result;
  bool keep = expr->keep_singleton_array || expr->keep_array;
  if (tuple_stream) {
    if (expr->tuple) {
      result = tuples;
    } else {
      std::vector<Value> items;
      if (tuples.is_array()) {
        items.reserve(tuples.size());
        for (const Value& t : tuples.as_array())
          items.push_back(t.get("@"));
      }
      result = sequence_of(std::move(items));
    }
  } else if (use_array) {
    result = current_array;
  } else if (current.size() == 1 && !keep && !expr->group) {
    return current[0];
  } else if (current.empty() && !keep && !expr->group) {
    return Value();
  } else {
    result = sequence_of(std::move(current).to_vector());
  }

  if (expr->keep_singleton_array) {
    if (result.is_array() && (result.tag() & kCons) && !(result.tag() & kSequence))
      result = sequence_of({result});
    if (result.is_array()) result = std::move(result).with_tag(result.tag() | kKeepSingleton);
  }
  if (expr->group)
    result = eval_group(expr->group->pairs, expr->group->position, tuple_stream ? tuples : result, env);
  return result;
}

EnvRef Evaluator::frame_from_tuple(Env* env, const Value& tuple) {
  EnvRef frame = new_frame(env);
  if (tuple.is_object())
    for (const json::Member& m : tuple.members())
      frame->bind(m.key, m.value);
  return frame;
}

Value Evaluator::eval_tuple_step(const Node* step, const Value& input_seq, Value tuples, Env* env) {
  if (step->kind == Kind::sort) {
    Value result;
    if (!tuples.is_undefined()) {
      result = eval_sort(step, tuples, env);
    } else {
      Value sorted = eval_sort(step, input_seq, env);
      std::vector<Value> items;
      if (sorted.is_array()) {
        for (size_t ss = 0; ss < sorted.size(); ++ss) {
          json::ObjectBuilder t;
          t.set(at_key(), sorted.as_array()[ss]);
          if (!step->index_name.is_undefined()) t.set(step->index_name, Value(static_cast<double>(ss)));
          items.push_back(std::move(t).build());
        }
      }
      result = sequence_of(std::move(items), kTupleStream);
    }
    if (step->has_stages) result = eval_stages(step->stages, result, env);
    return result;
  }

  std::vector<Value> bindings;
  if (tuples.is_undefined()) {
    if (input_seq.is_array()) {
      for (const Value& item : input_seq.as_array()) {
        json::ObjectBuilder t;
        t.set(at_key(), item);
        bindings.push_back(std::move(t).build());
      }
    }
  } else if (tuples.is_array()) {
    bindings = tuples.as_array();
  }

  std::vector<Value> result;
  for (const Value& tuple : bindings) {
    EnvRef frame = frame_from_tuple(env, tuple);
    const Value& focus = tuple.get("@");
    Value res = eval(step, focus, frame.get());
    if (res.is_undefined()) continue;
    bool stream = has_flag(res, kTupleStream);
    std::span<const Value> items =
        res.is_array() ? std::span<const Value>(res.as_array()) : std::span(&res, 1);
    for (size_t bb = 0; bb < items.size(); ++bb) {
      json::ObjectBuilder t(tuple);
      if (stream) {
        if (items[bb].is_object())
          for (const json::Member& m : items[bb].members())
            t.set(m.key, m.value);
      } else {
        if (!step->focus.is_undefined()) {
          t.set(step->focus, items[bb]);
          t.set(at_key(), focus);
        } else {
          t.set(at_key(), items[bb]);
        }
        if (!step->index_name.is_undefined() && !step->index_name.as_string().empty())
          t.set(step->index_name, Value(static_cast<double>(bb)));
        if (step->ancestor) t.set(Value(step->ancestor->label), focus);
      }
      result.push_back(std::move(t).build());
    }
    check_items(result.size());
  }
  Value stream = sequence_of(std::move(result), kTupleStream);
  if (step->has_stages) stream = eval_stages(step->stages, stream, env);
  return stream;
}

Value Evaluator::eval_stages(const std::vector<Stage>& stages, Value input, Env* env) {
  Value result = std::move(input);
  for (const Stage& stage : stages) {
    if (stage.type == Stage::Type::filter) {
      result = eval_filter(stage.expr, result, env);
    } else if (result.is_array()) {
      std::vector<Value> items;
      items.reserve(result.size());
      for (size_t ee = 0; ee < result.size(); ++ee) {
        json::ObjectBuilder t(result.as_array()[ee]);
        t.set(stage.name, Value(static_cast<double>(ee)));
        items.push_back(std::move(t).build());
      }
      result = Value::array(std::move(items)).with_tag(result.tag());
    }
  }
  return result;
}

Value Evaluator::eval_filter(const Node* predicate, const Value& input, Env* env) {
  bool stream = has_flag(input, kTupleStream);
  std::span<const Value> items =
      input.is_array() ? std::span<const Value>(input.as_array()) : std::span(&input, 1);
  std::vector<Value> results;
  if (predicate->kind == Kind::number) {
    double index = std::floor(predicate->value.as_number());
    if (index < 0) index += static_cast<double>(items.size());
    if (index >= 0 && index < static_cast<double>(items.size())) {
      const Value& item = items[static_cast<size_t>(index)];
      if (item.is_array()) return item;
      if (!item.is_undefined()) results.push_back(item);
    }
    return sequence_of(std::move(results), stream ? kTupleStream : 0);
  }
  for (size_t index = 0; index < items.size(); ++index) {
    const Value& item = items[index];
    Value res;
    if (stream) {
      EnvRef frame = frame_from_tuple(env, item);
      res = eval(predicate, item.get("@"), frame.get());
    } else {
      res = eval(predicate, item, env);
    }
    if (is_numeric(res)) {
      double ii = std::floor(res.as_number());
      if (ii < 0) ii += static_cast<double>(items.size());
      if (ii == static_cast<double>(index)) results.push_back(item);
      continue;
    }
    bool all_numbers = res.is_array();
    if (all_numbers)
      for (const Value& v : res.as_array())
        all_numbers = all_numbers && is_numeric(v);
    if (all_numbers) {
      for (const Value& v : res.as_array()) {
        double ii = std::floor(v.as_number());
        if (ii < 0) ii += static_cast<double>(items.size());
        if (ii == static_cast<double>(index)) results.push_back(item);
      }
    } else if (to_boolean(res)) {
      results.push_back(item);
    }
  }
  return sequence_of(std::move(results), stream ? kTupleStream : 0);
}

}  // namespace hookd::jsonata::detail
