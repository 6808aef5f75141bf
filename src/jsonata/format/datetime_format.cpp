// $fromMillis (and $now): formatting a time value with a date/time picture.
#include <cmath>

#include "jsonata/format/civil.h"
#include "jsonata/format/datetime.h"

namespace hookd::jsonata::format {

namespace {

using detail::Names;
using detail::PicturePart;
using js::u16;

const std::vector<PicturePart>& iso8601_spec() {
  static const std::vector<PicturePart> spec =
      detail::analyse_datetime_picture(u"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]").value();
  return spec;
}

Result<u16> type_error(const char* what) {
  Error e = make_error("TypeError");
  e.message = what;
  return e;
}

Result<u16> format_component(double t, const PicturePart& part, double offset_hours, double offset_minutes) {
  char16_t c = part.component.size() == 1 ? part.component[0] : 0;
  switch (c) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'F':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'm':
    case 's': {
      double value = detail::date_time_fragment(t, c);
      if (c == 'Y' && part.year_digits != -1) value = std::fmod(value, std::pow(10, part.year_digits));
      if (part.names == Names::none) return detail::format_integer_value(value, *part.integer_format);
      const char* name = nullptr;
      if (c == 'M' || c == 'x') {
        if (value >= 1 && value <= 12) name = detail::kMonths[static_cast<int>(value) - 1];
      } else if (c == 'F') {
        if (value >= 0 && value <= 7) name = detail::kDays[static_cast<int>(value)];
      } else {
        return make_error("D3133", json::Value(js::to_utf8(part.component)));
      }
      // jsonata-js reads months[NaN]: undefined, which it then fails to upper-case, or prints as "undefined".
      if (name == nullptr) {
        if (part.names == Names::upper)
          return type_error("Cannot read properties of undefined (reading 'toUpperCase')");
        if (part.names == Names::lower)
          return type_error("Cannot read properties of undefined (reading 'toLowerCase')");
        if (part.has_width) return type_error("Cannot read properties of undefined (reading 'length')");
        return u16(u"undefined");
      }
      u16 text = js::u(name);
      if (part.names == Names::upper) text = js::ascii_upper(text);
      if (part.names == Names::lower) text = js::ascii_lower(text);
      if (part.has_width && part.max_width && static_cast<double>(text.size()) > *part.max_width)
        text = js::substring(text, 0, *part.max_width);
      return text;
    }
    case 'f':
      return detail::format_integer_value(detail::date_time_fragment(t, c), *part.integer_format);
    case 'Z':
    case 'z': {
      // F&O 9.8.4.6, with jsonata-js's arithmetic: offset is hours*100 + minutes, both from
      // parseInt(timezone).
      const detail::IntegerFormat& format = *part.integer_format;
      double offset = offset_hours * 100 + offset_minutes;
      u16 text;
      if (format.regular) {
        auto r = detail::format_integer_value(offset, format);
        if (!r.ok()) return r;
        text = r.value();
      } else {
        double digits = format.mandatory_digits;
        if (digits == 1 || digits == 2) {
          auto r = detail::format_integer_value(offset_hours, format);
          if (!r.ok()) return r;
          text = r.value();
          if (offset_minutes != 0) {
            auto minutes = format_integer(offset_minutes, "00");
            text += u":" + js::to_utf16(minutes.value());
          }
        } else if (digits == 3 || digits == 4) {
          auto r = detail::format_integer_value(offset, format);
          if (!r.ok()) return r;
          text = r.value();
        } else {
          return make_error("D3134", std::isnan(digits) ? json::Value() : json::Value(digits));
        }
      }
      if (offset >= 0) text = u"+" + text;
      if (c == 'z') text = u"GMT" + text;
      if (offset == 0 && part.presentation2 == u"t") text = u"Z";
      return text;
    }
    case 'P': {
      u16 text = civil::fields(t).hours >= 12 ? u"pm" : u"am";
      if (part.names == Names::upper) text = js::ascii_upper(text);
      return text;
    }
    case 'C':
    case 'E':
      return u16(u"ISO");
    default:
      // A component jsonata-js does not know but accepted with an explicit presentation ("[q1]") formats as
      // `'' + undefined`.
      return u16(u"undefined");
  }
}

}  // namespace

Result<std::string> from_millis(double millis, std::optional<std::string_view> picture,
                                std::optional<std::string_view> timezone) {
  double offset_hours = 0, offset_minutes = 0;
  if (timezone) {
    // parseInt("+0530") is 530: hours are floor(530 / 100), minutes the remainder (negative for "-0530",
    // whose hours floor to -6: jsonata-js's arithmetic, kept).
    double offset = js::parse_int(js::to_utf16(*timezone));
    offset_hours = std::floor(offset / 100);
    offset_minutes = std::fmod(offset, 100);
  }

  std::vector<PicturePart> analysed;
  const std::vector<PicturePart>* spec = &iso8601_spec();
  if (picture) {
    auto r = detail::analyse_datetime_picture(js::to_utf16(*picture));
    if (!r.ok()) return std::move(r).error();
    analysed = std::move(r).value();
    spec = &analysed;
  }

  double offset_millis = (60 * offset_hours + offset_minutes) * 60 * 1000;
  double t = civil::time_clip(millis + offset_millis);

  u16 result;
  for (const auto& part : *spec) {
    if (part.literal) {
      result += part.text;
      continue;
    }
    auto text = format_component(t, part, offset_hours, offset_minutes);
    if (!text.ok()) return std::move(text).error();
    result += text.value();
  }
  return js::to_utf8(result);
}

}  // namespace hookd::jsonata::format
