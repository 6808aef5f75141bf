// JSONata's formatting and parsing built-ins, as pure functions: $formatInteger, $parseInteger,
// $formatNumber, $fromMillis (and so $now), $toMillis.
//
// The results follow jsonata-js 2.x to the character, including its quirks, because configs written against
// the reference implementation must give the same text here (a signature base string, a timestamp a vendor
// compares). The picture-string rules are XPath/XQuery F&O 3.1's as jsonata-js implements them (its
// datetime.js and functions.js). Where jsonata-js depends on the machine (Date.parse reads an ISO date-time
// without an offset as local time) this library answers as jsonata-js does with TZ=UTC, so results never
// depend on the host's zone.
//
// The engine adapts arguments: these functions never see `undefined` (the built-ins return undefined for an
// undefined first argument before calling here) and take strings as UTF-8.
//
// Errors carry jsonata-js's code (D3080 ... D3137) and message. Where jsonata-js itself fails with a plain
// JavaScript exception instead of a coded error (toFixed beyond 100 digits, a runaway recursion on a
// non-finite number), `code` is "RangeError" or "TypeError" and the message is V8's; no input makes these
// functions hang, recurse without bound or crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "hookd/json.h"

namespace hookd::jsonata::format {

struct Error {
  std::string code;     // "D3130", ...
  std::string message;  // jsonata-js's message text with {{value}} filled in
  json::Value value;    // the offending value when jsonata-js's error carries one (undefined otherwise)
};

// A value or an Error (C++20 has no std::expected).
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// $formatInteger(value, picture): the value is floored first. Pictures: decimal digit patterns in any Unicode
// decimal digit family ("0", "#,##0", "0000", "١٢"), with ";o" for ordinals ("1st"); "w" / "W" / "Ww" words
// ("one hundred and one"), "i" / "I" roman numerals, "a" / "A" letters (a..z, aa, ...).
// Errors: D3130 (a numbering sequence such as "α"), D3131 (digits from two families).
Result<std::string> format_integer(double value, std::string_view picture);

// $parseInteger(text, picture): the inverse. Like jsonata-js it does not validate `text` against the picture:
// what it cannot read yields NaN (the engine decides what NaN becomes). Errors: D3130, D3131.
Result<double> parse_integer(std::string_view text, std::string_view picture);

// $formatNumber(value, picture, options): F&O fn:format-number. `options` is undefined or an object whose
// members override the decimal format: "decimal-separator", "grouping-separator", "exponent-separator",
// "infinity", "NaN", "minus-sign", "percent", "per-mille", "zero-digit", "digit", "pattern-separator".
// Errors: D3080 ... D3093 for malformed pictures.
Result<std::string> format_number(double value, std::string_view picture, const json::Value& options = {});

// $fromMillis(millis, picture?, timezone?) and $now(picture?, timezone?) (called with the evaluation's fixed
// timestamp). Without a picture the result is ISO 8601 with milliseconds ("2017-10-30T16:25:32.935Z"); a
// picture has [Y M D d F W w X x H h P m s f Z z C E] markers with presentation and width modifiers.
// `timezone` is "±HHMM" and shifts the wall-clock fields. Errors: D3132 (unknown component), D3133 (names on
// a numeric component), D3134 (timezone format wider than four digits), D3135 (unclosed '[').
Result<std::string> from_millis(double millis, std::optional<std::string_view> picture = std::nullopt,
                                std::optional<std::string_view> timezone = std::nullopt);

// $toMillis(timestamp, picture?): milliseconds since the epoch, or nullopt where jsonata-js returns undefined
// (the timestamp does not match the picture, or the picture holds no component). Without a picture the
// timestamp must be ISO 8601 (D3110 otherwise; an impossible date such as month 13 gives NaN). Components a
// picture leaves out above the ones it gives are taken from `now_millis` (the evaluation's timestamp, as for
// $now()); those below are zero. Errors: D3110, D3132, D3133, D3136 (a gap in the components, or an ISO week
// date).
Result<std::optional<double>> to_millis(std::string_view timestamp,
                                        std::optional<std::string_view> picture = std::nullopt,
                                        double now_millis = 0);

// The message jsonata-js gives `code` with `value` inserted (exposed for the engine's own wrappers).
Error make_error(std::string_view code, json::Value value = {});

}  // namespace hookd::jsonata::format
