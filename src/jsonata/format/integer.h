// Integer pictures (F&O 4.6.1 as jsonata-js reads them), shared by $formatInteger/$parseInteger and by the
// integer-valued components of date/time pictures. Internal to the format library.
#pragma once

#include <limits>
#include <vector>

#include "jsonata/format/format.h"
#include "jsonata/format/js.h"

namespace hookd::jsonata::format::detail {

enum class Primary { decimal, letters, roman, words, sequence };
enum class LetterCase { upper, lower, title };

struct GroupingSeparator {
  double position = 0;  // digits to its right
  js::u16 character;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct IntegerFormat {
  Primary primary = Primary::decimal;
  LetterCase letter_case = LetterCase::lower;
  bool ordinal = false;
  // Decimal patterns only. Counts are doubles because date/time width modifiers can make them NaN in
  // jsonata-js; NaN also stands for "absent" (jsonata-js's undefined), which behaves the same in every use.
  char32_t zero_code = U'0';
  double mandatory_digits = kNaN;
  double optional_digits = kNaN;
  // Regular grouping (same character at multiples of one interval) keeps one separator whose position is the
  // interval; otherwise every separator with its own position, leftmost first.
  bool regular = false;
  std::vector<GroupingSeparator> separators;
  js::u16 token;              // the picture of an unsupported numbering sequence (D3130)
  double parse_width = kNaN;  // digits to read when another integer component follows without a literal
};

// analyseIntegerPicture: never fails by itself (D3131 is raised here though, as in jsonata-js).
Result<IntegerFormat> analyse_integer_picture(js::u16v picture);

// _formatInteger: formats an already-integral value (may be NaN, which jsonata-js prints as "NaN").
Result<js::u16> format_integer_value(double value, const IntegerFormat& format);

// The parse function jsonata-js pairs with a format (no validation of the text against the picture).
Result<double> parse_integer_value(js::u16v text, const IntegerFormat& format);

// Words the words pattern may match, in jsonata-js's order ("zero", "one", ..., "trillionth"), lower case.
const std::vector<js::u16>& number_words();

}  // namespace hookd::jsonata::format::detail
