// Registration of Truto's function set, and Truto's versions of the core functions ($string, $keys, $each,
// $sift, $jsonParse, $firstNonEmpty, $mapValues, $removeEmptyItems, ...). The heavier pieces live beside this
// file: crypto.cpp ($sign, $digest, base64), qs_*.cpp (query strings), url.cpp, lodash.cpp, luxon*.cpp
// (dates).
#include "hookd/jsonata/truto.h"

#include <optional>
#include <cmath>
#include <optional>

#include "jsonata/format/js.h"
#include "jsonata/truto/crypto.h"
#include "jsonata/truto/lodash.h"
#include "jsonata/truto/natives.h"
#include "jsonata/truto/qs.h"

namespace hookd::jsonata::truto {

namespace {

namespace js = format::js;
using Args = std::span<const json::Value>;

const json::Value& arg(Args args, size_t i) {
  static const json::Value undefined;
  return i < args.size() ? args[i] : undefined;
}

jsonata::Result<json::Value> to_engine(const Result<json::Value>& r) {
  if (!r.ok()) return to_engine_error(r.error());
  return r.value();
}

jsonata::Error coded(std::string code, std::string message, json::Value value = {}) {
  jsonata::Error e;
  e.code = std::move(code);
  e.message = std::move(message);
  e.value = std::move(value);
  return e;
}

// Number(x.toPrecision(15)): 15 significant digits, ties (on the exact binary value) away from zero.
double precision15(double d) {
  if (!std::isfinite(d) || d == 0) return d;
  auto round_digits = [](const char* sci) {
    // sci: "-d.ddddd...e+XX"; keep 15 significant digits, rounding half up in magnitude.
    std::string s(sci);
    bool negative = s[0] == '-';
    if (negative) s.erase(0, 1);
    size_t e = s.find('e');
    std::string digits = s.substr(0, 1) + s.substr(2, e - 2);
    int exponent = std::stoi(s.substr(e + 1));
    bool up = digits.size() > 15 && digits[15] >= '5';
    digits.resize(15);
    if (up) {
      size_t i = digits.size();
      while (i-- > 0) {
        if (digits[i] == '9') {
          digits[i] = '0';
          if (i == 0) {
            digits.insert(digits.begin(), '1');
            digits.pop_back();
            ++exponent;
          }
        } else {
          ++digits[i];
          break;
        }
      }
    }
    std::string text = std::string(negative ? "-" : "") + digits.substr(0, 1) + "." + digits.substr(1) + "e" +
                       std::to_string(exponent);
    return std::strtod(text.c_str(), nullptr);
  };
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.40e", d);
  std::string_view v(buf);
  size_t start = v[0] == '-' ? 1 : 0;
  // Significant digits 16 onwards, in the 41-digit rendering.
  std::string_view tail = v.substr(start + 16, 25);
  if (tail[0] == '5' && tail.substr(1).find_first_not_of('0') == std::string_view::npos) {
    // Possibly an exact tie: decide on the exact expansion (a double has at most 767 significant digits).
    std::string exact(1100, '\0');
    int n = std::snprintf(exact.data(), exact.size(), "%.780e", d);
    exact.resize(static_cast<size_t>(n));
    return round_digits(exact.c_str());
  }
  return round_digits(buf);
}

// The value JSON.stringify(v, replacer) serialises in legacyString: natives replaced by their toJSON, numbers
// to 15 significant digits, functions by "".
jsonata::Result<json::Value> for_string(const json::Value& v) {
  if (auto native = native_json(v)) return *native;
  switch (v.type()) {
    case json::Type::number: {
      double d = v.as_number();
      if (std::isnan(d)) return v;
      if (!std::isfinite(d)) return coded("D1001", "Number out of range: " + js::number_to_string(d), v);
      return json::Value(precision15(d));
    }
    case json::Type::function:
      return json::Value("");
    case json::Type::array: {
      std::vector<json::Value> items;
      for (const auto& item : v.as_array()) {
        auto r = for_string(item);
        if (!r.ok()) return r;
        items.push_back(std::move(r).value());
      }
      return json::Value::array(std::move(items));
    }
    case json::Type::object: {
      json::ObjectBuilder b(v.size());
      for (const auto& m : v.members()) {
        auto r = for_string(m.value);
        if (!r.ok()) return r;
        b.append_unique(m.key, std::move(r).value());
      }
      return std::move(b).build();
    }
    default:
      return v;
  }
}

jsonata::Result<json::Value> legacy_string(CallContext&, Args args) {
  const json::Value& a = arg(args, 0);
  if (a.is_undefined()) return json::Value();
  if (a.is_string()) return a;
  if (a.is_function()) return json::Value("");
  if (a.is_number() && !std::isfinite(a.as_number()))
    return coded("D3001", "Attempting to invoke string function on Infinity or NaN", a);
  auto prepared = for_string(a);
  if (!prepared.ok()) return prepared;
  bool pretty = js_truthy(arg(args, 1));
  const json::Value& p = prepared.value();
  return json::Value(pretty ? json::dump_pretty(p, 2) : json::dump(p));
}

// legacyKeys: the keys of an object, or the union of the keys of an array's items (recursively).
json::Value legacy_keys_of(const json::Value& v) {
  std::vector<std::string> keys;
  if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      json::Value k = legacy_keys_of(item);
      auto add = [&](const json::Value& key) {
        std::string s(key.as_string());
        if (std::find(keys.begin(), keys.end(), s) == keys.end()) keys.push_back(s);
      };
      if (k.is_array()) {
        for (const auto& key : k.as_array())
          add(key);
      } else if (k.is_string()) {
        add(k);
      }
    }
  } else if (v.is_object()) {
    JsObjectBuilder order;
    for (const auto& m : v.members())
      order.set(m.name(), json::Value(true));
    json::Value ordered = std::move(order).build();
    for (const auto& m : ordered.members())
      keys.emplace_back(m.name());
  }
  if (keys.empty()) return json::Value();
  if (keys.size() == 1) return json::Value(keys[0]);
  std::vector<json::Value> out;
  for (auto& k : keys)
    out.emplace_back(k);
  return json::Value::array(std::move(out));
}

// JSONata's callback convention: (value), (value, key) or (value, key, object) by the callback's arity.
std::vector<json::Value> callback_args(const json::Value& fn, const json::Value& value,
                                       const json::Value& key, const json::Value& object) {
  int arity = CallContext::arity(fn);
  std::vector<json::Value> a{value};
  if (arity >= 2) a.push_back(key);
  if (arity >= 3) a.push_back(object);
  return a;
}

std::vector<json::Value> ordered_members(const json::Value& obj, std::vector<std::string>& keys) {
  JsObjectBuilder order;
  for (const auto& m : obj.members())
    order.set(m.name(), m.value);
  json::Value ordered = std::move(order).build();
  std::vector<json::Value> values;
  for (const auto& m : ordered.members()) {
    keys.emplace_back(m.name());
    values.push_back(m.value);
  }
  return values;
}

jsonata::Result<json::Value> each(CallContext& ctx, Args args) {
  const json::Value& obj = arg(args, 0);
  const json::Value& fn = arg(args, 1);
  if (obj.is_undefined()) return json::Value();
  std::vector<std::string> keys;
  auto values = ordered_members(obj, keys);
  std::vector<json::Value> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto cargs = callback_args(fn, values[i], json::Value(keys[i]), obj);
    auto r = ctx.call(fn, cargs);
    if (!r.ok()) return r;
    if (!r.value().is_undefined()) out.push_back(std::move(r).value());
  }
  if (out.empty()) return json::Value();
  if (out.size() == 1) return out[0];
  return json::Value::array(std::move(out));
}

// Truto's effectiveBoolean for $sift: arrays by any item, objects by having keys, Infinity is an error.
jsonata::Result<bool> effective_boolean(const json::Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::null:
      return false;
    case json::Type::array:
      for (const auto& item : v.as_array()) {
        auto r = effective_boolean(item);
        if (!r.ok() || r.value()) return r;
      }
      return false;
    case json::Type::boolean:
      return v.as_bool();
    case json::Type::string:
      return !v.as_string().empty();
    case json::Type::number: {
      double d = v.as_number();
      if (std::isnan(d)) return false;
      if (!std::isfinite(d)) return coded("D1001", "Number out of range: " + js::number_to_string(d), v);
      return d != 0;
    }
    case json::Type::object:
      return v.size() > 0;
    default:
      return false;
  }
}

jsonata::Result<json::Value> sift(CallContext& ctx, Args args) {
  const json::Value& obj = arg(args, 0);
  const json::Value& fn = arg(args, 1);
  if (obj.is_undefined()) return json::Value();
  if (!fn.is_function()) return coded("TypeError", "Cannot read properties of undefined (reading 'arity')");
  std::vector<std::string> keys;
  auto values = ordered_members(obj, keys);
  JsObjectBuilder out;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto cargs = callback_args(fn, values[i], json::Value(keys[i]), obj);
    auto r = ctx.call(fn, cargs);
    if (!r.ok()) return r;
    auto keep = effective_boolean(r.value());
    if (!keep.ok()) return keep.error();
    if (keep.value()) out.set(keys[i], values[i]);
  }
  if (out.size() == 0) return json::Value();
  return std::move(out).build();
}

// JSON.parse(String(x)); null where it throws.
json::Value json_parse(const json::Value& v) {
  std::string text = js_string(v);
  json::Value out;
  if (!json::parse(text, out)) return json::Value::null();
  // JSON.parse orders array-index keys first, as every JavaScript object does.
  auto reorder = [](auto& self, const json::Value& x) -> json::Value {
    if (x.is_array()) {
      std::vector<json::Value> items;
      for (const auto& item : x.as_array())
        items.push_back(self(self, item));
      return json::Value::array(std::move(items));
    }
    if (!x.is_object()) return x;
    JsObjectBuilder b;
    for (const auto& m : x.members())
      b.set(m.name(), self(self, m.value));
    return std::move(b).build();
  };
  return reorder(reorder, out);
}

// mapValues(value, mapping, lowerCase = false, defaultValue = null).
json::Value map_values(const json::Value& original, const json::Value& mapping, bool lower_case,
                       const json::Value& default_value) {
  if ((original.is_null() || original.is_undefined()) && !default_value.is_null() &&
      !default_value.is_undefined())
    return default_value;
  if (mapping.is_null() || mapping.is_undefined()) return original;
  // Object.entries(mapping), keys lower-cased unless the caller already did.
  std::vector<std::pair<std::string, json::Value>> entries;
  if (mapping.is_object()) {
    for (const auto& m : mapping.members())
      entries.emplace_back(std::string(m.name()), m.value);
  } else if (mapping.is_array()) {
    for (size_t i = 0; i < mapping.size(); ++i)
      entries.emplace_back(std::to_string(i), mapping.at(i));
  } else if (mapping.is_string()) {
    js::u16 s = js::to_utf16(mapping.as_string());
    for (size_t i = 0; i < s.size(); ++i)
      entries.emplace_back(std::to_string(i), json::Value(js::to_utf8(s.substr(i, 1))));
  }
  JsObjectBuilder table;
  for (auto& [k, v] : entries)
    table.set(lower_case ? k : js::to_utf8(js::to_lower(js::to_utf16(k))), v);
  json::Value lowered = std::move(table).build();
  if (original.is_string() || original.is_number()) {
    std::string key = js::to_utf8(js::to_lower(js::to_utf16(js_string(original))));
    const json::Value& val = lowered.get(key);
    if (val.is_null() || val.is_undefined()) return original;
    return val;
  }
  if (original.is_array()) {
    std::vector<json::Value> out;
    for (const auto& item : original.as_array())
      out.push_back(map_values(item, lowered, true, json::Value::null()));
    return json::Value::array(std::move(out));
  }
  if (original.is_object()) {
    JsObjectBuilder out;
    for (const auto& m : original.members())
      out.set(m.name(), map_values(m.value, lowered, true, json::Value::null()));
    return std::move(out).build();
  }
  return original;
}

json::Value remove_empty_items(const json::Value& v) {
  if (!v.is_array()) return v;
  std::vector<json::Value> out;
  for (const auto& item : v.as_array()) {
    bool keep = item.is_object() || item.is_array() ? item.size() > 0 : js_truthy(item);
    if (keep) out.push_back(item);
  }
  return json::Value::array(std::move(out));
}

jsonata::Result<json::Value> remove_empty(const json::Value& v) {
  if (v.is_null() || v.is_undefined())
    return coded("TypeError", std::string("Cannot read properties of ") +
                                  (v.is_null() ? "null" : "undefined") + " (reading 'length')");
  if (v.is_string()) return v.as_string().empty() ? json::Value() : v;
  if (v.is_array()) return v.size() ? v : json::Value();
  return json::Value();
}

// lodash _.chunk(castArray(v), size).
json::Value chunk(const json::Value& v, const json::Value& size_arg) {
  double size = size_arg.is_undefined() ? 1 : lodash::to_number(size_arg);
  if (!std::isfinite(size))
    size = std::isnan(size) ? 0 : (size > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308);
  size = std::max(std::trunc(size), 0.0);
  json::Value arr = lodash::cast_array(v);
  if (arr.size() == 0 || size < 1) return json::Value::empty_array();
  std::vector<json::Value> out, current;
  for (const auto& item : arr.as_array()) {
    current.push_back(item);
    if (static_cast<double>(current.size()) >= size) {
      out.push_back(json::Value::array(std::move(current)));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(json::Value::array(std::move(current)));
  return json::Value::array(std::move(out));
}

// lodash _.difference(a, b): the items of array a not in array b (SameValueZero; objects by identity).
json::Value difference(const json::Value& a, const json::Value& b) {
  if (!a.is_array()) return json::Value::empty_array();
  auto same = [](const json::Value& x, const json::Value& y) {
    if (x.is_object() || x.is_array() || x.is_function()) return x.same_node(y);
    if (x.is_number() && y.is_number())
      return x.as_number() == y.as_number() || (std::isnan(x.as_number()) && std::isnan(y.as_number()));
    return x.type() == y.type() && json::equal(x, y);
  };
  std::vector<json::Value> out;
  for (const auto& item : a.as_array()) {
    bool found = false;
    if (b.is_array())
      for (const auto& other : b.as_array())
        found = found || same(item, other);
    if (!found) out.push_back(item);
  }
  return json::Value::array(std::move(out));
}

using Impl = jsonata::Result<json::Value> (*)(CallContext&, Args);

struct Entry {
  const char* name;
  const char* signature;
  int arity;  // the JavaScript function's length, which HOF-style callers see
  Impl impl;
};

const Entry kCore[] = {
    {"string", "<x-b?:s>", 1, legacy_string},
    {"keys", "<x-:a<s>>", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return legacy_keys_of(arg(a, 0)); }},
    {"base64decode", "", 1,
     [](CallContext&, Args a) { return to_engine(crypto::base64decode(arg(a, 0), arg(a, 1))); }},
    {"base64encode", "", 1,
     [](CallContext&, Args a) { return to_engine(crypto::base64encode(arg(a, 0), arg(a, 1))); }},
    {"digest", "", 1,
     [](CallContext&, Args a) { return to_engine(crypto::digest(arg(a, 0), arg(a, 1), arg(a, 2))); }},
    {"firstNonEmpty", "", 0,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       for (const auto& v : a)
         if (!v.is_undefined() && !v.is_null()) return v;
       return json::Value();
     }},
    {"jsonParse", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return json_parse(arg(a, 0)); }},
    {"mapValues", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       json::Value dflt = a.size() > 3 && !arg(a, 3).is_undefined() ? arg(a, 3) : json::Value::null();
       return map_values(arg(a, 0), arg(a, 1), js_truthy(arg(a, 2)), dflt);
     }},
    {"parseQuery", "", 2, [](CallContext&, Args a) { return to_engine(qs::parse(arg(a, 0), arg(a, 1))); }},
    {"parseUrl", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       auto u = url::parse(js_string(arg(a, 0)));
       if (!u) return coded("TypeError", "Invalid URL");
       return wrap_url(*u);
     }},
    {"removeEmpty", "", 1, [](CallContext&, Args a) { return remove_empty(arg(a, 0)); }},
    {"removeEmptyItems", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return remove_empty_items(arg(a, 0)); }},
    {"sign", "", 1,
     [](CallContext&, Args a) {
       return to_engine(crypto::sign(arg(a, 0), arg(a, 1), arg(a, 2), arg(a, 3)));
     }},
    {"stringifyQuery", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       auto r = qs::stringify(arg(a, 0), arg(a, 1));
       if (!r.ok()) return to_engine_error(r.error());
       return json::Value(r.value());
     }},
    {"toNumber", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       return json::Value(lodash::to_number(arg(a, 0)));
     }},
    {"uuid", "", 0,
     [](CallContext&, Args) -> jsonata::Result<json::Value> { return json::Value(crypto::uuid_v4()); }},
    {"each", "<o-f:a>", 2, each},
    {"sift", "<o-f?:o>", 2, sift},
    {"groupBy", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       return lodash::group_by(arg(a, 0), arg(a, 1));
     }},
    {"keyBy", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       return lodash::key_by(arg(a, 0), arg(a, 1));
     }},
    {"pick", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return lodash::pick(arg(a, 0), arg(a, 1)); }},
    {"omit", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return lodash::omit(arg(a, 0), arg(a, 1)); }},
    {"compact", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return lodash::compact(arg(a, 0)); }},
    {"join", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> {
       return json::Value(lodash::join(arg(a, 0), arg(a, 1)));
     }},
    {"values", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return lodash::values(arg(a, 0)); }},
    {"chunk", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return chunk(arg(a, 0), arg(a, 1)); }},
    {"wrap", "", 3,
     [](CallContext&, Args a) -> jsonata::
                                  Result<json::Value> {
                                    const json::Value& end = js_truthy(arg(a, 2)) ? arg(a, 2) : arg(a, 1);
                                    return json::Value(lodash::join(
                                        json::Value::array({arg(a, 1), arg(a, 0), end}), json::Value("")));
                                  }},
    {"difference", "", 2,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return difference(arg(a, 0), arg(a, 1)); }},
    {"flatten", "", 1,
     [](CallContext&, Args a) -> jsonata::Result<json::Value> { return lodash::flatten(arg(a, 0), 1); }},
    {"flattenDeep", "", 1,
     [](CallContext&,
        Args a) -> jsonata::Result<json::Value> { return lodash::flatten(arg(a, 0), INFINITY); }},
    {"flattenDepth", "", 2,
     [](CallContext&, Args a) -> jsonata::
                                  Result<json::Value> {
                                    double depth = arg(a, 1).is_undefined()
                                                       ? 1
                                                       : std::trunc(lodash::to_number(arg(a, 1)));
                                    return lodash::flatten(arg(a, 0), std::isnan(depth) ? 0 : depth);
                                  }},
};

}  // namespace

jsonata::Error to_engine_error(const Error& e) {
  jsonata::Error out;
  out.code = e.code;
  out.message = e.message;
  out.value = e.value;
  return out;
}

const FunctionSet& truto_functions() {
  static const FunctionSet set = [] {
    FunctionSet::Builder b;
    for (const auto& e : kCore)
      b.add(e.name, e.signature, e.impl, e.arity);
    add_datetime_functions(b);
    auto built = std::move(b).build();
    // The signatures above are fixed: a failure here is a programming error caught by the tests.
    return built.ok() ? built.value() : FunctionSet::standard();
  }();
  return set;
}

namespace {

// `v` with Truto's date, duration and URL objects replaced by their text, or nullopt when it holds none: the
// common case (a transform's plain JSON) walks the tree and copies nothing.
std::optional<json::Value> replaced(const json::Value& v) {
  if (auto native = native_json(v)) return native;
  if (v.is_array()) {
    const auto& items = v.as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      auto first = replaced(items[i]);
      if (!first) continue;
      std::vector<json::Value> out;
      out.reserve(items.size());
      out.insert(out.end(), items.begin(), items.begin() + static_cast<std::ptrdiff_t>(i));
      out.push_back(std::move(*first));
      for (size_t j = i + 1; j < items.size(); ++j) {
        auto x = replaced(items[j]);
        out.push_back(x ? std::move(*x) : items[j]);
      }
      return json::Value::array(std::move(out)).with_tag(v.tag());
    }
    return std::nullopt;
  }
  if (v.is_object()) {
    const auto& members = v.members();
    for (size_t i = 0; i < members.size(); ++i) {
      auto first = replaced(members[i].value);
      if (!first) continue;
      json::ObjectBuilder b(members.size());
      for (size_t j = 0; j < i; ++j)
        b.append_unique(members[j].key, members[j].value);
      b.append_unique(members[i].key, std::move(*first));
      for (size_t j = i + 1; j < members.size(); ++j) {
        auto x = replaced(members[j].value);
        b.append_unique(members[j].key, x ? std::move(*x) : members[j].value);
      }
      return std::move(b).build();
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

json::Value to_json_value(const json::Value& v) {
  auto r = replaced(v);
  return r ? std::move(*r) : v;
}

}  // namespace hookd::jsonata::truto
