// qs.parse, step for step. qs builds its result by mutating JavaScript objects and arrays (sparse arrays,
// "overflow" objects past arrayLimit, merges that turn arrays into objects), so this file models just enough
// of that: a small mutable tree with JavaScript's property order, converted to a json::Value at the end.
#include <cmath>
#include <map>
#include <memory>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/qs.h"
#include "jsonata/truto/qs_node.h"

namespace hookd::jsonata::truto::qs {

namespace {

using namespace detail;

bool is_object_prototype_key(std::string_view key) {
  static const char* const kKeys[] = {
      "constructor",      "__defineGetter__", "__defineSetter__", "hasOwnProperty",
      "__lookupGetter__", "__lookupSetter__", "isPrototypeOf",    "propertyIsEnumerable",
      "toString",         "valueOf",          "__proto__",        "toLocaleString"};
  for (const char* k : kKeys)
    if (key == k) return true;
  return false;
}

struct Options {
  bool allow_dots = false, allow_empty_arrays = false, allow_prototypes = false, allow_sparse = false;
  double array_limit = 20;
  bool iso_charset = false;
  bool comma = false, decode_dot_in_keys = false;
  std::string delimiter = "&";
  double depth = 5;
  std::string duplicates = "combine";
  bool ignore_query_prefix = false;
  double parameter_limit = 1000;
  bool parse_arrays = true, plain_objects = false, strict_depth = false, strict_merge = true;
  bool strict_null_handling = false, throw_on_limit_exceeded = false;
};

Error type_error(std::string message) {
  return js_error("TypeError", std::move(message));
}
Error range_error(std::string message) {
  return js_error("RangeError", std::move(message));
}

Result<Options> normalize(const json::Value& o) {
  Options opts;
  if (!js_truthy(o)) return opts;
  auto get = [&](std::string_view k) -> const json::Value& { return o.get(k); };
  auto boolean = [&](std::string_view k, bool& out) {
    if (get(k).is_bool()) out = get(k).as_bool();
  };
  if (!get("allowEmptyArrays").is_undefined() && !get("allowEmptyArrays").is_bool())
    return type_error("`allowEmptyArrays` option can only be `true` or `false`, when provided");
  if (!get("decodeDotInKeys").is_undefined() && !get("decodeDotInKeys").is_bool())
    return type_error("`decodeDotInKeys` option can only be `true` or `false`, when provided");
  const json::Value& decoder = get("decoder");
  if (!decoder.is_null() && !decoder.is_undefined() && !decoder.is_function())
    return type_error("Decoder has to be a function.");
  const json::Value& charset = get("charset");
  if (!charset.is_undefined() && charset.string_or("") != "utf-8" && charset.string_or("") != "iso-8859-1")
    return type_error("The charset option must be either utf-8, iso-8859-1, or undefined");
  if (!get("throwOnLimitExceeded").is_undefined() && !get("throwOnLimitExceeded").is_bool())
    return type_error("`throwOnLimitExceeded` option must be a boolean");
  opts.iso_charset = charset.string_or("") == "iso-8859-1";
  const json::Value& duplicates = get("duplicates");
  if (!duplicates.is_undefined()) {
    std::string_view d = duplicates.string_or("");
    if (!duplicates.is_string() || (d != "combine" && d != "first" && d != "last"))
      return type_error("The duplicates option must be either combine, first, or last");
    opts.duplicates = std::string(d);
  }
  if (get("allowDots").is_undefined()) {
    opts.allow_dots = get("decodeDotInKeys").is_bool() && get("decodeDotInKeys").as_bool();
  } else {
    opts.allow_dots = js_truthy(get("allowDots"));
  }
  boolean("allowEmptyArrays", opts.allow_empty_arrays);
  boolean("allowPrototypes", opts.allow_prototypes);
  boolean("allowSparse", opts.allow_sparse);
  if (get("arrayLimit").is_number()) opts.array_limit = get("arrayLimit").as_number();
  boolean("comma", opts.comma);
  boolean("decodeDotInKeys", opts.decode_dot_in_keys);
  if (get("delimiter").is_string()) opts.delimiter = std::string(get("delimiter").as_string());
  if (get("depth").is_number()) opts.depth = get("depth").as_number();
  if (get("depth").is_bool() && !get("depth").as_bool()) opts.depth = 0;
  opts.ignore_query_prefix = get("ignoreQueryPrefix").is_bool() && get("ignoreQueryPrefix").as_bool();
  if (get("parameterLimit").is_number()) opts.parameter_limit = get("parameterLimit").as_number();
  opts.parse_arrays = !(get("parseArrays").is_bool() && !get("parseArrays").as_bool());
  boolean("plainObjects", opts.plain_objects);
  boolean("strictDepth", opts.strict_depth);
  boolean("strictMerge", opts.strict_merge);
  boolean("strictNullHandling", opts.strict_null_handling);
  boolean("throwOnLimitExceeded", opts.throw_on_limit_exceeded);
  return opts;
}

// utils.decode: '+' is a space, then decodeURIComponent (the text as it is when that throws), or unescape()
// of %XX for iso-8859-1.
std::string decode(std::string_view s, const Options& opts) {
  std::string plus(s);
  for (auto& c : plus)
    if (c == '+') c = ' ';
  if (opts.iso_charset) {
    std::string out;
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    for (size_t i = 0; i < plus.size(); ++i) {
      if (plus[i] == '%' && i + 2 < plus.size() && hex(plus[i + 1]) && hex(plus[i + 2])) {
        unsigned v = static_cast<unsigned>(std::stoi(plus.substr(i + 1, 2), nullptr, 16));
        format::js::u16 ch(1, static_cast<char16_t>(v));
        out += format::js::to_utf8(ch);
        i += 2;
      } else {
        out.push_back(plus[i]);
      }
    }
    return out;
  }
  auto decoded = decode_uri_component(plus);
  return decoded ? *decoded : plus;
}

// [].concat(a, b): arrays are spread (holes kept), anything else appended.
NodeRef concat(const NodeRef& a, const NodeRef& b) {
  NodeRef out = make_array();
  for (const NodeRef& x : {a, b}) {
    if (is_array(x)) {
      out->items.insert(out->items.end(), x->items.begin(), x->items.end());
    } else {
      out->items.push_back(x);
    }
  }
  return out;
}

NodeRef array_to_object(const NodeRef& source) {
  NodeRef obj = make_object();
  for (size_t i = 0; i < source->items.size(); ++i)
    if (source->items[i]) obj->set(std::to_string(i), source->items[i]);
  return obj;
}

NodeRef mark_overflow(NodeRef obj, double max_index) {
  obj->overflow = true;
  obj->max_index = max_index;
  return obj;
}

std::string index_key(double i) {
  return format::js::number_to_string(i);
}

NodeRef combine(const NodeRef& a, const NodeRef& b, double array_limit) {
  if (a && a->overflow) {
    double index = a->max_index + 1;
    a->set(index_key(index), b);
    a->max_index = index;
    return a;
  }
  NodeRef result = concat(a, b);
  if (static_cast<double>(result->items.size()) > array_limit)
    return mark_overflow(array_to_object(result), static_cast<double>(result->items.size()) - 1);
  return result;
}

NodeRef merge(NodeRef target, const NodeRef& source, const Options& opts) {
  if (falsy(source)) return target;
  if (!source->is_object()) {
    if (is_array(target)) {
      double next = static_cast<double>(target->items.size());
      if (next > opts.array_limit) {
        NodeRef joined = concat(target, source);
        return mark_overflow(array_to_object(joined), next);
      }
      target->items.push_back(source);
    } else if (target && target->is_object()) {
      if (target->overflow) {
        double index = target->max_index + 1;
        target->set(index_key(index), source);
        target->max_index = index;
      } else if (opts.strict_merge) {
        NodeRef pair = make_array();
        pair->items = {target, source};
        return pair;
      } else if (opts.plain_objects || opts.allow_prototypes || source->kind != Node::Kind::string ||
                 !is_object_prototype_key(source->s)) {
        auto t = std::make_shared<Node>();
        t->kind = Node::Kind::boolean;
        t->b = true;
        target->set(source->kind == Node::Kind::string ? source->s : std::string("true"), t);
      }
    } else {
      NodeRef pair = make_array();
      pair->items = {target, source};
      return pair;
    }
    return target;
  }

  if (!target || !target->is_object()) {
    if (source->overflow) {
      NodeRef result = make_object();
      result->set("0", target);
      for (const auto& key : source->keys()) {
        double old_key = format::js::parse_int(format::js::to_utf16(key));
        result->set(index_key(old_key + 1), source->get(key));
      }
      return mark_overflow(result, source->max_index + 1);
    }
    NodeRef combined = concat(target, source);
    if (static_cast<double>(combined->items.size()) > opts.array_limit)
      return mark_overflow(array_to_object(combined), static_cast<double>(combined->items.size()) - 1);
    return combined;
  }

  NodeRef merge_target = target;
  if (is_array(target) && !is_array(source)) merge_target = array_to_object(target);

  if (is_array(target) && is_array(source)) {
    for (size_t i = 0; i < source->items.size(); ++i) {
      const NodeRef& item = source->items[i];
      if (!item) continue;  // forEach skips holes
      if (i < target->items.size() && target->items[i]) {
        NodeRef target_item = target->items[i];
        if (target_item->is_object() && item->is_object()) {
          target->items[i] = merge(target_item, item, opts);
        } else {
          target->items.push_back(item);
        }
      } else {
        if (i >= target->items.size()) target->items.resize(i + 1);
        target->items[i] = item;
      }
    }
    return target;
  }

  NodeRef acc = merge_target;
  for (const auto& key : source->keys()) {
    NodeRef value = source->get(key);
    if (NodeRef* existing = acc->find(key)) {
      acc->set(key, merge(*existing, value, opts));
    } else {
      acc->set(key, value);
    }
    if (source->overflow && !acc->overflow) mark_overflow(acc, source->max_index);
    if (acc->overflow && is_array_index(key)) {
      double n = std::stod(key);
      if (n > acc->max_index) acc->max_index = n;
    }
  }
  return acc;
}

Error limit_error(const Options& opts) {
  return range_error("Array limit exceeded. Only " + index_key(opts.array_limit) + " element" +
                     (opts.array_limit == 1 ? "" : "s") + " allowed in an array.");
}

// parseArrayValue: comma-separated values become arrays when `comma` is on.
Result<NodeRef> parse_array_value(const std::string& val, const Options& opts, double current_length) {
  if (!val.empty() && opts.comma && val.find(',') != std::string::npos) {
    NodeRef arr = make_array();
    for (const auto& piece : format::js::split(format::js::to_utf16(val), u","))
      arr->items.push_back(make_string(format::js::to_utf8(piece)));
    return arr;
  }
  if (opts.throw_on_limit_exceeded && current_length >= opts.array_limit) return limit_error(opts);
  return make_string(val);
}

// parseValues: the flat key -> value pairs, keys still bracketed ("a[b]"), in JavaScript property order.
Result<NodeRef> parse_values(std::string_view str, const Options& opts) {
  NodeRef obj = make_object();
  std::string clean(str);
  if (opts.ignore_query_prefix && !clean.empty() && clean[0] == '?') clean.erase(0, 1);
  // %5B and %5D (any case) are brackets before anything else.
  std::string bracketed;
  for (size_t i = 0; i < clean.size(); ++i) {
    if (clean[i] == '%' && i + 2 < clean.size() && clean[i + 1] == '5' &&
        (clean[i + 2] == 'B' || clean[i + 2] == 'b' || clean[i + 2] == 'D' || clean[i + 2] == 'd')) {
      bracketed.push_back(clean[i + 2] == 'B' || clean[i + 2] == 'b' ? '[' : ']');
      i += 2;
    } else {
      bracketed.push_back(clean[i]);
    }
  }
  auto all_parts = format::js::split(format::js::to_utf16(bracketed), format::js::to_utf16(opts.delimiter));
  // split(delimiter, limit) keeps the first `limit` parts (limit + 1 when it must detect the excess).
  double limit = std::isinf(opts.parameter_limit) ? -1 : opts.parameter_limit;
  if (limit >= 0) {
    double keep = opts.throw_on_limit_exceeded ? limit + 1 : limit;
    // split()'s limit is ToUint32.
    double as_u32 = std::fmod(std::trunc(keep), 4294967296.0);
    if (as_u32 < 0) as_u32 += 4294967296.0;
    if (static_cast<double>(all_parts.size()) > as_u32) all_parts.resize(static_cast<size_t>(as_u32));
    if (opts.throw_on_limit_exceeded && static_cast<double>(all_parts.size()) > limit)
      return range_error("Parameter limit exceeded. Only " + index_key(limit) + " parameter" +
                         (limit == 1 ? "" : "s") + " allowed.");
  }

  for (const auto& part16 : all_parts) {
    std::string part = format::js::to_utf8(part16);
    size_t bracket_equals = part.find("]=");
    size_t pos = bracket_equals == std::string::npos ? part.find('=') : bracket_equals + 1;
    std::string key;
    NodeRef val;
    if (pos == std::string::npos) {
      key = decode(part, opts);
      val = opts.strict_null_handling ? make_null() : make_string("");
    } else {
      key = decode(part.substr(0, pos), opts);
      NodeRef* current = obj->find(key);
      double current_length =
          current && is_array(*current) ? static_cast<double>((*current)->items.size()) : 0;
      auto raw = parse_array_value(part.substr(pos + 1), opts, current_length);
      if (!raw.ok()) return std::move(raw).error();
      val = raw.value();
      if (is_array(val)) {
        for (auto& item : val->items)
          item = make_string(decode(item->s, opts));
      } else {
        val = make_string(decode(val->s, opts));
      }
    }
    if (part.find("[]=") != std::string::npos && is_array(val)) {
      NodeRef wrapped = make_array();
      wrapped->items.push_back(val);
      val = wrapped;
    }
    if (opts.comma && is_array(val) && static_cast<double>(val->items.size()) > opts.array_limit) {
      if (opts.throw_on_limit_exceeded) return limit_error(opts);
      val = combine(make_array(), val, opts.array_limit);
    }
    NodeRef* existing = obj->find(key);
    if (existing && (opts.duplicates == "combine" || part.find("[]=") != std::string::npos)) {
      obj->set(key, combine(*existing, val, opts.array_limit));
    } else if (!existing || opts.duplicates == "last") {
      obj->set(key, val);
    }
  }
  return obj;
}

// splitKeyIntoSegments: "a[b][c]" -> ["a", "[b]", "[c]"], honouring depth and refusing prototype keys.
Result<std::optional<std::vector<std::string>>> split_key(const std::string& original, const Options& opts) {
  using Segments = std::optional<std::vector<std::string>>;
  std::string key = original;
  if (opts.allow_dots) {
    // key.replace(/\.([^.[]+)/g, '[$1]')
    std::string out;
    for (size_t i = 0; i < key.size(); ++i) {
      if (key[i] == '.' && i + 1 < key.size() && key[i + 1] != '.' && key[i + 1] != '[') {
        size_t j = i + 1;
        while (j < key.size() && key[j] != '.' && key[j] != '[')
          ++j;
        out.append("[").append(key, i + 1, j - i - 1).append("]");
        i = j - 1;
      } else {
        out.push_back(key[i]);
      }
    }
    key = std::move(out);
  }
  auto refused = [&](const std::string& k) {
    return !opts.plain_objects && is_object_prototype_key(k) && !opts.allow_prototypes;
  };
  if (opts.depth <= 0) {
    if (refused(key)) return Segments();
    return Segments(std::vector<std::string>{key});
  }
  std::vector<std::string> segments;
  size_t first = key.find('[');
  std::string parent = first == std::string::npos ? key : key.substr(0, first);
  if (!parent.empty()) {
    if (refused(parent)) return Segments();
    segments.push_back(parent);
  }
  size_t open = first;
  double collected = 0;
  while (open != std::string::npos && collected < opts.depth) {
    int level = 1;
    size_t i = open + 1;
    size_t close = std::string::npos;
    while (i < key.size() && close == std::string::npos) {
      if (key[i] == '[') {
        ++level;
      } else if (key[i] == ']') {
        if (--level == 0) close = i;
      }
      ++i;
    }
    if (close == std::string::npos) {
      segments.push_back(std::string("[").append(key, open).append("]"));
      return Segments(std::move(segments));
    }
    std::string seg = key.substr(open, close - open + 1);
    if (refused(seg.substr(1, seg.size() - 2))) return Segments();
    segments.push_back(seg);
    ++collected;
    open = key.find('[', close + 1);
  }
  if (open != std::string::npos) {
    if (opts.strict_depth)
      return range_error("Input depth exceeded depth option of " + index_key(opts.depth) +
                         " and strictDepth is true");
    segments.push_back(std::string("[").append(key, open).append("]"));
  }
  return Segments(std::move(segments));
}

// parseObject: builds the nested value for one key's segments, innermost first.
Result<NodeRef> parse_object(const std::vector<std::string>& chain, NodeRef val, const Options& opts,
                             bool values_parsed) {
  NodeRef leaf = val;
  if (!values_parsed && val && val->kind == Node::Kind::string) {
    auto parsed = parse_array_value(val->s, opts, 0);
    if (!parsed.ok()) return std::move(parsed).error();
    leaf = parsed.value();
  }
  for (size_t n = chain.size(); n-- > 0;) {
    const std::string& root = chain[n];
    NodeRef obj;
    if (root == "[]" && opts.parse_arrays) {
      if (leaf && leaf->overflow) {
        obj = leaf;
      } else if (opts.allow_empty_arrays && leaf &&
                 ((leaf->kind == Node::Kind::string && leaf->s.empty()) ||
                  (opts.strict_null_handling && leaf->kind == Node::Kind::null))) {
        obj = make_array();
      } else {
        obj = combine(make_array(), leaf, opts.array_limit);
      }
    } else {
      obj = make_object();
      std::string clean = root.size() >= 2 && root.front() == '[' && root.back() == ']'
                              ? root.substr(1, root.size() - 2)
                              : root;
      std::string decoded = clean;
      if (opts.decode_dot_in_keys) {
        decoded.clear();
        for (size_t i = 0; i < clean.size(); ++i) {
          if (clean.compare(i, 3, "%2E") == 0) {
            decoded.push_back('.');
            i += 2;
          } else {
            decoded.push_back(clean[i]);
          }
        }
      }
      double index = format::js::parse_int(format::js::to_utf16(decoded));
      // parseInt(x, 10): a hex prefix never survives the String(index) === decodedRoot check below.
      bool valid_index = !std::isnan(index) && root != decoded && index_key(index) == decoded && index >= 0 &&
                         opts.parse_arrays;
      if (!opts.parse_arrays && decoded.empty()) {
        obj->set("0", leaf);
      } else if (valid_index && index < opts.array_limit) {
        obj = make_array();
        obj->items.resize(static_cast<size_t>(index) + 1);
        obj->items[static_cast<size_t>(index)] = leaf;
      } else if (valid_index && opts.throw_on_limit_exceeded) {
        return limit_error(opts);
      } else if (valid_index) {
        obj->set(decoded, leaf);
        mark_overflow(obj, index);
      } else if (decoded != "__proto__") {
        obj->set(decoded, leaf);
      }
    }
    leaf = obj;
  }
  return leaf;
}

}  // namespace

Result<json::Value> parse(const json::Value& input, const json::Value& options) {
  auto opts_r = normalize(options);
  if (!opts_r.ok()) return std::move(opts_r).error();
  const Options& opts = opts_r.value();
  if (input.is_undefined() || input.is_null() || (input.is_string() && input.as_string().empty()))
    return json::Value::empty_object();

  NodeRef temp;
  bool from_string = input.is_string();
  if (from_string) {
    auto values = parse_values(input.as_string(), opts);
    if (!values.ok()) return std::move(values).error();
    temp = values.value();
  } else if (input.is_object() || input.is_array()) {
    temp = from_value(input);
  } else {
    return json::Value::empty_object();  // Object.keys of a number or boolean is empty
  }

  NodeRef obj = make_object();
  for (const auto& key : temp->keys()) {
    if (key.empty()) continue;  // parseKeys ignores an empty key
    auto segments = split_key(key, opts);
    if (!segments.ok()) return std::move(segments).error();
    if (!segments.value()) continue;
    auto built = parse_object(*segments.value(), temp->get(key), opts, from_string);
    if (!built.ok()) return std::move(built).error();
    obj = merge(obj, built.value(), opts);
  }
  if (!opts.allow_sparse) compact(obj);
  return to_value(obj);
}

}  // namespace hookd::jsonata::truto::qs
