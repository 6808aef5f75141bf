// qs.stringify, step for step (over immutable JSON values, so qs's cycle detection has nothing to find).
#include <cstdio>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/qs.h"

namespace hookd::jsonata::truto::qs {

namespace {

enum class ArrayFormat { indices, brackets, repeat, comma };

struct Options {
  bool add_query_prefix = false, allow_dots = false, allow_empty_arrays = false;
  ArrayFormat array_format = ArrayFormat::indices;
  bool iso_charset = false, charset_sentinel = false, comma_round_trip = false;
  std::string delimiter = "&";
  bool encode = true, encode_dot_in_keys = false, encode_values_only = false;
  bool rfc1738 = false;
  bool skip_nulls = false, strict_null_handling = false;
};

Error type_error(std::string message) {
  return js_error("TypeError", std::move(message));
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
  if (!get("encodeDotInKeys").is_undefined() && !get("encodeDotInKeys").is_bool())
    return type_error("`encodeDotInKeys` option can only be `true` or `false`, when provided");
  const json::Value& encoder = get("encoder");
  if (!encoder.is_null() && !encoder.is_undefined() && !encoder.is_function())
    return type_error("Encoder has to be a function.");
  const json::Value& charset = get("charset");
  if (!charset.is_undefined() && charset.string_or("") != "utf-8" && charset.string_or("") != "iso-8859-1")
    return type_error("The charset option must be either utf-8, iso-8859-1, or undefined");
  opts.iso_charset = charset.string_or("") == "iso-8859-1";
  const json::Value& format = get("format");
  if (!format.is_undefined()) {
    std::string_view f = format.string_or("");
    if (f != "RFC1738" && f != "RFC3986") return type_error("Unknown format option provided.");
    opts.rfc1738 = f == "RFC1738";
  }
  std::string_view af = get("arrayFormat").string_or("");
  if (af == "indices") {
    opts.array_format = ArrayFormat::indices;
  } else if (af == "brackets") {
    opts.array_format = ArrayFormat::brackets;
  } else if (af == "repeat") {
    opts.array_format = ArrayFormat::repeat;
  } else if (af == "comma") {
    opts.array_format = ArrayFormat::comma;
  } else if (o.contains("indices")) {
    opts.array_format = js_truthy(get("indices")) ? ArrayFormat::indices : ArrayFormat::repeat;
  }
  if (o.contains("commaRoundTrip") && !get("commaRoundTrip").is_bool())
    return type_error("`commaRoundTrip` must be a boolean, or absent");
  if (get("allowDots").is_undefined()) {
    opts.allow_dots = get("encodeDotInKeys").is_bool() && get("encodeDotInKeys").as_bool();
  } else {
    opts.allow_dots = js_truthy(get("allowDots"));
  }
  boolean("addQueryPrefix", opts.add_query_prefix);
  boolean("allowEmptyArrays", opts.allow_empty_arrays);
  boolean("charsetSentinel", opts.charset_sentinel);
  opts.comma_round_trip = js_truthy(get("commaRoundTrip"));
  if (!get("delimiter").is_undefined()) opts.delimiter = js_string(get("delimiter"));
  boolean("encode", opts.encode);
  boolean("encodeDotInKeys", opts.encode_dot_in_keys);
  boolean("encodeValuesOnly", opts.encode_values_only);
  boolean("skipNulls", opts.skip_nulls);
  boolean("strictNullHandling", opts.strict_null_handling);
  return opts;
}

// utils.encode: RFC 3986 unreserved characters (plus '(' ')' for RFC 1738) kept, UTF-8 bytes percent-encoded;
// for iso-8859-1, escape() with %uXXXX turned into a numeric character reference.
std::string encode(const std::string& s, const Options& opts) {
  std::string out;
  char buf[16];
  if (opts.iso_charset) {
    for (char16_t c : format::js::to_utf16(s)) {
      bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' ||
                  c == '*' || c == '_' || c == '+' || c == '-' || c == '.' || c == '/';
      if (keep) {
        out.push_back(static_cast<char>(c));
      } else if (c < 256) {
        std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += "%26%23" + std::to_string(static_cast<unsigned>(c)) + "%3B";
      }
    }
    return out;
  }
  for (unsigned char c : s) {
    bool keep = c == '-' || c == '.' || c == '_' || c == '~' || (c >= '0' && c <= '9') ||
                (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (opts.rfc1738 && (c == '(' || c == ')'));
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string formatter(const std::string& s, const Options& opts) {
  if (!opts.rfc1738) return s;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "%20") == 0) {
      out.push_back('+');
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool is_primitive(const json::Value& v) {
  return v.is_string() || v.is_number() || v.is_bool();
}

std::string replace_dots(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '.') {
      out += "%2E";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The inner stringify: the pieces "key=value" for `value` under `prefix`.
void stringify_value(const json::Value& value_in, const std::string& prefix, bool use_encoder,
                     const Options& opts, std::vector<std::string>& out) {
  json::Value value = value_in;
  if (value.is_null()) {
    if (opts.strict_null_handling) {
      out.push_back(formatter(use_encoder && !opts.encode_values_only ? encode(prefix, opts) : prefix, opts));
      return;
    }
    value = json::Value("");
  }
  if (is_primitive(value)) {
    std::string text = js_string(value);
    if (use_encoder) {
      std::string key = opts.encode_values_only ? prefix : encode(prefix, opts);
      // utils.encode returns an empty string untouched (and numbers have no length, so they always encode).
      std::string encoded = value.is_string() && text.empty() ? text : encode(text, opts);
      out.push_back(formatter(key, opts) + "=" + formatter(encoded, opts));
    } else {
      out.push_back(formatter(prefix, opts) + "=" + formatter(text, opts));
    }
    return;
  }
  if (value.is_undefined() || value.is_function()) return;

  bool is_array = value.is_array();
  struct Entry {
    std::string key;
    json::Value value;
  };
  std::vector<Entry> entries;
  if (opts.array_format == ArrayFormat::comma && is_array) {
    json::Value joined_source = value;
    if (opts.encode_values_only && use_encoder) {
      std::vector<json::Value> mapped;
      for (const auto& v : value.as_array())
        mapped.push_back(v.is_null() || v.is_undefined() ? v : json::Value(encode(js_string(v), opts)));
      joined_source = json::Value::array(std::move(mapped));
    }
    json::Value joined;
    if (value.size() > 0) {
      std::string text = js_string(joined_source);
      joined = text.empty() ? json::Value::null() : json::Value(text);
    }
    entries.push_back({"[object Object]", joined});
  } else if (is_array) {
    for (size_t i = 0; i < value.size(); ++i)
      entries.push_back({std::to_string(i), value.at(i)});
    for (const auto& flag : jsonata_array_flags(value))
      entries.push_back({flag, json::Value(true)});
  } else {
    for (const auto& m : value.members())
      entries.push_back({std::string(m.name()), m.value});
  }

  std::string encoded_prefix = opts.encode_dot_in_keys ? replace_dots(prefix) : prefix;
  std::string adjusted =
      opts.comma_round_trip && opts.array_format == ArrayFormat::comma && is_array && value.size() == 1
          ? encoded_prefix + "[]"
          : encoded_prefix;
  if (opts.allow_empty_arrays && is_array && value.size() == 0) {
    out.push_back(adjusted + "[]");
    return;
  }
  for (const auto& e : entries) {
    if (opts.skip_nulls && e.value.is_null()) continue;
    std::string key = opts.allow_dots && opts.encode_dot_in_keys ? replace_dots(e.key) : e.key;
    std::string key_prefix;
    if (is_array) {
      switch (opts.array_format) {
        case ArrayFormat::indices:
          key_prefix = adjusted + "[" + key + "]";
          break;
        case ArrayFormat::brackets:
          key_prefix = adjusted + "[]";
          break;
        case ArrayFormat::repeat:
        case ArrayFormat::comma:
          key_prefix = adjusted;
          break;
      }
    } else {
      key_prefix = adjusted + (opts.allow_dots ? "." + key : "[" + key + "]");
    }
    bool child_encoder =
        opts.array_format == ArrayFormat::comma && opts.encode_values_only && is_array ? false : use_encoder;
    stringify_value(e.value, key_prefix, child_encoder, opts, out);
  }
}

}  // namespace

Result<std::string> stringify(const json::Value& object, const json::Value& options) {
  auto opts_r = normalize(options);
  if (!opts_r.ok()) return std::move(opts_r).error();
  const Options& opts = opts_r.value();
  if (!object.is_object() && !object.is_array()) return std::string();
  std::vector<std::string> pieces;
  auto visit = [&](const std::string& key, const json::Value& value) {
    if (opts.skip_nulls && value.is_null()) return;
    stringify_value(value, key, opts.encode, opts, pieces);
  };
  if (object.is_array()) {
    for (size_t i = 0; i < object.size(); ++i)
      visit(std::to_string(i), object.at(i));
    for (const auto& flag : jsonata_array_flags(object))
      visit(flag, json::Value(true));
  } else {
    for (const auto& m : object.members())
      visit(std::string(m.name()), m.value);
  }
  std::string joined;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i) joined += opts.delimiter;
    joined += pieces[i];
  }
  std::string prefix = opts.add_query_prefix ? "?" : "";
  if (opts.charset_sentinel)
    prefix += (opts.iso_charset ? "utf8=%26%2310003%3B" : "utf8=%E2%9C%93") + opts.delimiter;
  return joined.empty() ? std::string() : prefix + joined;
}

}  // namespace hookd::jsonata::truto::qs
