#include "jsonata/format/js.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "hookd/json.h"

namespace hookd::jsonata::format::js {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ToIntegerOrInfinity, as String.prototype methods apply it to their position arguments.
double to_integer(double d) {
  if (std::isnan(d)) return 0;
  return std::trunc(d);
}

size_t clamp_pos(double d, size_t len) {
  d = to_integer(d);
  if (d <= 0) return 0;
  if (d >= static_cast<double>(len)) return len;
  return static_cast<size_t>(d);
}

// slice()/substr() count negative positions from the end.
size_t relative_pos(double d, size_t len) {
  d = to_integer(d);
  if (d < 0) d = std::max(0.0, static_cast<double>(len) + d);
  return clamp_pos(d, len);
}

}  // namespace

u16 to_utf16(std::string_view s) {
  u16 out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    size_t n = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xC2 && c < 0xE0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      n = 2;
    } else if (c >= 0xE0 && c < 0xF0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      n = 3;
    } else if (c >= 0xF0 && c < 0xF5 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      n = 4;
    }
    // Continuation bytes must really be continuation bytes; otherwise take one byte as U+FFFD.
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        cp = 0xFFFD;
        n = 1;
        break;
      }
    }
    append_code_point(out, cp);
    i += n;
  }
  return out;
}

void append_code_point(u16& out, char32_t cp) {
  if (cp >= 0x10000) {
    cp -= 0x10000;
    out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
    out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
  } else {
    out.push_back(static_cast<char16_t>(cp));
  }
}

std::string to_utf8(u16v s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : code_points(s)) {
    if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
    json::append_utf8(out, cp);
  }
  return out;
}

std::vector<char32_t> code_points(u16v s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char16_t c = s[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
      out.push_back(0x10000 + ((static_cast<char32_t>(c) - 0xD800) << 10) + (s[i + 1] - 0xDC00));
      ++i;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string number_to_string(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n > 0 ? "Infinity" : "-Infinity";
  std::string out;
  json::write_number(out, n);
  return out;
}

u16 number_to_u16(double n) {
  return to_utf16(number_to_string(n));
}

std::optional<std::string> to_fixed(double value, int digits) {
  if (digits < 0 || digits > 100) return std::nullopt;
  if (std::isnan(value)) return "NaN";
  if (std::fabs(value) >= 1e21 || std::isinf(value)) return number_to_string(value);
  // toFixed picks the nearest n / 10^digits to the exact binary value and the larger n on a tie, i.e. it
  // rounds half away from zero on the exact decimal expansion. printf rounds ties to even, so take the exact
  // expansion (every double below 1e21 has at most 1074 fractional digits) and round it here.
  bool negative = value < 0;  // (-0).toFixed(2) is "0.00", (-0.001).toFixed(2) is "-0.00"
  // 25 digits more than asked decide the rounding unless they read exactly "5000...": only then can the exact
  // expansion be a tie (or sit just below one), and only then is the full expansion printed.
  char buf[1200];
  int len = std::snprintf(buf, sizeof buf, "%.*f", digits + 25, std::fabs(value));
  {
    std::string_view extra(buf + len - 25, 25);
    if (extra[0] == '5' && extra.find_first_not_of('0', 1) == std::string_view::npos)
      len = std::snprintf(buf, sizeof buf, "%.1080f", std::fabs(value));
  }
  std::string exact(buf, static_cast<size_t>(len));
  size_t point = exact.find('.');
  std::string digits_str = exact.substr(0, point) + exact.substr(point + 1, static_cast<size_t>(digits));
  bool round_up = exact[point + 1 + static_cast<size_t>(digits)] >= '5';
  if (round_up) {
    size_t i = digits_str.size();
    while (i > 0) {
      --i;
      if (digits_str[i] == '9') {
        digits_str[i] = '0';
      } else {
        ++digits_str[i];
        break;
      }
      if (i == 0) digits_str.insert(digits_str.begin(), '1');
    }
  }
  size_t int_len = digits_str.size() - static_cast<size_t>(digits);
  std::string out;
  if (negative) out.push_back('-');
  out.append(digits_str, 0, int_len);
  if (digits > 0) {
    out.push_back('.');
    out.append(digits_str, int_len, std::string::npos);
  }
  return out;
}

bool is_space(char16_t c) {
  switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

double parse_int(u16v s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i]))
    ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int radix = 10;
  if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    radix = 16;
    i += 2;
  }
  std::string digits;
  for (; i < s.size(); ++i) {
    char16_t c = s[i];
    bool ok = (c >= '0' && c <= '9') || (radix == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!ok) break;
    digits.push_back(static_cast<char>(c));
  }
  if (digits.empty()) return kNaN;
  double v = 0;
  if (radix == 10) {
    v = std::strtod(digits.c_str(), nullptr);
  } else {
    for (char c : digits)
      v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return negative ? -v : v;
}

double parse_float(u16v s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i]))
    ++i;
  std::string text;
  for (; i < s.size() && s[i] < 0x80; ++i)
    text.push_back(static_cast<char>(s[i]));
  // strtod also knows hex floats and "nan"/"inf", which parseFloat does not: only feed it a decimal prefix.
  size_t k = 0;
  if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
  if (text.compare(k, 8, "Infinity") == 0) return text[0] == '-' ? -INFINITY : INFINITY;
  size_t start_digits = k;
  while (k < text.size() && text[k] >= '0' && text[k] <= '9')
    ++k;
  if (k < text.size() && text[k] == '.') ++k;
  while (k < text.size() && text[k] >= '0' && text[k] <= '9')
    ++k;
  if (k == start_digits || (k == start_digits + 1 && text[start_digits] == '.')) return kNaN;
  if (k < text.size() && (text[k] == 'e' || text[k] == 'E')) {
    size_t e = k + 1;
    if (e < text.size() && (text[e] == '+' || text[e] == '-')) ++e;
    if (e < text.size() && text[e] >= '0' && text[e] <= '9') {
      while (e < text.size() && text[e] >= '0' && text[e] <= '9')
        ++e;
      k = e;
    }
  }
  return std::strtod(text.substr(0, k).c_str(), nullptr);
}

double string_to_number(std::string_view s) {
  double v = 0;
  std::string_view body = s;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  auto res = std::from_chars(body.data(), body.data() + body.size(), v);
  if (res.ec == std::errc::result_out_of_range) {
    // from_chars leaves v untouched on overflow/underflow; JS gives +-Infinity or +-0.
    return std::strtod(std::string(s).c_str(), nullptr);
  }
  if (res.ec != std::errc() || res.ptr != body.data() + body.size()) return kNaN;
  return v;
}

double math_round(double x) {
  if (!std::isfinite(x) || x == std::trunc(x)) return x;
  double f = std::floor(x);
  double r = (x - f >= 0.5) ? f + 1 : f;
  if (r == 0 && x < 0) return -0.0;
  return r;
}

double round_half_even(double arg, int precision) {
  auto shift = [](double v, int by) {
    std::string text = number_to_string(v);
    size_t e = text.find('e');
    int exponent = by;
    if (e != std::string::npos) {
      exponent += static_cast<int>(string_to_number(text.substr(e + 1)));
      text.resize(e);
    }
    return string_to_number(text + "e" + std::to_string(exponent));
  };
  if (precision != 0) arg = shift(arg, precision);
  double result = math_round(arg);
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = shift(result, -precision);
  if (result == 0) result = 0;  // JSON has no -0
  return result;
}

double index_of(u16v s, u16v needle, double from) {
  size_t start = clamp_pos(from, s.size());
  size_t pos = s.find(needle, start);
  return pos == u16v::npos ? -1 : static_cast<double>(pos);
}

double last_index_of(u16v s, u16v needle) {
  size_t pos = s.rfind(needle);
  return pos == u16v::npos ? -1 : static_cast<double>(pos);
}

u16 char_at(u16v s, double pos) {
  double p = to_integer(pos);
  if (p < 0 || p >= static_cast<double>(s.size())) return u16();
  return u16(1, s[static_cast<size_t>(p)]);
}

u16 substring(u16v s, double start, double end) {
  size_t a = clamp_pos(start, s.size());
  size_t b = end == kUndefined ? s.size() : clamp_pos(end, s.size());
  if (a > b) std::swap(a, b);
  return u16(s.substr(a, b - a));
}

u16 substr(u16v s, double start, double length) {
  size_t a = relative_pos(start, s.size());
  double len = length == kUndefined ? static_cast<double>(s.size()) : to_integer(length);
  if (len <= 0) return u16();
  double n = std::min(static_cast<double>(s.size() - a), len);
  return u16(s.substr(a, static_cast<size_t>(n)));
}

u16 slice(u16v s, double start, double end) {
  size_t a = relative_pos(start, s.size());
  size_t b = end == kUndefined ? s.size() : relative_pos(end, s.size());
  if (a >= b) return u16();
  return u16(s.substr(a, b - a));
}

std::vector<u16> split(u16v s, u16v separator) {
  std::vector<u16> parts;
  if (separator.empty()) {
    for (char16_t c : s)
      parts.emplace_back(1, c);
    return parts;
  }
  size_t start = 0;
  while (true) {
    size_t pos = s.find(separator, start);
    if (pos == u16v::npos) break;
    parts.emplace_back(s.substr(start, pos - start));
    start = pos + separator.size();
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

u16 join(const std::vector<u16>& parts, u16v separator) {
  u16 out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(separator);
    out.append(parts[i]);
  }
  return out;
}

u16 replace_first(u16v s, u16v pattern, u16v replacement) {
  size_t pos = s.find(pattern);
  if (pos == u16v::npos) return u16(s);
  u16 out(s.substr(0, pos));
  for (size_t i = 0; i < replacement.size(); ++i) {
    char16_t c = replacement[i];
    if (c == '$' && i + 1 < replacement.size()) {
      char16_t n = replacement[i + 1];
      if (n == '$') {
        out.push_back('$');
        ++i;
        continue;
      }
      if (n == '&') {
        out.append(pattern);
        ++i;
        continue;
      }
      if (n == '`') {
        out.append(s.substr(0, pos));
        ++i;
        continue;
      }
      if (n == '\'') {
        out.append(s.substr(pos + pattern.size()));
        ++i;
        continue;
      }
    }
    out.push_back(c);
  }
  out.append(s.substr(pos + pattern.size()));
  return out;
}

u16 ascii_upper(u16v s) {
  u16 out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char16_t>(c - 32);
  return out;
}

u16 ascii_lower(u16v s) {
  u16 out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char16_t>(c + 32);
  return out;
}

u16 to_upper(u16v s) {
  u16 out;
  out.reserve(s.size());
  for (char16_t c : s) {
    if (c >= 'a' && c <= 'z') {
      out.push_back(static_cast<char16_t>(c - 32));
    } else if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) {
      out.push_back(static_cast<char16_t>(c - 32));
    } else if (c == 0xDF) {
      out += u"SS";
    } else if (c == 0xFF) {
      out.push_back(0x178);
    } else if (c == 0x131) {  // dotless i
      out.push_back('I');
    } else if (c == 0x17F) {  // long s
      out.push_back('S');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

u16 to_lower(u16v s) {
  u16 out;
  out.reserve(s.size());
  for (char16_t c : s) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char16_t>(c + 32));
    } else if (c >= 0xC0 && c <= 0xDE && c != 0xD7) {
      out.push_back(static_cast<char16_t>(c + 32));
    } else if (c == 0x130) {  // I with dot above
      out += u"i\u0307";
    } else if (c == 0x212A) {  // Kelvin sign
      out.push_back('k');
    } else if (c == 0x212B) {  // Angstrom sign
      out.push_back(0xE5);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace hookd::jsonata::format::js
