// String built-ins: $string, $substring*, $lowercase, $uppercase, $length, $trim, $pad, $contains, $split,
// $join, $match, $replace, $base64encode/decode, $encodeUrl*, $decodeUrl*.
#include <algorithm>
#include <cmath>
#include <optional>

#include "jsonata/functions.h"
#include "jsonata/matcher.h"
#include "jsonata/regex.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

namespace {

// JavaScript's ToIntegerOrInfinity, as slice() applies it to positions.
double to_integer(double d) {
  if (std::isnan(d)) return 0;
  return std::trunc(d);
}

// Array.prototype.slice over code points.
std::string slice_code_points(std::string_view s, double start, double end, bool has_end) {
  std::vector<size_t> offsets;  // byte offset of each code point, plus the end
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    offsets.push_back(i);
    i += utf8_decode(s, i, cp);
  }
  double len = static_cast<double>(offsets.size());
  offsets.push_back(s.size());
  double rs = to_integer(start);
  double k = rs < 0 ? std::max(len + rs, 0.0) : std::min(rs, len);
  double re = has_end ? to_integer(end) : len;
  double fin = re < 0 ? std::max(len + re, 0.0) : std::min(re, len);
  if (fin <= k) return std::string();
  return std::string(s.substr(offsets[static_cast<size_t>(k)],
                              offsets[static_cast<size_t>(fin)] - offsets[static_cast<size_t>(k)]));
}

Value fn_string(Call& call, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  bool pretty = arg(args, 1).is_bool() && arg(args, 1).as_bool();
  return Value(to_js_string(call.ev, v, pretty));
}

Value fn_substring(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  double start = number_arg(args, 1);
  double len = static_cast<double>(code_point_count(s));
  if (len + start < 0) start = 0;
  if (!arg(args, 2).is_undefined()) {
    double length = number_arg(args, 2);
    if (length <= 0) return Value("");
    double end = start >= 0 ? start + length : len + start + length;
    return Value(slice_code_points(s, start, end, true));
  }
  return Value(slice_code_points(s, start, 0, false));
}

Value fn_substring_before(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  size_t pos = s.find(string_arg(args, 1));
  return pos == std::string_view::npos ? str : Value(s.substr(0, pos));
}

Value fn_substring_after(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  std::string_view chars = string_arg(args, 1);
  size_t pos = s.find(chars);
  return pos == std::string_view::npos ? str : Value(s.substr(pos + chars.size()));
}

Value fn_lowercase(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  return Value(to_lower(str.as_string()));
}

Value fn_uppercase(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  return Value(to_upper(str.as_string()));
}

Value fn_length(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  return Value(static_cast<double>(code_point_count(str.as_string())));
}

Value fn_trim(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  std::string out;
  out.reserve(s.size());
  bool in_space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(c);
      in_space = false;
    }
  }
  size_t b = !out.empty() && out.front() == ' ' ? 1 : 0;
  size_t e = out.size();
  if (e > b && out[e - 1] == ' ') --e;
  return Value(std::string_view(out).substr(b, e - b));
}

Value fn_pad(Call& call, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  std::string_view ch = arg(args, 2).is_string() ? arg(args, 2).as_string() : std::string_view();
  if (ch.empty()) ch = " ";
  double width = std::trunc(number_arg(args, 1));
  double pad_length = std::abs(width) - static_cast<double>(code_point_count(s));
  if (!(pad_length > 0)) return str;
  if (pad_length > 1e9) call.ev.check_string(SIZE_MAX);  // JavaScript cannot build that string either
  call.ev.check_string(static_cast<size_t>(pad_length) * ch.size() + s.size());
  size_t n = static_cast<size_t>(pad_length);
  std::string padding;
  if (utf16_length(ch) > 1) {
    size_t per = code_point_count(ch);
    for (size_t have = 0; have < n; have += per)
      padding += ch;
    padding.resize(byte_offset_of_code_point(padding, n));
  } else {
    for (size_t i = 0; i < n; ++i)
      padding += ch;
  }
  return Value(width > 0 ? std::string(s) + padding : padding + std::string(s));
}

// --- matchers ----------------------------------------------------------------------------------------------

Value fn_contains(Call& call, Args& args) {
  const Value& str = arg(args, 0);
  const Value& token = arg(args, 1);
  if (str.is_undefined() || token.is_undefined()) return Value();
  if (token.is_string()) return Value(str.as_string().find(token.as_string()) != std::string_view::npos);
  Matches m(call, token, str);
  return Value(m.next());
}

Value fn_split(Call& call, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  const Value& sep = arg(args, 1);
  const Value& limit_v = arg(args, 2);
  if (!limit_v.is_undefined() && limit_v.as_number() < 0) {
    JError e("D3020", limit_v);
    e.index = 3;
    throw e;
  }
  bool has_limit = !limit_v.is_undefined();
  double limit = has_limit ? limit_v.as_number() : 0;
  std::vector<Value> result;
  std::string_view s = str.as_string();
  if (!has_limit || limit > 0) {
    if (sep.is_string()) {
      // String.prototype.split with a limit (ToUint32).
      size_t max =
          has_limit ? static_cast<size_t>(static_cast<uint32_t>(static_cast<int64_t>(limit))) : SIZE_MAX;
      std::string_view d = sep.as_string();
      if (d.empty()) {
        char32_t cp;
        for (size_t i = 0; i < s.size() && result.size() < max;) {
          size_t n = utf8_decode(s, i, cp);
          result.emplace_back(s.substr(i, n));
          i += n;
        }
      } else {
        size_t start = 0;
        while (result.size() < max) {
          size_t pos = s.find(d, start);
          if (pos == std::string_view::npos) {
            result.emplace_back(s.substr(start));
            break;
          }
          result.emplace_back(s.substr(start, pos - start));
          start = pos + d.size();
        }
      }
    } else {
      Matches m(call, sep, str);
      size_t count = 0;
      size_t start = 0;
      // Like jsonata-js, ask for the next match before checking the limit (so a zero-length match still
      // fails).
      bool has = m.next();
      bool any = has;
      while (has && (!has_limit || static_cast<double>(count) < limit)) {
        result.emplace_back(m.start() > start ? s.substr(start, m.start() - start) : std::string_view());
        start = m.end();
        ++count;
        call.ev.check_items(result.size());
        has = m.next();
      }
      if (!any) {
        result.push_back(str);
      } else if (!has_limit || static_cast<double>(count) < limit) {
        result.emplace_back(start < s.size() ? s.substr(start) : std::string_view());
      }
    }
  }
  call.ev.check_items(result.size());
  return Value::array(std::move(result));
}

Value fn_join(Call& call, Args& args) {
  const Value& strs = arg(args, 0);
  if (strs.is_undefined()) return Value();
  std::string_view sep = arg(args, 1).is_string() ? arg(args, 1).as_string() : std::string_view();
  std::string out;
  bool first = true;
  for (const Value& v : strs.as_array()) {
    if (!first) out += sep;
    first = false;
    out += v.string_or("");
    call.ev.check_string(out.size());
  }
  return Value(out);
}

Value fn_match(Call& call, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  const Value& limit_v = arg(args, 2);
  if (!limit_v.is_undefined() && limit_v.as_number() < 0) {
    JError e("D3040", limit_v);
    e.index = 3;
    throw e;
  }
  bool has_limit = !limit_v.is_undefined();
  double limit = has_limit ? limit_v.as_number() : 0;
  std::vector<Value> result;
  if (!has_limit || limit > 0) {
    Matches m(call, arg(args, 1), str);
    size_t count = 0;
    bool has = m.next();
    while (has && (!has_limit || static_cast<double>(count) < limit)) {
      json::ObjectBuilder b(3);
      b.append_unique(Value("match"), Value(m.match()));
      b.append_unique(Value("index"), Value(m.index()));
      b.append_unique(Value("groups"), Value::array(m.groups()));
      result.push_back(std::move(b).build());
      ++count;
      call.ev.check_items(result.size());
      has = m.next();
    }
  }
  return sequence_of(std::move(result));
}

// The $n substitution of a string replacement (jsonata-js's replacer).
std::string substitute(std::string_view replacement, std::string_view matched,
                       const std::vector<Value>& groups) {
  size_t ngroups = groups.size();
  // parseInt(text, 10) on a prefix: nullopt (NaN) when no digits.
  auto parse_int = [](std::string_view t) -> std::optional<int64_t> {
    size_t i = 0;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
      ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    if (i >= t.size() || t[i] < '0' || t[i] > '9') return std::nullopt;
    int64_t v = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9')
      v = v * 10 + (t[i++] - '0');
    return neg ? -v : v;
  };
  std::string out;
  size_t position = 0;
  size_t index = replacement.find('$', position);
  while (index != std::string_view::npos && position < replacement.size()) {
    out += replacement.substr(position, index - position);
    position = index + 1;
    char dollar = position < replacement.size() ? replacement[position] : '\0';
    if (dollar == '$') {
      out += '$';
      ++position;
    } else if (dollar == '0') {
      out += matched;
      ++position;
    } else {
      size_t max_digits = ngroups == 0 ? 1 : static_cast<size_t>(std::floor(std::log10(ngroups))) + 1;
      auto n = parse_int(replacement.substr(position, max_digits));
      if (max_digits > 1 && n && *n > static_cast<int64_t>(ngroups))
        n = parse_int(replacement.substr(position, max_digits - 1));
      if (n) {
        if (ngroups > 0 && *n >= 1 && static_cast<size_t>(*n) <= ngroups) {
          const Value& sub = groups[static_cast<size_t>(*n - 1)];
          if (sub.is_string()) out += sub.as_string();
        }
        position += std::to_string(*n).size();
      } else {
        out += '$';
      }
    }
    index = replacement.find('$', position);
  }
  if (position < replacement.size()) out += replacement.substr(position);
  return out;
}

Value fn_replace(Call& call, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  const Value& pattern = arg(args, 1);
  const Value& replacement = arg(args, 2);
  const Value& limit_v = arg(args, 3);
  if (pattern.is_string() && pattern.as_string().empty()) {
    JError e("D3010", pattern);
    e.index = 2;
    throw e;
  }
  if (!limit_v.is_undefined() && limit_v.as_number() < 0) {
    JError e("D3011", limit_v);
    e.index = 4;
    throw e;
  }
  bool has_limit = !limit_v.is_undefined();
  double limit = has_limit ? limit_v.as_number() : 0;
  std::string_view s = str.as_string();
  if (has_limit && !(limit > 0)) return str;
  std::string result;
  size_t count = 0;
  size_t position = 0;
  if (pattern.is_string()) {
    std::string_view p = pattern.as_string();
    // JavaScript concatenates the replacement as it is: a missing one reads "undefined".
    std::string_view rep = replacement.is_string() ? replacement.as_string() : std::string_view("undefined");
    size_t index = s.find(p, position);
    while (index != std::string_view::npos && (!has_limit || static_cast<double>(count) < limit)) {
      result += s.substr(position, index - position);
      result += rep;
      position = index + p.size();
      ++count;
      index = s.find(p, position);
      call.ev.check_string(result.size());
    }
    result += s.substr(position);
    return Value(result);
  }
  Matches m(call, pattern, str);
  bool has = m.next();
  if (!has) return str;
  while (has && (!has_limit || static_cast<double>(count) < limit)) {
    if (m.start() > position) result += s.substr(position, m.start() - position);
    Value replaced;
    if (replacement.is_string()) {
      replaced = Value(substitute(replacement.as_string(), m.match(), m.groups()));
    } else {
      Value obj = m.object();
      replaced = call.ev.apply(replacement, std::span(&obj, 1), Value(nullptr), call.env);
    }
    if (!replaced.is_string()) throw JError("D3012", replaced);
    result += replaced.as_string();
    call.ev.check_string(result.size());
    position = m.resume();
    ++count;
    has = m.next();
  }
  if (position < s.size()) result += s.substr(position);
  return Value(result);
}

// --- encodings ---------------------------------------------------------------------------------------------

// Standard alphabet, padded: what Buffer's toString('base64') writes. Here rather than hookd's crypto helpers
// so that the engine depends on the JSON library alone.
std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (n > 1) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (n > 2) v |= static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(n > 1 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(n > 2 ? kAlphabet[v & 63] : '=');
  }
  return out;
}

Value fn_base64encode(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  // Buffer.from(str, 'binary'): each UTF-16 code unit contributes its low byte.
  std::string_view s = str.as_string();
  std::string bytes;
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    i += utf8_decode(s, i, cp);
    if (cp >= 0x10000) {
      bytes.push_back(static_cast<char>((0xD800 + ((cp - 0x10000) >> 10)) & 0xFF));
      bytes.push_back(static_cast<char>((0xDC00 + ((cp - 0x10000) & 0x3FF)) & 0xFF));
    } else {
      bytes.push_back(static_cast<char>(cp & 0xFF));
    }
  }
  return Value(base64_encode(bytes));
}

Value fn_base64decode(Call&, Args& args) {
  const Value& str = arg(args, 0);
  if (str.is_undefined()) return Value();
  // Buffer.from(str, 'base64') is lenient (skips what is not in either alphabet, stops at '='), and
  // toString('binary') maps each byte to the code point of the same value.
  std::string_view s = str.as_string();
  uint32_t acc = 0;
  int bits = 0;
  std::string out;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=') {
      break;
    } else {
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      utf8_append(out, (acc >> bits) & 0xFF);
    }
  }
  return Value(out);
}

JError url_error(const char* function, const Value& value) {
  JError e("D3140", value);
  e.function_name = function;
  return e;
}

Value encode_uri(const Value& str, std::string_view keep, const char* function) {
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_decode(s, i, cp);
    if ((cp >= 0xD800 && cp <= 0xDFFF) ||
        (cp == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80))
      throw url_error(function, str);
    if (cp < 0x80 &&
        (std::isalnum(static_cast<int>(cp)) || keep.find(static_cast<char>(cp)) != std::string_view::npos)) {
      out.push_back(static_cast<char>(cp));
    } else {
      for (size_t k = 0; k < n; ++k) {
        unsigned char b = static_cast<unsigned char>(s[i + k]);
        out.push_back('%');
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 15]);
      }
    }
    i += n;
  }
  return Value(out);
}

Value decode_uri(const Value& str, std::string_view reserved, const char* function) {
  if (str.is_undefined()) return Value();
  std::string_view s = str.as_string();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto byte_at = [&](size_t i) -> int {
    if (i + 2 >= s.size() || s[i] != '%') return -1;
    int h = hex(s[i + 1]), l = hex(s[i + 2]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out.push_back(s[i++]);
      continue;
    }
    int b = byte_at(i);
    if (b < 0) throw url_error(function, str);
    if (b < 0x80) {
      if (reserved.find(static_cast<char>(b)) != std::string_view::npos)
        out.append(s.substr(i, 3));
      else
        out.push_back(static_cast<char>(b));
      i += 3;
      continue;
    }
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    if (n == 0 || b > 0xF4) throw url_error(function, str);
    std::string seq(1, static_cast<char>(b));
    size_t j = i + 3;
    for (size_t k = 1; k < n; ++k, j += 3) {
      int c = byte_at(j);
      if (c < 0 || (c & 0xC0) != 0x80) throw url_error(function, str);
      seq.push_back(static_cast<char>(c));
    }
    char32_t cp;
    size_t used = utf8_decode(seq, 0, cp);
    if (used != n || (cp >= 0xD800 && cp <= 0xDFFF)) throw url_error(function, str);
    out += seq;
    i = j;
  }
  return Value(out);
}

Value fn_encode_url_component(Call&, Args& args) {
  return encode_uri(arg(args, 0), "-_.!~*'()", "encodeUrlComponent");
}
Value fn_encode_url(Call&, Args& args) {
  return encode_uri(arg(args, 0), "-_.!~*'();/?:@&=+$,#", "encodeUrl");
}
Value fn_decode_url_component(Call&, Args& args) {
  return decode_uri(arg(args, 0), "", "decodeUrlComponent");
}
Value fn_decode_url(Call&, Args& args) {
  return decode_uri(arg(args, 0), ";/?:@&=+$,#", "decodeUrl");
}

}  // namespace

void register_string_functions(FunctionTable& t) {
  t.add("string", fn_string, 1, "<x-b?:s>");
  t.add("substring", fn_substring, 3, "<s-nn?:s>");
  t.add("substringBefore", fn_substring_before, 2, "<s-s:s>");
  t.add("substringAfter", fn_substring_after, 2, "<s-s:s>");
  t.add("lowercase", fn_lowercase, 1, "<s-:s>");
  t.add("uppercase", fn_uppercase, 1, "<s-:s>");
  t.add("length", fn_length, 1, "<s-:n>");
  t.add("trim", fn_trim, 1, "<s-:s>");
  t.add("pad", fn_pad, 3, "<s-ns?:s>");
  t.add("match", fn_match, 3, "<s-f<s:o>n?:a<o>>");
  t.add("contains", fn_contains, 2, "<s-(sf):b>");
  t.add("replace", fn_replace, 4, "<s-(sf)(sf)n?:s>");
  t.add("split", fn_split, 3, "<s-(sf)n?:a<s>>");
  t.add("join", fn_join, 2, "<a<s>s?:s>");
  t.add("base64encode", fn_base64encode, 1, "<s-:s>");
  t.add("base64decode", fn_base64decode, 1, "<s-:s>");
  t.add("encodeUrlComponent", fn_encode_url_component, 1, "<s-:s>");
  t.add("encodeUrl", fn_encode_url, 1, "<s-:s>");
  t.add("decodeUrlComponent", fn_decode_url_component, 1, "<s-:s>");
  t.add("decodeUrl", fn_decode_url, 1, "<s-:s>");
}

}  // namespace hookd::jsonata::detail
