// Value helpers shared by the evaluator and the built-ins: jsonata-js's isNumeric, boolean, append and string
// (JSON.stringify with numbers cut to 15 significant digits), and the JSON round trip $clone performs.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/stack.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

bool is_numeric(const Value& v) {
  if (!v.is_number()) return false;
  double d = v.as_number();
  if (std::isnan(d)) return false;
  if (!std::isfinite(d)) throw JError("D1001", v);
  return true;
}

bool to_boolean(const Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::null:
    case json::Type::function:
      return false;
    case json::Type::boolean:
      return v.as_bool();
    case json::Type::string:
      return !v.as_string().empty();
    case json::Type::number:
      return is_numeric(v) && v.as_number() != 0;
    case json::Type::object:
      return v.size() > 0;
    case json::Type::array: {
      const auto& items = v.as_array();
      if (items.size() == 1) return to_boolean(items[0]);
      for (const Value& item : items)
        if (to_boolean(item)) return true;
      return false;
    }
  }
  return false;
}

Value append(Evaluator& ev, const Value& a, const Value& b) {
  if (a.is_undefined()) return b;
  if (b.is_undefined()) return a;
  size_t na = a.is_array() ? a.size() : 1;
  size_t nb = b.is_array() ? b.size() : 1;
  ev.check_items(na + nb);
  std::vector<Value> out;
  out.reserve(na + nb);
  if (a.is_array())
    out.insert(out.end(), a.as_array().begin(), a.as_array().end());
  else
    out.push_back(a);
  if (b.is_array())
    out.insert(out.end(), b.as_array().begin(), b.as_array().end());
  else
    out.push_back(b);
  return Value::array(std::move(out));
}

bool deep_equal(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::Type::array: {
      if (a.same_node(b)) return true;
      if (stack_exhausted()) throw JError("U1001");
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!deep_equal(x[i], y[i])) return false;
      return true;
    }
    case json::Type::object: {
      if (a.same_node(b)) return true;
      if (stack_exhausted()) throw JError("U1001");
      if (a.size() != b.size()) return false;
      for (const json::Member& m : a.members()) {
        const Value& other = b.get(m.name());
        if (other.is_undefined() && !m.value.is_undefined()) return false;
        if (!deep_equal(m.value, other)) return false;
      }
      return true;
    }
    default:
      return json::equal(a, b);
  }
}

double to_precision_15(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", d);
  return std::strtod(buf, nullptr);
}

namespace {

class JsWriter {
 public:
  JsWriter(Evaluator& ev, int indent) : ev_(ev), indent_(indent) {}

  // Returns false if `v` writes nothing (undefined at the top).
  void write(std::string& out, const Value& v, int level) {
    if (stack_exhausted()) throw JError("U1001");
    if (++written_ % 4096 == 0) {
      ev_.check_time();
      ev_.check_string(out.size());
    }
    switch (v.type()) {
      case json::Type::undefined:
      case json::Type::null:
        out += "null";
        return;
      case json::Type::function:
        out += "\"\"";
        return;
      case json::Type::boolean:
        out += v.as_bool() ? "true" : "false";
        return;
      case json::Type::number: {
        double d = v.as_number();
        if (std::isnan(d)) {
          out += "null";
          return;
        }
        if (!std::isfinite(d)) throw JError("D1001", v);
        if (!v.number_text().empty()) {
          // An integer from the input that a double cannot hold: its digits as received (jsonata-js, having
          // parsed it as a double, would print the nearest double; hookd keeps ids intact).
          out += v.number_text();
          return;
        }
        if (d != std::trunc(d)) d = to_precision_15(d);
        json::write_number(out, d);
        return;
      }
      case json::Type::string:
        write_js_string(out, v.as_string());
        return;
      case json::Type::array: {
        const auto& items = v.as_array();
        out.push_back('[');
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out.push_back(',');
          newline(out, level + 1);
          write(out, items[i], level + 1);
        }
        if (!items.empty()) newline(out, level);
        out.push_back(']');
        return;
      }
      case json::Type::object: {
        out.push_back('{');
        bool first = true;
        for (const json::Member& m : v.members()) {
          if (m.value.is_undefined()) continue;
          if (!first) out.push_back(',');
          first = false;
          newline(out, level + 1);
          write_js_string(out, m.name());
          out.push_back(':');
          if (indent_ > 0) out.push_back(' ');
          write(out, m.value, level + 1);
        }
        if (!first) newline(out, level);
        out.push_back('}');
        return;
      }
    }
  }

 private:
  void newline(std::string& out, int level) const {
    if (indent_ <= 0) return;
    out.push_back('\n');
    out.append(static_cast<size_t>(indent_ * level), ' ');
  }

  Evaluator& ev_;
  int indent_;
  size_t written_ = 0;
};

}  // namespace

std::string to_js_string(Evaluator& ev, const Value& v, bool pretty) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_function()) return std::string();
  if (v.is_number() && !std::isfinite(v.as_number())) throw JError("D3001", v);
  const Value* x = &v;
  if (has_flag(v, kOuterWrapper) && v.size() > 0) x = &v.as_array()[0];
  std::string out;
  JsWriter(ev, pretty ? 2 : 0).write(out, *x, 0);
  ev.check_string(out.size());
  return out;
}

Value clone_value(Evaluator& ev, const Value& v) {
  if (stack_exhausted()) throw JError("U1001");
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::null:
      return Value(nullptr);
    case json::Type::function:
      return Value("");
    case json::Type::boolean:
    case json::Type::string:
      return v;
    case json::Type::number: {
      double d = v.as_number();
      if (std::isnan(d)) return Value(nullptr);
      if (!std::isfinite(d)) throw JError("D1001", v);
      // integers as they are (big ids keep digits)
      return d != std::trunc(d) ? Value(to_precision_15(d)) : v;
    }
    case json::Type::array: {
      std::vector<Value> items;
      items.reserve(v.size());
      for (const Value& item : v.as_array())
        items.push_back(clone_value(ev, item));
      ev.check_items(items.size());
      return Value::array(std::move(items));
    }
    case json::Type::object: {
      json::ObjectBuilder b(v.size());
      for (const json::Member& m : v.members()) {
        if (m.value.is_undefined()) continue;
        b.append_unique(Value(m.name()), clone_value(ev, m.value));
      }
      return std::move(b).build();
    }
  }
  return Value();
}

}  // namespace hookd::jsonata::detail
