// Numeric and aggregation built-ins: $sum, $count, $max, $min, $average, $number, $floor, $ceil, $round,
// $abs, $sqrt, $power, $random, $formatBase.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <random>
#include <algorithm>

#include "jsonata/functions.h"

namespace hookd::jsonata::detail {

namespace {

Value fn_sum(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  double total = 0;
  for (const Value& v : a.as_array())
    total += v.as_number();
  return Value(total);
}

Value fn_count(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value(0);
  return Value(static_cast<double>(a.size()));
}

Value fn_max(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined() || a.size() == 0) return Value();
  double m = -INFINITY;
  for (const Value& v : a.as_array()) {
    double d = v.as_number();
    if (std::isnan(d)) return Value(d);
    if (d > m || (d == 0 && m == 0 && !std::signbit(d))) m = d;
  }
  return Value(m);
}

Value fn_min(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined() || a.size() == 0) return Value();
  double m = INFINITY;
  for (const Value& v : a.as_array()) {
    double d = v.as_number();
    if (std::isnan(d)) return Value(d);
    if (d < m || (d == 0 && m == 0 && std::signbit(d))) m = d;
  }
  return Value(m);
}

Value fn_average(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined() || a.size() == 0) return Value();
  double total = 0;
  for (const Value& v : a.as_array())
    total += v.as_number();
  return Value(total / static_cast<double>(a.size()));
}

bool is_decimal_literal(std::string_view s) {
  // ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t d = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i;
  if (i == d) return false;
  if (i < s.size() && s[i] == '.') {
    size_t f = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    if (i == e) return false;
  }
  return i == s.size();
}

// JavaScript's Number(string) for 0x/0o/0b literals (surrounding whitespace allowed); NaN otherwise.
double radix_literal(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  if (s.size() < 3 || s[0] != '0') return NAN;
  int base = (s[1] | 0x20) == 'x' ? 16 : (s[1] | 0x20) == 'o' ? 8 : (s[1] | 0x20) == 'b' ? 2 : 0;
  if (!base) return NAN;
  double v = 0;
  for (char c : s.substr(2)) {
    int d = c >= '0' && c <= '9'                     ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return NAN;
    v = v * base + d;
  }
  return v;
}

bool matches_radix_pattern(std::string_view s) {
  // /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/: the anchors bind to the first and last alternatives
  // only.
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (s.size() >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x' && hex(s[2])) return true;
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == '0' && (s[i + 1] | 0x20) == 'o' && s[i + 2] >= '0' && s[i + 2] <= '7') return true;
  size_t j = s.size();
  while (j > 0 && (s[j - 1] == '0' || s[j - 1] == '1'))
    --j;
  return j < s.size() && j >= 2 && (s[j - 1] | 0x20) == 'b' && s[j - 2] == '0';
}

Value fn_number(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  if (a.is_number()) return a;
  if (a.is_string()) {
    std::string_view s = a.as_string();
    if (is_decimal_literal(s)) {
      double d = 0;
      if (std::from_chars(s.data(), s.data() + s.size(), d).ec != std::errc())
        d = std::strtod(std::string(s).c_str(), nullptr);
      if (std::isfinite(d)) return Value(d);
    } else if (matches_radix_pattern(s)) {
      return Value(radix_literal(s));
    }
  }
  if (a.is_bool()) return Value(a.as_bool() ? 1 : 0);
  JError e("D3030", a);
  e.index = 1;
  throw e;
}

Value fn_abs(Call&, Args& args) {
  const Value& a = arg(args, 0);
  return a.is_undefined() ? Value() : Value(std::fabs(a.as_number()));
}
Value fn_floor(Call&, Args& args) {
  const Value& a = arg(args, 0);
  return a.is_undefined() ? Value() : Value(std::floor(a.as_number()));
}
Value fn_ceil(Call&, Args& args) {
  const Value& a = arg(args, 0);
  return a.is_undefined() ? Value() : Value(std::ceil(a.as_number()));
}

// Math.round: nearest integer, ties toward +Infinity.
double math_round(double x) {
  if (!std::isfinite(x)) return x;
  double r = std::floor(x);
  if (x - r >= 0.5) r += 1;
  if (r == 0 && std::signbit(x)) return -0.0;
  return r;
}

// +(mantissa + 'e' + exponent) on JavaScript's text of `x`, shifted by `shift` (NaN if that text is not a
// number), as jsonata-js's $round shifts the decimal point. The general form goes through text like
// jsonata-js.
double shift_decimal_text(double x, double shift) {
  if (!std::isfinite(x)) return NAN;  // "Infinity" + "e" + n is not a number
  std::string text;
  json::write_number(text, x);
  size_t e = text.find('e');
  double exp = e == std::string::npos ? 0 : std::strtod(text.c_str() + e + 1, nullptr);
  std::string shifted;
  json::write_number(shifted, exp + shift);
  std::string literal = text.substr(0, e) + "e" + shifted;
  char* end = nullptr;
  double r = std::strtod(literal.c_str(), &end);
  return end && *end == '\0' ? r : NAN;
}

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr double kTwo53 = 9007199254740992.0;

// The same without text when it can be exact: JavaScript's text of x is its shortest round-trip digits M *
// 10^q; the parsed, shifted literal is the double nearest to M * 10^(q + shift), and for M < 2^53 and a power
// of ten up to 10^22 (both exact doubles) one IEEE multiplication or division rounds to exactly that.
double shift_decimal(double x, int shift) {
  if (!std::isfinite(x)) return NAN;
  if (x == 0) return x;
  double ax = std::fabs(x);
  double v;
  if (ax < kTwo53 && std::trunc(ax) == ax) {
    // An integer below 2^53 prints as its exact digits (the shift back in $round).
    v = shift >= 0 ? ax * kPow10[shift] : ax / kPow10[-shift];
    return x < 0 ? -v : v;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + 40, ax, std::chars_format::scientific);
  char* e = std::find(buf, res.ptr, 'e');
  uint64_t m = 0;
  int digits = 0;
  for (const char* c = buf; c < e; ++c) {
    if (*c == '.') continue;
    m = m * 10 + static_cast<uint64_t>(*c - '0');
    ++digits;
  }
  int exp = 0;
  std::from_chars(e + 1 + (e[1] == '+'), res.ptr, exp);
  int s = exp - (digits - 1) + shift;
  if (static_cast<double>(m) < kTwo53 && s >= -22 && s <= 22) {
    v = s >= 0 ? static_cast<double>(m) * kPow10[s] : static_cast<double>(m) / kPow10[-s];
  } else {
    // Too many digits for one exact operation: parse the shifted literal, as jsonata-js does.
    auto out = std::to_chars(e + 1, buf + sizeof buf, exp + shift);
    if (std::from_chars(buf, out.ptr, v).ec != std::errc()) {
      *out.ptr = '\0';
      v = std::strtod(buf, nullptr);  // out of range: Infinity or 0, as JavaScript gives
    }
  }
  return x < 0 ? -v : v;
}

double round_half_even(double value, double precision) {
  bool shift = precision != 0 && !std::isnan(precision);
  bool integral = shift && std::trunc(precision) == precision && std::fabs(precision) <= 22;
  auto shifted = [&](double x, double by) {
    return integral ? shift_decimal(x, static_cast<int>(by)) : shift_decimal_text(x, by);
  };
  double arg = shift ? shifted(value, precision) : value;
  double result = math_round(arg);
  double diff = result - arg;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (shift) result = shifted(result, -precision);
  if (result == 0) result = 0;  // no -0 in JSON
  return result;
}

Value fn_round(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  double precision = arg(args, 1).is_number() ? arg(args, 1).as_number() : 0;
  return Value(round_half_even(a.as_number(), precision));
}

Value fn_sqrt(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  if (a.as_number() < 0) {
    JError e("D3060", a);
    e.index = 1;
    throw e;
  }
  return Value(std::sqrt(a.as_number()));
}

Value fn_power(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  double exp = number_arg(args, 1);
  double base = a.as_number();
  // Math.pow differs from pow() on (+-1) ** +-Infinity and 1 ** NaN, which JavaScript makes NaN.
  double r = (std::fabs(base) == 1 && !std::isfinite(exp)) ? NAN : std::pow(base, exp);
  if (!std::isfinite(r)) {
    JError e("D3061", a);
    e.index = 1;
    e.exp = arg(args, 1);
    throw e;
  }
  return Value(r);
}

Value fn_random(Call&, Args&) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return Value(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

// Number.prototype.toString(radix) for the integers $formatBase passes it, digit for digit as V8 writes them:
// exact digits below 2^53, and above it only as many as the double carries, the rest zeros.
std::string to_radix(double v, int radix) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  if (!std::isfinite(v)) return v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
  bool neg = v < 0;
  double integer = std::floor(std::fabs(v));
  auto binary_exponent = [](double d) {  // d = (53-bit integer) * 2^exponent
    int e = 0;
    std::frexp(d, &e);
    return e - 53;
  };
  std::string digits;
  while (binary_exponent(integer / radix) > 0) {
    integer /= radix;
    digits.push_back('0');
  }
  do {
    double remainder = std::fmod(integer, radix);
    digits.push_back(kDigits[static_cast<int>(remainder)]);
    integer = (integer - remainder) / radix;
  } while (integer > 0);
  if (neg) digits.push_back('-');
  return std::string(digits.rbegin(), digits.rend());
}

Value fn_format_base(Call&, Args& args) {
  const Value& a = arg(args, 0);
  if (a.is_undefined()) return Value();
  double value = round_half_even(a.as_number(), 0);
  double radix = arg(args, 1).is_undefined() ? 10 : round_half_even(arg(args, 1).as_number(), 0);
  if (!(radix >= 2 && radix <= 36)) throw JError("D3100", Value(radix));
  if (radix == 10 && std::isfinite(value)) {  // toString(10) is plain ToString: 1e+21 from 1e21 up
    std::string text;
    json::write_number(text, value);
    return Value(text);
  }
  return Value(to_radix(value, static_cast<int>(radix)));
}

}  // namespace

void register_numeric_functions(FunctionTable& t) {
  t.add("sum", fn_sum, 1, "<a<n>:n>");
  t.add("count", fn_count, 1, "<a:n>");
  t.add("max", fn_max, 1, "<a<n>:n>");
  t.add("min", fn_min, 1, "<a<n>:n>");
  t.add("average", fn_average, 1, "<a<n>:n>");
  t.add("number", fn_number, 1, "<(nsb)-:n>");
  t.add("floor", fn_floor, 1, "<n-:n>");
  t.add("ceil", fn_ceil, 1, "<n-:n>");
  t.add("round", fn_round, 2, "<n-n?:n>");
  t.add("abs", fn_abs, 1, "<n-:n>");
  t.add("sqrt", fn_sqrt, 1, "<n-:n>");
  t.add("power", fn_power, 2, "<n-n:n>");
  t.add("random", fn_random, 0, "<:n>");
  t.add("formatBase", fn_format_base, 2, "<n-n?:s>");
}

}  // namespace hookd::jsonata::detail
