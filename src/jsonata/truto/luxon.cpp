// Luxon's DateTime and Duration core: zones, calendar fields, fromObject's defaulting and validation, ISO and
// RFC parsing, arithmetic, ISO/SQL/HTTP output. Formatting and fromFormat live in luxon_format.cpp.
#include "jsonata/truto/luxon.h"

#include <cmath>
#include <regex>

#include "jsonata/format/civil.h"
#include "jsonata/format/js.h"
#include "jsonata/truto/luxon_internal.h"

namespace hookd::jsonata::truto::luxon {

namespace civil = format::civil;
namespace js = format::js;

namespace {

constexpr double kMaxDate = 8.64e15;

bool is_leap(double y) {
  return std::fmod(y, 4) == 0 && (std::fmod(y, 100) != 0 || std::fmod(y, 400) == 0);
}
double floor_mod(double x, double n) {
  return x - n * std::floor(x / n);
}

double days_in_month(double year, double month) {
  double mod_month = floor_mod(month - 1, 12) + 1;
  double mod_year = year + (month - mod_month) / 12;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mod_month == 2) return is_leap(mod_year) ? 29 : 28;
  return kDays[static_cast<int>(mod_month) - 1];
}
double days_in_year(double y) {
  return is_leap(y) ? 366 : 365;
}

// objToLocalTS: the fields read as UTC (years 0-99 are not shifted to the 1900s).
double obj_to_local_ts(const Fields& f) {
  double day = civil::make_day(f.year, f.month - 1, f.day);
  double time = civil::make_time(f.hour, f.minute, f.second, f.millisecond);
  if (std::isnan(day) || std::isnan(time)) return NAN;
  return civil::time_clip(day * civil::kMsPerDay + time);
}

Fields ts_to_obj(double ts, int offset) {
  civil::Fields f = civil::fields(ts + offset * 60000.0);
  return {f.year, f.month + 1, f.date, f.hours, f.minutes, f.seconds, f.millis};
}

// fixOffset: the instant whose local time in `zone` is localTS, starting from the guess `o`.
std::pair<double, int> fix_offset(double local_ts, int o, const Zone& zone) {
  double utc_guess = local_ts - o * 60000.0;
  int o2 = zone.offset(utc_guess);
  if (o == o2) return {utc_guess, o};
  utc_guess -= (o2 - o) * 60000.0;
  int o3 = zone.offset(utc_guess);
  if (o2 == o3) return {utc_guess, o2};
  return {local_ts - std::min(o2, o3) * 60000.0, std::max(o2, o3)};
}

std::pair<double, int> obj_to_ts(const Fields& f, int offset, const Zone& zone) {
  return fix_offset(obj_to_local_ts(f), offset, zone);
}

double day_of_week(double year, double month, double day) {
  double d = civil::make_day(year, month - 1, day);
  double w = floor_mod(d + 4, 7);  // 0 = Sunday
  return w == 0 ? 7 : w;
}

const int kNonLeap[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
const int kLeap[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};

double compute_ordinal(double y, double m, double d) {
  return d + (is_leap(y) ? kLeap : kNonLeap)[static_cast<int>(m) - 1];
}

// firstWeekOffset with ISO weeks (4 days in the first week, weeks starting on Monday).
double first_week_offset(double year) {
  double fwdlw = day_of_week(year, 1, 4);
  return -fwdlw + 4 - 1;
}

double weeks_in_week_year(double wy) {
  return (days_in_year(wy) - first_week_offset(wy) + first_week_offset(wy + 1)) / 7;
}

struct WeekFields {
  double week_year, week_number, weekday;
};
WeekFields gregorian_to_week(const Fields& f) {
  double ordinal = compute_ordinal(f.year, f.month, f.day);
  double weekday = day_of_week(f.year, f.month, f.day);
  double week = std::floor((ordinal - weekday + 14 - 4) / 7);
  double week_year = f.year;
  if (week < 1) {
    week_year = f.year - 1;
    week = weeks_in_week_year(week_year);
  } else if (week > weeks_in_week_year(f.year)) {
    week_year = f.year + 1;
    week = 1;
  }
  return {week_year, week, weekday};
}

Fields week_to_gregorian(double week_year, double week_number, double weekday, const Fields& time) {
  double weekday_jan4 = day_of_week(week_year, 1, 4);
  double ordinal = week_number * 7 + weekday - weekday_jan4 - 7 + 4;
  double year = week_year;
  if (ordinal < 1) {
    year = week_year - 1;
    ordinal += days_in_year(year);
  } else if (ordinal > days_in_year(week_year)) {
    year = week_year + 1;
    ordinal -= days_in_year(week_year);
  }
  const int* table = is_leap(year) ? kLeap : kNonLeap;
  int month0 = 11;
  while (month0 > 0 && table[month0] >= ordinal)
    --month0;
  Fields f = time;
  f.year = year;
  f.month = month0 + 1;
  f.day = ordinal - table[month0];
  return f;
}

Fields ordinal_to_gregorian(double year, double ordinal, const Fields& time) {
  const int* table = is_leap(year) ? kLeap : kNonLeap;
  int month0 = 11;
  while (month0 > 0 && table[month0] >= ordinal)
    --month0;
  Fields f = time;
  f.year = year;
  f.month = month0 + 1;
  f.day = ordinal - table[month0];
  return f;
}

bool is_integer(double v) {
  return std::isfinite(v) && v == std::trunc(v);
}
bool between(double v, double lo, double hi) {
  return is_integer(v) && v >= lo && v <= hi;
}

std::string unit_out_of_range(const std::string& unit, double value) {
  return "you specified " + js::number_to_string(value) + " (of type number) as a " + unit +
         ", which is invalid";
}

std::string pad(double v, int n = 2) {
  bool neg = v < 0;
  std::string s = js::number_to_string(std::fabs(v));
  while (static_cast<int>(s.size()) < n)
    s.insert(s.begin(), '0');
  return neg ? "-" + s : s;
}

}  // namespace

namespace detail {

const std::vector<std::string>& ordered_units() {
  static const std::vector<std::string> u = {"years", "quarters", "months",  "weeks",       "days",
                                             "hours", "minutes",  "seconds", "milliseconds"};
  return u;
}

// Luxon's casual conversion matrix, as milliseconds per unit (all its ratios are exact in these terms).
double casual_ms(const std::string& unit) {
  static const std::map<std::string, double> ms = {
      {"years", 365 * 86400000.0}, {"quarters", 91 * 86400000.0}, {"months", 30 * 86400000.0},
      {"weeks", 7 * 86400000.0},   {"days", 86400000.0},          {"hours", 3600000.0},
      {"minutes", 60000.0},        {"seconds", 1000.0},           {"milliseconds", 1.0}};
  auto it = ms.find(unit);
  return it == ms.end() ? NAN : it->second;
}

double matrix(const std::string& from, const std::string& to) {
  // quarters -> weeks is 13 in Luxon's casual matrix (91 / 7), months -> weeks 4 (not 30 / 7).
  if (from == "months" && to == "weeks") return 4;
  if (from == "years" && to == "weeks") return 52;
  return casual_ms(from) / casual_ms(to);
}

}  // namespace detail

// --- DateTime ---

DateTime DateTime::invalid(std::string reason, std::string explanation) {
  DateTime d;
  d.valid_ = false;
  d.ts_ = NAN;
  d.reason_ = std::move(reason);
  d.explanation_ = std::move(explanation);
  return d;
}

static DateTime unsupported_zone(const Zone& zone) {
  return DateTime::invalid("unsupported zone", "the zone \"" + zone.name() + "\" is not supported");
}

DateTime DateTime::from_millis(double ms, const Zone& zone) {
  if (!zone.valid()) return unsupported_zone(zone);
  if (std::isnan(ms)) return invalid("invalid input", "");
  if (ms < -kMaxDate || ms > kMaxDate) return invalid("Timestamp out of range", "");
  DateTime d;
  d.valid_ = true;
  d.ts_ = ms;
  d.zone_ = zone;
  d.o_ = zone.offset(ms);
  d.c_ = ts_to_obj(ms, d.o_);
  return d;
}

DateTime DateTime::from_fields(const std::map<std::string, double>& units_in, const Zone& zone, double now) {
  if (!zone.valid()) return unsupported_zone(zone);
  std::map<std::string, double> u = units_in;
  auto has = [&](const char* k) { return u.count(k) > 0; };
  int offset_provis = zone.offset(now);
  bool contains_ordinal = has("ordinal");
  bool contains_gregor = has("year") || has("month") || has("day");
  bool definite_week = (has("weekYear") && u["weekYear"] != 0) || (has("weekNumber") && u["weekNumber"] != 0);
  bool use_week = definite_week || (has("weekday") && u["weekday"] != 0 && !contains_gregor);
  Fields now_fields = ts_to_obj(now, offset_provis);
  std::vector<std::string> order;
  std::map<std::string, double> defaults{{"hour", 0}, {"minute", 0}, {"second", 0}, {"millisecond", 0}};
  std::map<std::string, double> now_values{{"hour", now_fields.hour},
                                           {"minute", now_fields.minute},
                                           {"second", now_fields.second},
                                           {"millisecond", now_fields.millisecond}};
  if (use_week) {
    order = {"weekYear", "weekNumber", "weekday"};
    defaults.insert({{"weekNumber", 1}, {"weekday", 1}});
    WeekFields w = gregorian_to_week(now_fields);
    now_values.insert({{"weekYear", w.week_year}, {"weekNumber", w.week_number}, {"weekday", w.weekday}});
  } else if (contains_ordinal) {
    order = {"year", "ordinal"};
    defaults["ordinal"] = 1;
    now_values.insert({{"year", now_fields.year},
                       {"ordinal", compute_ordinal(now_fields.year, now_fields.month, now_fields.day)}});
  } else {
    order = {"year", "month", "day"};
    defaults.insert({{"month", 1}, {"day", 1}});
    now_values.insert({{"year", now_fields.year}, {"month", now_fields.month}, {"day", now_fields.day}});
  }
  for (const char* t : {"hour", "minute", "second", "millisecond"})
    order.push_back(t);
  bool found_first = false;
  for (const auto& k : order) {
    if (u.count(k)) {
      found_first = true;
    } else {
      u[k] = found_first ? defaults[k] : now_values[k];
    }
  }
  // Validation, in Luxon's order: the calendar part, then the time.
  if (use_week) {
    if (!is_integer(u["weekYear"]))
      return invalid("unit out of range", unit_out_of_range("weekYear", u["weekYear"]));
    if (!between(u["weekNumber"], 1, luxon::weeks_in_week_year(u["weekYear"])))
      return invalid("unit out of range", unit_out_of_range("week", u["weekNumber"]));
    if (!between(u["weekday"], 1, 7))
      return invalid("unit out of range", unit_out_of_range("weekday", u["weekday"]));
  } else if (contains_ordinal) {
    if (!is_integer(u["year"])) return invalid("unit out of range", unit_out_of_range("year", u["year"]));
    if (!between(u["ordinal"], 1, luxon::days_in_year(u["year"])))
      return invalid("unit out of range", unit_out_of_range("ordinal", u["ordinal"]));
  } else {
    if (!is_integer(u["year"])) return invalid("unit out of range", unit_out_of_range("year", u["year"]));
    if (!between(u["month"], 1, 12))
      return invalid("unit out of range", unit_out_of_range("month", u["month"]));
    if (!between(u["day"], 1, luxon::days_in_month(u["year"], u["month"])))
      return invalid("unit out of range", unit_out_of_range("day", u["day"]));
  }
  bool midnight24 = u["hour"] == 24 && u["minute"] == 0 && u["second"] == 0 && u["millisecond"] == 0;
  if (!between(u["hour"], 0, 23) && !midnight24)
    return invalid("unit out of range", unit_out_of_range("hour", u["hour"]));
  if (!between(u["minute"], 0, 59))
    return invalid("unit out of range", unit_out_of_range("minute", u["minute"]));
  if (!between(u["second"], 0, 59))
    return invalid("unit out of range", unit_out_of_range("second", u["second"]));
  if (!between(u["millisecond"], 0, 999))
    return invalid("unit out of range", unit_out_of_range("millisecond", u["millisecond"]));

  Fields time{0, 1, 1, u["hour"], u["minute"], u["second"], u["millisecond"]};
  Fields g;
  if (use_week) {
    g = week_to_gregorian(u["weekYear"], u["weekNumber"], u["weekday"], time);
  } else if (contains_ordinal) {
    g = ordinal_to_gregorian(u["year"], u["ordinal"], time);
  } else {
    g = Fields{u["year"], u["month"], u["day"], u["hour"], u["minute"], u["second"], u["millisecond"]};
  }
  auto [ts, o] = obj_to_ts(g, offset_provis, zone);
  DateTime d = from_millis(ts, zone);
  if (!d.valid_) return d;
  d.o_ = o;
  d.c_ = ts_to_obj(ts, o);
  if (units_in.count("weekday") && units_in.at("weekday") != 0 && contains_gregor &&
      units_in.at("weekday") != d.weekday())
    return invalid("mismatched weekday", "you can't specify both a weekday of " +
                                             js::number_to_string(units_in.at("weekday")) +
                                             " and a date of " + d.to_iso().value_or(""));
  return d;
}

DateTime DateTime::set_zone(const Zone& zone, bool keep_local_time) const {
  if (!valid_) return *this;
  if (!zone.valid()) return unsupported_zone(zone);
  double ts = ts_;
  if (keep_local_time) ts = obj_to_ts(c_, zone.offset(ts_), zone).first;
  DateTime d = from_millis(ts, zone);
  return d;
}

DateTime DateTime::with_fields(Fields f, bool clamp_day) const {
  if (!valid_) return *this;
  if (clamp_day) f.day = std::min(luxon::days_in_month(f.year, f.month), f.day);
  auto [ts, o] = obj_to_ts(f, o_, zone_);
  (void)o;
  return from_millis(ts, zone_);
}

DateTime DateTime::plus(const std::map<std::string, double>& dur) const {
  if (!valid_) return *this;
  auto get = [&](const char* k) {
    auto it = dur.find(k);
    return it == dur.end() ? 0.0 : it->second;
  };
  double years = get("years"), quarters = get("quarters"), months = get("months"), weeks = get("weeks"),
         days = get("days");
  Fields c = c_;
  c.year = c_.year + std::trunc(years);
  c.month = c_.month + std::trunc(months) + std::trunc(quarters) * 3;
  c.day = std::min(c_.day, luxon::days_in_month(c.year, c.month)) + std::trunc(days) + std::trunc(weeks) * 7;
  // The fractional calendar units and the clock units are added as milliseconds
  // (Duration.as("milliseconds")).
  double millis = (years - std::trunc(years)) * detail::casual_ms("years") +
                  (quarters - std::trunc(quarters)) * detail::casual_ms("quarters") +
                  (months - std::trunc(months)) * detail::casual_ms("months") +
                  (weeks - std::trunc(weeks)) * detail::casual_ms("weeks") +
                  (days - std::trunc(days)) * detail::casual_ms("days") +
                  get("hours") * detail::casual_ms("hours") + get("minutes") * detail::casual_ms("minutes") +
                  get("seconds") * detail::casual_ms("seconds") + get("milliseconds");
  auto [ts, o] = fix_offset(obj_to_local_ts(c), o_, zone_);
  if (millis != 0) {
    ts += millis;
    o = zone_.offset(ts);
  }
  DateTime d = from_millis(ts, zone_);
  return d;
}

DateTime DateTime::start_of(std::string_view unit_in) const {
  if (!valid_) return *this;
  std::string unit = normalize_unit(unit_in);
  Fields c = c_;
  int level = 0;  // how many of month, day, hour, minute, second, millisecond to reset
  if (unit == "years") level = 6;
  if (unit == "quarters" || unit == "months") level = 5;
  if (unit == "weeks" || unit == "days") level = 4;
  if (unit == "hours") level = 3;
  if (unit == "minutes") level = 2;
  if (unit == "seconds") level = 1;
  if (level >= 6) c.month = 1;
  if (level >= 5) c.day = 1;
  if (level >= 4) c.hour = 0;
  if (level >= 3) c.minute = 0;
  if (level >= 2) c.second = 0;
  if (level >= 1) c.millisecond = 0;
  if (unit == "quarters") c.month = (std::ceil(c_.month / 3) - 1) * 3 + 1;
  if (unit == "weeks") {
    WeekFields w = gregorian_to_week(c_);
    c = week_to_gregorian(w.week_year, w.week_number, 1, c);
  }
  auto [ts, o] = obj_to_ts(c, o_, zone_);
  (void)o;
  return from_millis(ts, zone_);
}

DateTime DateTime::end_of(std::string_view unit) const {
  if (!valid_) return *this;
  std::string u = normalize_unit(unit);
  return plus({{u, 1}}).start_of(u).plus({{"milliseconds", -1}});
}

double DateTime::quarter() const {
  return valid_ ? std::ceil(c_.month / 3) : NAN;
}
double DateTime::week_year() const {
  return valid_ ? gregorian_to_week(c_).week_year : NAN;
}
double DateTime::week_number() const {
  return valid_ ? gregorian_to_week(c_).week_number : NAN;
}
double DateTime::weekday() const {
  return valid_ ? day_of_week(c_.year, c_.month, c_.day) : NAN;
}
double DateTime::ordinal() const {
  return valid_ ? compute_ordinal(c_.year, c_.month, c_.day) : NAN;
}
double DateTime::days_in_month() const {
  return valid_ ? luxon::days_in_month(c_.year, c_.month) : NAN;
}
double DateTime::days_in_year() const {
  return valid_ ? luxon::days_in_year(c_.year) : NAN;
}
double DateTime::weeks_in_week_year() const {
  return valid_ ? luxon::weeks_in_week_year(week_year()) : NAN;
}
bool DateTime::is_in_leap_year() const {
  return is_leap(c_.year);
}
bool DateTime::is_in_dst() const {
  if (!valid_ || zone_.offset_fixed() || zone_.kind != Zone::Kind::iana) return false;
  auto offset_at = [&](double month, double day) {
    Fields f = c_;
    f.month = month;
    if (day > 0) f.day = day;
    f.day = std::min(f.day, luxon::days_in_month(f.year, f.month));
    return obj_to_ts(f, o_, zone_).second;
  };
  return o_ > offset_at(1, 1) || o_ > offset_at(5, 0);
}

// --- output ---

std::optional<std::string> DateTime::to_iso_date(bool extended) const {
  if (!valid_) return std::nullopt;
  bool long_format = c_.year > 9999 || c_.year < 0;
  std::string s;
  if (long_format && c_.year >= 0) s += "+";
  s += pad(c_.year, long_format ? 6 : 4);
  s += extended ? "-" + pad(c_.month) + "-" + pad(c_.day) : pad(c_.month) + pad(c_.day);
  return s;
}

std::optional<std::string> DateTime::to_iso_time(const IsoOptions& o) const {
  if (!valid_) return std::nullopt;
  std::string s = o.include_prefix ? "T" : "";
  s += pad(c_.hour);
  bool seconds = c_.millisecond != 0 || c_.second != 0 || !o.suppress_seconds;
  s += o.extended ? ":" + pad(c_.minute) + (seconds ? ":" : "") : pad(c_.minute);
  if (seconds) {
    s += pad(c_.second);
    if (c_.millisecond != 0 || !o.suppress_milliseconds) s += "." + pad(c_.millisecond, 3);
  }
  if (o.include_offset) {
    if (zone_.offset_fixed() && o_ == 0 && !o.extended_zone) {
      s += "Z";
    } else {
      // Luxon writes the offset with a colon even in the basic format.
      int a = std::abs(o_);
      s += std::string(o_ < 0 ? "-" : "+") + pad(a / 60) + ":" + pad(a % 60);
    }
  }
  if (o.extended_zone)
    s += "[" + (zone_.kind == Zone::Kind::iana ? zone_.iana->name() : std::string("UTC")) + "]";
  return s;
}

std::optional<std::string> DateTime::to_iso() const {
  return to_iso(IsoOptions{});
}
std::optional<std::string> DateTime::to_iso_time() const {
  return to_iso_time(IsoOptions{});
}

std::optional<std::string> DateTime::to_iso(const IsoOptions& o) const {
  if (!valid_) return std::nullopt;
  IsoOptions t = o;
  t.include_prefix = false;
  return *to_iso_date(o.extended) + "T" + *to_iso_time(t);
}

std::optional<std::string> DateTime::to_iso_week_date() const {
  if (!valid_) return std::nullopt;
  WeekFields w = gregorian_to_week(c_);
  return pad(w.week_year, 4) + "-W" + pad(w.week_number) + "-" + js::number_to_string(w.weekday);
}

std::optional<std::string> DateTime::to_rfc2822() const {
  if (!valid_) return std::nullopt;
  return to_format("EEE, dd LLL yyyy HH:mm:ss ZZZ");
}

std::optional<std::string> DateTime::to_http() const {
  if (!valid_) return std::nullopt;
  return set_zone(Zone::utc()).to_format("EEE, dd LLL yyyy HH:mm:ss 'GMT'");
}

std::optional<std::string> DateTime::to_sql_date() const {
  return to_iso_date(true);
}

std::optional<std::string> DateTime::to_sql_time(bool include_offset) const {
  if (!valid_) return std::nullopt;
  std::string f = "HH:mm:ss.SSS";
  if (include_offset) f += zone_.offset_fixed() && o_ == 0 ? " Z" : " ZZ";
  std::string s = to_format(f);
  // Luxon's "Z" with a zero fixed offset in SQL output is "+00:00" too.
  if (include_offset && zone_.offset_fixed() && o_ == 0) s = s.substr(0, s.size() - 2) + "+00:00";
  return s;
}

std::optional<std::string> DateTime::to_sql(bool include_offset) const {
  if (!valid_) return std::nullopt;
  return *to_sql_date() + " " + *to_sql_time(include_offset);
}

}  // namespace hookd::jsonata::truto::luxon
