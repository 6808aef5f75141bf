// The few JavaScript string and number primitives jsonata-js's formatting code is written in terms of.
//
// jsonata-js works on UTF-16 strings (`charAt`, `indexOf`, `substring` count code units) and on doubles, and
// its picture-string code leans on the exact corner cases of those primitives (negative `slice` positions,
// `parseInt` stopping at the first non-digit, `toFixed` rounding ties up). Reproducing the primitives once
// here lets the format code read like the algorithm it mirrors, and keeps results identical on odd inputs.
// Internal to the format library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookd::jsonata::format::js {

using u16 = std::u16string;
using u16v = std::u16string_view;

// UTF-8 <-> UTF-16. Invalid UTF-8 bytes and lone surrogates become U+FFFD.
u16 to_utf16(std::string_view s);
std::string to_utf8(u16v s);

// `for (const ch of str)`: code points, a lone surrogate stands for itself.
std::vector<char32_t> code_points(u16v s);
void append_code_point(u16& out, char32_t cp);

// String(n) / `'' + n` for any double (NaN, Infinity, -0 -> "0", 1e+21).
std::string number_to_string(double n);
u16 number_to_u16(double n);

// Number.prototype.toFixed(digits) on a double; nullopt when digits is outside 0..100 (JS throws a
// RangeError).
std::optional<std::string> to_fixed(double value, int digits);

// parseInt(s) with no radix (so a 0x prefix means hexadecimal) and parseFloat(s); NaN when nothing parses.
double parse_int(u16v s);
double parse_float(u16v s);

// StringToNumber for the plain decimal literals jsonata's round() builds ("123.45e2"); NaN when malformed.
double string_to_number(std::string_view s);

// Math.round (ties toward +infinity) and jsonata's $round(value, precision) (ties to even, decimal shifted in
// text).
double math_round(double x);
double round_half_even(double value, int precision);

// WhiteSpace and LineTerminator as JS regular expressions' \s and String.prototype.trim see them.
bool is_space(char16_t c);

// String.prototype methods. Positions are doubles so callers can pass the NaN and out-of-range values JS
// would.
inline constexpr double kUndefined = -1e300;  // marks an omitted optional position argument
double index_of(u16v s, u16v needle, double from = 0);
double last_index_of(u16v s, u16v needle);
u16 char_at(u16v s, double pos);
u16 substring(u16v s, double start, double end = kUndefined);
u16 substr(u16v s, double start, double length = kUndefined);
u16 slice(u16v s, double start, double end = kUndefined);
std::vector<u16> split(u16v s, u16v separator);
u16 join(const std::vector<u16>& parts, u16v separator);
// s.replace(pattern, replacement) with a string pattern: first occurrence, `$$ $& $\` $'` honoured.
u16 replace_first(u16v s, u16v pattern, u16v replacement);
u16 ascii_upper(u16v s);
u16 ascii_lower(u16v s);
// String.prototype.toUpperCase / toLowerCase beyond ASCII for the characters that matter to roman numerals
// and words: everything else passes through unchanged.
u16 to_upper(u16v s);
u16 to_lower(u16v s);

inline u16 u(std::string_view ascii) {
  return to_utf16(ascii);
}

}  // namespace hookd::jsonata::format::js
