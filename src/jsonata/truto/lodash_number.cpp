// lodash's _.toNumber, as Truto's JSONata functions use it: JavaScript's Number() rules for strings (binary,
// octal and hexadecimal literals, surrounding white space, "Infinity"), NaN for what is not a number.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/lodash.h"

namespace hookd::jsonata::truto::lodash {

namespace {

namespace js = format::js;

bool is_space16(char16_t c) {
  return js::is_space(c);
}

}  // namespace

double to_number(const json::Value& v) {
  if (v.is_number()) return v.as_number();
  if (v.is_null()) return 0;
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (v.is_undefined() || v.is_function()) return NAN;
  std::string text = v.is_string() ? std::string(v.as_string()) : js_string(v);
  js::u16 s = js::to_utf16(text);
  size_t b = 0, e = s.size();
  while (b < e && is_space16(s[b]))
    ++b;
  while (e > b && is_space16(s[e - 1]))
    --e;
  std::string t = js::to_utf8(s.substr(b, e - b));
  auto all_of = [&](size_t from, const char* set) {
    if (from >= t.size()) return false;
    for (size_t i = from; i < t.size(); ++i)
      if (!std::strchr(set, t[i])) return false;
    return true;
  };
  bool lower_prefix = t.size() > 2 && t[0] == '0';
  auto read_base = [&](int base) {
    double n = 0;
    for (size_t i = 2; i < t.size(); ++i)
      n = n * base + (t[i] - '0');
    return n;
  };
  if (lower_prefix && (t[1] == 'b' || t[1] == 'B') && all_of(2, "01")) return read_base(2);
  if (lower_prefix && (t[1] == 'o' || t[1] == 'O') && all_of(2, "01234567")) return read_base(8);
  if (t.size() > 3 && (t[0] == '-' || t[0] == '+') && t[1] == '0' && (t[2] == 'x' || t[2] == 'X') &&
      all_of(3, "0123456789abcdefABCDEF"))
    return NAN;
  // +value: StringToNumber.
  if (t.empty()) return 0;
  if (t == "Infinity" || t == "+Infinity") return INFINITY;
  if (t == "-Infinity") return -INFINITY;
  if (t.size() > 2 && t[0] == '0') {
    int base = (t[1] == 'x' || t[1] == 'X')   ? 16
               : (t[1] == 'o' || t[1] == 'O') ? 8
               : (t[1] == 'b' || t[1] == 'B') ? 2
                                              : 0;
    if (base) {
      double n = 0;
      for (size_t i = 2; i < t.size(); ++i) {
        int d = std::isdigit(static_cast<unsigned char>(t[i]))   ? t[i] - '0'
                : std::isalpha(static_cast<unsigned char>(t[i])) ? (t[i] | 0x20) - 'a' + 10
                                                                 : 99;
        if (d >= base) return NAN;
        n = n * base + d;
      }
      return n;
    }
  }
  // A decimal literal: [+-] digits [. digits] [e [+-] digits], at least one digit in the mantissa.
  size_t i = 0;
  if (t[i] == '+' || t[i] == '-') ++i;
  size_t mantissa_digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
    ++i, ++mantissa_digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
      ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return NAN;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
      ++i, ++exp_digits;
    if (exp_digits == 0) return NAN;
  }
  if (i != t.size()) return NAN;
  return std::strtod(t.c_str(), nullptr);
}

}  // namespace hookd::jsonata::truto::lodash
