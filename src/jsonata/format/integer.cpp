// $formatInteger / $parseInteger and the integer pictures date/time components use.
#include "jsonata/format/integer.h"

#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

namespace hookd::jsonata::format {
namespace detail {

namespace {

using js::u16;
using js::u16v;

constexpr std::array<std::string_view, 20> kFew = {"Zero",    "One",     "Two",       "Three",    "Four",
                                                   "Five",    "Six",     "Seven",     "Eight",    "Nine",
                                                   "Ten",     "Eleven",  "Twelve",    "Thirteen", "Fourteen",
                                                   "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
constexpr std::array<std::string_view, 20> kOrdinals = {
    "Zeroth",     "First",     "Second",    "Third",       "Fourth",     "Fifth",     "Sixth",
    "Seventh",    "Eighth",    "Ninth",     "Tenth",       "Eleventh",   "Twelfth",   "Thirteenth",
    "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
constexpr std::array<std::string_view, 9> kDecades = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                                      "Seventy", "Eighty", "Ninety", "Hundred"};
constexpr std::array<std::string_view, 4> kMagnitudes = {"Thousand", "Million", "Billion", "Trillion"};

// The first code point of every Unicode decimal digit family jsonata-js recognises (all in the BMP).
constexpr std::array<char32_t, 37> kDecimalGroups = {
    0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

// Node's default stack holds roughly ten thousand frames of jsonata-js's recursive decimalToRoman; past that
// it throws a RangeError, and so do we (iteratively) rather than build a megabyte of 'M's.
constexpr double kMaxRomanNumerals = 10000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string words_lookup(double num, bool prev, bool ord) {
  std::string words;
  if (num <= 19) {
    words = std::string(prev ? " and " : "") +
            std::string(ord ? kOrdinals[static_cast<size_t>(num)] : kFew[static_cast<size_t>(num)]);
  } else if (num < 100) {
    double tens = std::floor(num / 10);
    double remainder = std::fmod(num, 10);
    words = std::string(prev ? " and " : "") + std::string(kDecades[static_cast<size_t>(tens) - 2]);
    if (remainder > 0) {
      words += std::string("-") + words_lookup(remainder, false, ord);
    } else if (ord) {
      words = words.substr(0, words.size() - 1) + "ieth";
    }
  } else if (num < 1000) {
    double hundreds = std::floor(num / 100);
    double remainder = std::fmod(num, 100);
    words = std::string(prev ? ", " : "") + std::string(kFew[static_cast<size_t>(hundreds)]) + " Hundred";
    if (remainder > 0) {
      words += words_lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  } else {
    double mag = std::floor(std::log10(num) / 3);
    if (mag > static_cast<double>(kMagnitudes.size())) mag = static_cast<double>(kMagnitudes.size());
    double factor = std::pow(10, mag * 3);
    double mant = std::floor(num / factor);
    double remainder = num - mant * factor;
    words = std::string(prev ? ", " : "") + words_lookup(mant, false, false) + " " +
            std::string(kMagnitudes[static_cast<size_t>(mag) - 1]);
    if (remainder > 0) {
      words += words_lookup(remainder, true, ord);
    } else if (ord) {
      words += "th";
    }
  }
  return words;
}

const std::map<u16, double>& word_values() {
  static const std::map<u16, double> values = [] {
    std::map<u16, double> m;
    for (size_t i = 0; i < kFew.size(); ++i)
      m[js::u(lower(kFew[i]))] = static_cast<double>(i);
    for (size_t i = 0; i < kOrdinals.size(); ++i)
      m[js::u(lower(kOrdinals[i]))] = static_cast<double>(i);
    for (size_t i = 0; i < kDecades.size(); ++i) {
      std::string w = lower(kDecades[i]);
      m[js::u(w)] = static_cast<double>((i + 2) * 10);
      m[js::u(w.substr(0, w.size() - 1) + "ieth")] = static_cast<double>((i + 2) * 10);
    }
    m[u"hundredth"] = 100;
    for (size_t i = 0; i < kMagnitudes.size(); ++i) {
      std::string w = lower(kMagnitudes[i]);
      double v = std::pow(10, static_cast<double>((i + 1) * 3));
      m[js::u(w)] = v;
      m[js::u(w + "th")] = v;
    }
    return m;
  }();
  return values;
}

// wordsToNumber: text.split(/,\s|\sand\s|[\s\\-]/), each part looked up (unknown -> NaN), then summed in
// magnitude segments.
double words_to_number(u16v text) {
  std::vector<u16> parts;
  size_t start = 0, i = 0;
  while (i < text.size()) {
    size_t len = 0;
    if (text[i] == ',' && i + 1 < text.size() && js::is_space(text[i + 1])) {
      len = 2;
    } else if (js::is_space(text[i]) && text.substr(i + 1, 3) == u"and" && i + 4 < text.size() &&
               js::is_space(text[i + 4])) {
      len = 5;
    } else if (js::is_space(text[i]) || text[i] == '\\' || text[i] == '-') {
      len = 1;
    }
    if (len == 0) {
      ++i;
      continue;
    }
    parts.emplace_back(text.substr(start, i - start));
    i += len;
    start = i;
  }
  parts.emplace_back(text.substr(start));

  const auto& values = word_values();
  std::vector<double> segs{0};
  for (const auto& part : parts) {
    auto it = values.find(part);
    double value = it == values.end() ? kNaN : it->second;
    if (value < 100) {
      double top = segs.back();
      segs.pop_back();
      if (top >= 1000) {
        segs.push_back(top);
        top = 0;
      }
      segs.push_back(top + value);
    } else {
      double top = segs.back();
      segs.back() = top * value;
    }
  }
  double result = 0;
  for (double s : segs)
    result += s;
  return result;
}

double roman_to_decimal(u16v roman) {
  auto numeral = [](char16_t c) -> double {
    switch (c) {
      case 'M':
        return 1000;
      case 'D':
        return 500;
      case 'C':
        return 100;
      case 'L':
        return 50;
      case 'X':
        return 10;
      case 'V':
        return 5;
      case 'I':
        return 1;
      default:
        return kNaN;
    }
  };
  double decimal = 0;
  double max = 1;
  for (size_t i = roman.size(); i-- > 0;) {
    double value = numeral(roman[i]);
    if (value < max) {
      decimal -= value;
    } else {
      max = value;
      decimal += value;
    }
  }
  return decimal;
}

Result<u16> decimal_to_roman(double value) {
  static constexpr std::array<std::pair<double, std::string_view>, 13> kNumerals{{{1000, "m"},
                                                                                  {900, "cm"},
                                                                                  {500, "d"},
                                                                                  {400, "cd"},
                                                                                  {100, "c"},
                                                                                  {90, "xc"},
                                                                                  {50, "l"},
                                                                                  {40, "xl"},
                                                                                  {10, "x"},
                                                                                  {9, "ix"},
                                                                                  {5, "v"},
                                                                                  {4, "iv"},
                                                                                  {1, "i"}}};
  if (!(value / 1000 < kMaxRomanNumerals)) {
    if (std::isnan(value)) return u16();
    return make_error("RangeError");
  }
  std::string out;
  while (true) {
    bool matched = false;
    for (const auto& [n, text] : kNumerals) {
      if (value >= n) {
        out += text;
        value -= n;
        matched = true;
        break;
      }
    }
    if (!matched) break;
  }
  return js::u(out);
}

u16 decimal_to_letters(double value, char16_t a) {
  u16 letters;
  while (value > 0) {
    letters.insert(letters.begin(), static_cast<char16_t>(std::fmod(value - 1, 26) + a));
    value = std::floor((value - 1) / 26);
  }
  return letters;
}

double letters_to_decimal(u16v letters, char16_t a) {
  double decimal = 0;
  for (size_t i = 0; i < letters.size(); ++i) {
    decimal +=
        (static_cast<double>(letters[letters.size() - i - 1]) - a + 1) * std::pow(26, static_cast<double>(i));
  }
  return decimal;
}

double gcd(double a, double b) {
  return b == 0 ? a : gcd(b, std::fmod(a, b));
}

// The interval of regularly spaced grouping separators, or 0 when they are not regular.
double regular_repeat(const std::vector<GroupingSeparator>& separators) {
  if (separators.empty()) return 0;
  for (const auto& s : separators)
    if (s.character != separators[0].character) return 0;
  double factor = separators[0].position;
  for (size_t i = 1; i < separators.size(); ++i)
    factor = gcd(factor, separators[i].position);
  for (size_t index = 1; index <= separators.size(); ++index) {
    bool found = false;
    for (const auto& s : separators)
      found = found || s.position == static_cast<double>(index) * factor;
    if (!found) return 0;
  }
  return factor;
}

}  // namespace

const std::vector<u16>& number_words() {
  static const std::vector<u16> words = [] {
    std::vector<u16> w;
    for (auto s : kFew)
      w.push_back(js::u(lower(s)));
    for (auto s : kOrdinals)
      w.push_back(js::u(lower(s)));
    for (auto s : kDecades) {
      std::string l = lower(s);
      w.push_back(js::u(l));
      w.push_back(js::u(l.substr(0, l.size() - 1) + "ieth"));
    }
    w.push_back(u"hundredth");
    for (auto s : kMagnitudes) {
      std::string l = lower(s);
      w.push_back(js::u(l));
      w.push_back(js::u(l + "th"));
    }
    return w;
  }();
  return words;
}

Result<IntegerFormat> analyse_integer_picture(u16v picture) {
  IntegerFormat format;
  u16 primary;
  double semicolon = js::last_index_of(picture, u";");
  if (semicolon == -1) {
    primary = u16(picture);
  } else {
    primary = js::substring(picture, 0, semicolon);
    u16 modifier = js::substring(picture, semicolon + 1);
    if (!modifier.empty() && modifier[0] == 'o') format.ordinal = true;
  }

  if (primary == u"A" || primary == u"a") {
    format.primary = Primary::letters;
    if (primary == u"A") format.letter_case = LetterCase::upper;
    return format;
  }
  if (primary == u"I" || primary == u"i") {
    format.primary = Primary::roman;
    if (primary == u"I") format.letter_case = LetterCase::upper;
    return format;
  }
  if (primary == u"W" || primary == u"Ww" || primary == u"w") {
    format.primary = Primary::words;
    if (primary == u"W") format.letter_case = LetterCase::upper;
    if (primary == u"Ww") format.letter_case = LetterCase::title;
    return format;
  }

  // A decimal digit pattern if it holds a digit of any family; read right to left so positions count digits
  // to the right of each grouping separator.
  std::optional<char32_t> zero_code;
  double mandatory = 0, optional = 0, position = 0;
  std::vector<GroupingSeparator> separators;
  auto cps = js::code_points(primary);
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    char32_t cp = *it;
    bool digit = false;
    for (char32_t group : kDecimalGroups) {
      if (cp >= group && cp <= group + 9) {
        digit = true;
        ++mandatory;
        ++position;
        if (!zero_code) {
          zero_code = group;
        } else if (*zero_code != group) {
          return make_error("D3131");
        }
        break;
      }
    }
    if (digit) continue;
    if (cp == '#') {
      ++position;
      ++optional;
    } else {
      u16 ch;
      js::append_code_point(ch, cp);
      separators.push_back({position, std::move(ch)});
    }
  }
  if (mandatory == 0) {
    format.primary = Primary::sequence;
    format.token = std::move(primary);
    return format;
  }
  format.zero_code = *zero_code;
  format.mandatory_digits = mandatory;
  format.optional_digits = optional;
  double regular = regular_repeat(separators);
  if (regular > 0) {
    format.regular = true;
    format.separators = {{regular, separators[0].character}};
  } else {
    // jsonata-js collects them right to left and inserts them left to right.
    format.separators.assign(separators.rbegin(), separators.rend());
  }
  return format;
}

Result<u16> format_integer_value(double value, const IntegerFormat& format) {
  u16 formatted;
  bool negative = value < 0;
  value = std::fabs(value);
  switch (format.primary) {
    case Primary::letters:
      if (std::isinf(value)) return make_error("RangeError");
      formatted = decimal_to_letters(value, format.letter_case == LetterCase::upper ? 'A' : 'a');
      break;
    case Primary::roman: {
      auto roman = decimal_to_roman(value);
      if (!roman.ok()) return roman;
      formatted = roman.value();
      if (format.letter_case == LetterCase::upper) formatted = js::ascii_upper(formatted);
      break;
    }
    case Primary::words: {
      // jsonata-js recurses without end on NaN and Infinity.
      if (!std::isfinite(value)) return make_error("RangeError");
      u16 words = js::u(words_lookup(value, false, format.ordinal));
      if (format.letter_case == LetterCase::upper) {
        formatted = js::ascii_upper(words);
      } else if (format.letter_case == LetterCase::lower) {
        formatted = js::ascii_lower(words);
      } else {
        formatted = std::move(words);
      }
      break;
    }
    case Primary::decimal: {
      formatted = js::number_to_u16(value);
      double pad = format.mandatory_digits - static_cast<double>(formatted.size());
      if (pad > 0) {
        // A width modifier can ask for any number of digits; more than a date needs is surely an error
        // upstream, but jsonata-js would pad, so pad (bounded by what fits in memory comfortably).
        if (pad > 1e6) return make_error("RangeError");
        formatted.insert(0, static_cast<size_t>(pad), u'0');
      }
      if (format.zero_code != U'0') {
        u16 mapped;
        for (char32_t cp : js::code_points(formatted))
          js::append_code_point(mapped, cp + format.zero_code - U'0');
        formatted = std::move(mapped);
      }
      if (format.regular) {
        const auto& sep = format.separators[0];
        double n = std::floor((static_cast<double>(formatted.size()) - 1) / sep.position);
        for (double ii = n; ii > 0; --ii) {
          double pos = static_cast<double>(formatted.size()) - ii * sep.position;
          formatted = js::substr(formatted, 0, pos) + sep.character + js::substr(formatted, pos);
        }
      } else {
        for (const auto& sep : format.separators) {
          double pos = static_cast<double>(formatted.size()) - sep.position;
          formatted = js::substr(formatted, 0, pos) + sep.character + js::substr(formatted, pos);
        }
      }
      if (format.ordinal) {
        char16_t last = formatted.back();
        const char16_t* suffix = last == '1' ? u"st" : last == '2' ? u"nd" : last == '3' ? u"rd" : nullptr;
        if (suffix == nullptr || (formatted.size() > 1 && formatted[formatted.size() - 2] == '1'))
          suffix = u"th";
        formatted += suffix;
      }
      break;
    }
    case Primary::sequence:
      return make_error("D3130", json::Value(js::to_utf8(format.token)));
  }
  if (negative) formatted.insert(formatted.begin(), u'-');
  return formatted;
}

Result<double> parse_integer_value(u16v text, const IntegerFormat& format) {
  bool upper = format.letter_case == LetterCase::upper;
  switch (format.primary) {
    case Primary::letters:
      return letters_to_decimal(text, upper ? 'A' : 'a');
    case Primary::roman:
      return roman_to_decimal(upper ? u16(text) : js::to_upper(text));
    case Primary::words:
      return words_to_number(js::to_lower(text));
    case Primary::decimal: {
      u16 digits(text);
      if (format.ordinal) digits = js::substring(text, 0, static_cast<double>(text.size()) - 2);
      if (format.regular) {
        // jsonata-js strips ',' here whatever the separator character is.
        digits = js::join(js::split(digits, u","), u"");
      } else {
        for (const auto& sep : format.separators)
          digits = js::join(js::split(digits, sep.character), u"");
      }
      if (format.zero_code != U'0') {
        u16 mapped;
        for (char16_t c : digits) {
          double cp = static_cast<double>(c) - format.zero_code + U'0';
          if (cp < 0) {
            Error e = make_error("RangeError");
            e.message = "Invalid code point " + js::number_to_string(cp);
            return e;
          }
          js::append_code_point(mapped, static_cast<char32_t>(cp));
        }
        digits = std::move(mapped);
      }
      return js::parse_int(digits);
    }
    case Primary::sequence:
      return make_error("D3130", json::Value(js::to_utf8(format.token)));
  }
  return kNaN;
}

}  // namespace detail

Result<std::string> format_integer(double value, std::string_view picture) {
  auto format = detail::analyse_integer_picture(js::to_utf16(picture));
  if (!format.ok()) return std::move(format).error();
  auto formatted = detail::format_integer_value(std::floor(value), format.value());
  if (!formatted.ok()) return std::move(formatted).error();
  return js::to_utf8(formatted.value());
}

Result<double> parse_integer(std::string_view text, std::string_view picture) {
  auto format = detail::analyse_integer_picture(js::to_utf16(picture));
  if (!format.ok()) return std::move(format).error();
  return detail::parse_integer_value(js::to_utf16(text), format.value());
}

}  // namespace hookd::jsonata::format
