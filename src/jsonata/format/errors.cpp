#include <array>
#include <utility>

#include "jsonata/format/format.h"

namespace hookd::jsonata::format {

namespace {

// jsonata-js's message catalogue for the codes this library raises ({{value}} is the JSON text of the value).
constexpr std::array<std::pair<std::string_view, std::string_view>, 25> kMessages{{
    {"D3001", "Attempting to invoke string function on Infinity or NaN"},
    {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
    {"D3081", "The sub-picture must not contain more than one instance of the 'decimal-separator' character"},
    {"D3082", "The sub-picture must not contain more than one instance of the 'percent' character"},
    {"D3083", "The sub-picture must not contain more than one instance of the 'per-mille' character"},
    {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
    {"D3085",
     "The mantissa part of a sub-picture must contain at least one character that is either an 'optional "
     "digit "
     "character' or a member of the 'decimal digit family'"},
    {"D3086",
     "The sub-picture must not contain a passive character that is preceded by an active character and that "
     "is "
     "followed by another active character"},
    {"D3087",
     "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a "
     "'decimal-separator' character"},
    {"D3088", "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"},
    {"D3089",
     "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"},
    {"D3090",
     "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is "
     "followed "
     "by an instance of the 'optional digit character'"},
    {"D3091",
     "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' "
     "that "
     "is followed by a member of the 'decimal digit family'"},
    {"D3092",
     "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated "
     "as an "
     "'exponent-separator'"},
    {"D3093",
     "The exponent part of the sub-picture must comprise only of one or more characters that are members of "
     "the "
     "'decimal digit family'"},
    {"D3110",
     "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"},
    {"D3130",
     "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this "
     "implementation"},
    {"D3131", "In a decimal digit pattern, all digits must be from the same decimal group"},
    {"D3132", "Unknown component specifier {{value}} in date/time picture string"},
    {"D3133",
     "The 'name' modifier can only be applied to months and days in the date/time picture string, not "
     "{{value}}"},
    {"D3134", "The timezone integer format specifier cannot have more than four digits"},
    {"D3135", "No matching closing bracket ']' in date/time picture string"},
    {"D3136", "The date/time picture string is missing specifiers required to parse the timestamp"},
    {"RangeError", "Maximum call stack size exceeded"},
    {"U1001", "The timestamp is too complex to match against the picture string"},
}};

}  // namespace

Error make_error(std::string_view code, json::Value value) {
  Error e{std::string(code), std::string(), std::move(value)};
  for (const auto& [c, text] : kMessages) {
    if (c != code) continue;
    std::string_view t = text;
    size_t at = t.find("{{value}}");
    if (at == std::string_view::npos) {
      e.message = t;
    } else {
      // JSON.stringify(undefined) is undefined, which the template turns into the word.
      std::string inserted = e.value.is_undefined() ? "undefined" : json::dump(e.value);
      e.message.append(t.substr(0, at)).append(inserted).append(t.substr(at + 9));
    }
    break;
  }
  return e;
}

}  // namespace hookd::jsonata::format
