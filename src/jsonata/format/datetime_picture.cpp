// Reading date/time pictures, and the calendar fields (ISO weeks included) their components name.
#include <cmath>

#include "jsonata/format/civil.h"
#include "jsonata/format/datetime.h"

namespace hookd::jsonata::format::detail {

const char* const kMonths[12] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[8] = {"",         "Monday", "Tuesday",  "Wednesday",
                              "Thursday", "Friday", "Saturday", "Sunday"};

namespace {

using js::u16;
using js::u16v;

// The presentation a component gets when its marker has none; absent for unknown components (D3132).
const char16_t* default_presentation(u16v component) {
  if (component.size() != 1) return nullptr;
  switch (component[0]) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'f':
      return u"1";
    case 'F':
    case 'P':
    case 'C':
    case 'E':
      return u"n";
    case 'm':
    case 's':
      return u"01";
    case 'Z':
    case 'z':
      return u"01:01";
    default:
      return nullptr;
  }
}

bool is_integer_component(u16v component) {
  // 'YMDdFWwXxHhmsf'.indexOf(component) !== -1 (component is one unit here).
  return component.size() == 1 && u16v(u"YMDdFWwXxHhmsf").find(component[0]) != u16v::npos;
}

// startOfFirstWeek: ISO 8601's week 1 holds the first Thursday; F&O applies the rule to months too.
double start_of_first_week(double year, double month) {
  double jan1 = civil::date_utc(year, month);
  double day = civil::fields(jan1).weekday;
  if (day == 0) day = 7;
  return day > 4 ? jan1 + (8 - day) * civil::kMsPerDay : jan1 - (day - 1) * civil::kMsPerDay;
}

double delta_weeks(double start, double end) {
  return (end - start) / (civil::kMsPerDay * 7) + 1;
}

}  // namespace

double date_time_fragment(double t, char16_t component) {
  civil::Fields f = civil::fields(t);
  switch (component) {
    case 'Y':
      return f.year;
    case 'M':
      return f.month + 1;
    case 'D':
      return f.date;
    case 'd': {
      double today = civil::date_utc(f.year, f.month, f.date);
      double first_jan = civil::date_utc(f.year, 0);
      return (today - first_jan) / civil::kMsPerDay + 1;
    }
    case 'F':
      return f.weekday == 0 ? 7 : f.weekday;
    case 'W': {
      double start = start_of_first_week(f.year, 0);
      double today = civil::date_utc(f.year, f.month, f.date);
      double week = delta_weeks(start, today);
      if (week > 52) {
        if (today >= start_of_first_week(f.year + 1, 0)) week = 1;
      } else if (week < 1) {
        week = delta_weeks(start_of_first_week(f.year - 1, 0), today);
      }
      return std::floor(week);
    }
    case 'w': {
      double start = start_of_first_week(f.year, f.month);
      double today = civil::date_utc(f.year, f.month, f.date);
      double week = delta_weeks(start, today);
      double next_year = f.month == 11 ? f.year + 1 : f.year;
      double next_month = f.month == 11 ? 0 : f.month + 1;
      if (week > 4) {
        if (today >= start_of_first_week(next_year, next_month)) week = 1;
      } else if (week < 1) {
        double prev_year = f.month == 0 ? f.year - 1 : f.year;
        double prev_month = f.month == 0 ? 11 : f.month - 1;
        week = delta_weeks(start_of_first_week(prev_year, prev_month), today);
      }
      return std::floor(week);
    }
    case 'X': {
      // jsonata-js's extension: the year an ISO week belongs to.
      if (t < start_of_first_week(f.year, 0)) return f.year - 1;
      if (t >= start_of_first_week(f.year + 1, 0)) return f.year + 1;
      return f.year;
    }
    case 'x': {
      // ... and the month a week-of-month belongs to.
      double next_year = f.month == 11 ? f.year + 1 : f.year;
      double next_month = f.month == 11 ? 0 : f.month + 1;
      if (t < start_of_first_week(f.year, f.month)) return (f.month == 0 ? 11 : f.month - 1) + 1;
      if (t >= start_of_first_week(next_year, next_month)) return next_month + 1;
      return f.month + 1;
    }
    case 'H':
      return f.hours;
    case 'h': {
      double h = std::fmod(f.hours, 12);
      return h == 0 ? 12 : h;
    }
    case 'm':
      return f.minutes;
    case 's':
      return f.seconds;
    case 'f':
      return f.millis;
    default:
      return NAN;
  }
}

Result<std::vector<PicturePart>> analyse_datetime_picture(u16v picture) {
  std::vector<PicturePart> spec;
  auto add_literal = [&](size_t start, size_t end) {
    if (end > start) {
      PicturePart part;
      part.literal = true;
      part.text = js::join(js::split(picture.substr(start, end - start), u"]]"), u"]");
      spec.push_back(std::move(part));
    }
  };

  size_t start = 0, pos = 0;
  while (pos < picture.size()) {
    if (picture[pos] != '[') {
      ++pos;
      continue;
    }
    if (pos + 1 < picture.size() && picture[pos + 1] == '[') {
      add_literal(start, pos);
      PicturePart bracket;
      bracket.literal = true;
      bracket.text = u"[";
      spec.push_back(std::move(bracket));
      pos += 2;
      start = pos;
      continue;
    }
    add_literal(start, pos);
    start = pos;
    size_t close = picture.find(']', start);
    if (close == u16v::npos) return make_error("D3135");
    pos = close;
    // Whitespace inside a marker is ignored.
    u16 marker;
    for (char16_t c : picture.substr(start + 1, pos - start - 1))
      if (!js::is_space(c)) marker.push_back(c);

    PicturePart def;
    def.component = js::char_at(marker, 0);
    double comma = js::last_index_of(marker, u",");
    u16 pres_mod;
    if (comma != -1) {
      u16 width_mod = js::substring(marker, comma + 1);
      double dash = js::index_of(width_mod, u"-");
      auto parse_width = [](const std::optional<u16>& wm) -> std::optional<double> {
        if (!wm || *wm == u"*") return std::nullopt;
        return js::parse_int(*wm);
      };
      std::optional<u16> min, max;
      if (dash == -1) {
        min = width_mod;
      } else {
        min = js::substring(width_mod, 0, dash);
        max = js::substring(width_mod, dash + 1);
      }
      def.has_width = true;
      def.min_width = parse_width(min);
      def.max_width = parse_width(max);
      pres_mod = js::substring(marker, 1, comma);
    } else {
      pres_mod = js::substring(marker, 1);
    }
    if (pres_mod.size() == 1) {
      def.presentation1 = pres_mod;
    } else if (pres_mod.size() > 1) {
      char16_t last = pres_mod.back();
      if (last == 'a' || last == 't' || last == 'c' || last == 'o') {
        def.presentation2 = u16(1, last);
        def.presentation1 = pres_mod.substr(0, pres_mod.size() - 1);
      } else {
        def.presentation1 = pres_mod;
      }
    } else {
      const char16_t* dflt = default_presentation(def.component);
      if (dflt == nullptr) return make_error("D3132", json::Value(js::to_utf8(def.component)));
      def.presentation1 = dflt;
    }

    if (def.presentation1[0] == 'n') {
      def.names = Names::lower;
    } else if (def.presentation1[0] == 'N') {
      def.names = def.presentation1.size() > 1 && def.presentation1[1] == 'n' ? Names::title : Names::upper;
    } else if (is_integer_component(def.component)) {
      u16 pattern = def.presentation1;
      if (!def.presentation2.empty()) pattern += u";" + def.presentation2;
      auto format = analyse_integer_picture(pattern);
      if (!format.ok()) return std::move(format).error();
      def.integer_format = std::move(format).value();
      IntegerFormat& f = *def.integer_format;
      if (def.min_width && f.mandatory_digits < *def.min_width) f.mandatory_digits = *def.min_width;
      if (def.component == u"Y") {
        def.year_digits = -1;
        if (def.max_width) {
          def.year_digits = *def.max_width;
          f.mandatory_digits = def.year_digits;
        } else {
          double w = f.mandatory_digits + f.optional_digits;
          if (w >= 2) def.year_digits = w;
        }
      }
      // Two integers with no literal between them: the first must have a fixed width to be parsed.
      if (!spec.empty() && spec.back().integer_format)
        spec.back().integer_format->parse_width = spec.back().integer_format->mandatory_digits;
    }
    if (def.component == u"Z" || def.component == u"z") {
      auto format = analyse_integer_picture(def.presentation1);
      if (!format.ok()) return std::move(format).error();
      def.integer_format = std::move(format).value();
    }
    spec.push_back(std::move(def));
    start = pos + 1;
    ++pos;
  }
  add_literal(start, pos);
  return spec;
}

}  // namespace hookd::jsonata::format::detail
