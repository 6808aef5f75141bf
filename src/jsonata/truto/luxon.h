// The part of Luxon 3.5 (the date library behind Truto's $dtFromIso / $dtFromFormat) that webhook configs
// use: parsing ISO 8601, RFC 2822, HTTP dates, epoch seconds and Luxon format strings; zones (UTC, fixed
// offsets, IANA names from the system tz database; the "system" zone is UTC, so results never depend on the
// host); arithmetic (plus, minus, startOf, endOf, diff); output (toISO, toFormat, toMillis, toSeconds, ...).
// Locale is always en-US. Internal.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hookd/json.h"
#include "jsonata/truto/tz.h"

namespace hookd::jsonata::truto::luxon {

struct Zone {
  enum class Kind { system, fixed, iana, invalid } kind = Kind::system;
  int fixed = 0;      // minutes east of UTC, for Kind::fixed
  std::string input;  // what the zone was called (IANA name as given, or the invalid input)
  std::shared_ptr<const tz::Zone> iana;

  static Zone utc() { return Zone{Kind::fixed, 0, "", nullptr}; }
  // normalizeZone: "default"/"local"/"system", "utc"/"gmt", "UTC+5", "UTC-03:30", IANA names; anything else
  // is an invalid zone (the DateTime becomes invalid: "unsupported zone").
  static Zone parse(std::string_view text);
  static Zone from_offset(double minutes);

  int offset(double ts) const;  // minutes at instant ts
  bool offset_fixed() const { return kind == Kind::fixed; }
  bool valid() const { return kind != Kind::invalid; }
  std::string name() const;                                  // zoneName
  std::string offset_name(double ts, bool long_form) const;  // offsetNameShort / offsetNameLong (en-US)
};

// Calendar fields in a zone.
struct Fields {
  double year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
};

// toISO / toISOTime options.
struct IsoOptions {
  bool extended = true, suppress_seconds = false, suppress_milliseconds = false, include_offset = true,
       extended_zone = false, include_prefix = false;
};

class DateTime {
 public:
  static DateTime invalid(std::string reason, std::string explanation);
  static DateTime from_millis(double ms, const Zone& zone);
  // fromObject-style: the given units in `zone`; units missing above the first given default to `now`, below
  // to their minimum. Invalid ("unit out of range") when a value is out of range.
  static DateTime from_fields(const std::map<std::string, double>& units, const Zone& zone, double now);

  static DateTime from_iso(std::string_view text, const Zone& default_zone, bool set_zone, double now);
  static DateTime from_rfc2822(std::string_view text, const Zone& default_zone, bool set_zone, double now);
  static DateTime from_http(std::string_view text, const Zone& default_zone, bool set_zone, double now);
  static DateTime from_sql(std::string_view text, const Zone& default_zone, bool set_zone, double now);
  static DateTime from_format(std::string_view text, std::string_view format, const Zone& default_zone,
                              bool set_zone, double now);

  bool valid() const { return valid_; }
  double ts() const { return ts_; }
  int offset() const { return o_; }
  const Zone& zone() const { return zone_; }
  const Fields& c() const { return c_; }
  const std::string& invalid_reason() const { return reason_; }
  const std::string& invalid_explanation() const { return explanation_; }

  DateTime set_zone(const Zone& zone, bool keep_local_time = false) const;
  // set(): these local fields (out-of-range values roll over), in the same zone; `clamp_day` keeps the day
  // within the month, as set() does when no day is given.
  DateTime with_fields(Fields f, bool clamp_day) const;
  // Luxon duration units (years, quarters, months, weeks, days, hours, minutes, seconds, milliseconds,
  // singular forms too) as given to plus/minus.
  DateTime plus(const std::map<std::string, double>& duration) const;
  DateTime start_of(std::string_view unit) const;
  DateTime end_of(std::string_view unit) const;

  std::optional<std::string> to_iso() const;
  std::optional<std::string> to_iso(const IsoOptions& o) const;
  std::optional<std::string> to_iso_date(bool extended = true) const;
  std::optional<std::string> to_iso_time() const;
  std::optional<std::string> to_iso_time(const IsoOptions& o) const;
  std::optional<std::string> to_iso_week_date() const;
  std::optional<std::string> to_rfc2822() const;
  std::optional<std::string> to_http() const;
  std::optional<std::string> to_sql_date() const;
  std::optional<std::string> to_sql_time(bool include_offset = true) const;
  std::optional<std::string> to_sql(bool include_offset = true) const;
  std::string to_format(std::string_view format) const;  // "Invalid DateTime" when invalid

  // Getters Truto copies onto its wrapper (weekday: 1 = Monday; ordinal: day of the year).
  double quarter() const;
  double week_year() const;
  double week_number() const;
  double weekday() const;
  double ordinal() const;
  double days_in_month() const;
  double days_in_year() const;
  double weeks_in_week_year() const;
  bool is_in_leap_year() const;
  bool is_in_dst() const;

 private:
  bool valid_ = false;
  double ts_ = 0;
  int o_ = 0;
  Zone zone_;
  Fields c_;
  std::string reason_, explanation_;
};

// A Luxon Duration, kept as its unit values (in Luxon's canonical order).
struct Duration {
  std::map<std::string, double> values;  // "years", "months", ..., "milliseconds"
  bool valid = true;
  // as(unit): the total in one unit, converting with Luxon's casual matrix (a month is 30 days, a year 365).
  double as(std::string_view unit) const;
  std::string to_iso() const;
  // Luxon's unit order, for output.
  static const std::vector<std::string>& order();
};

// dt.diff(other, units): the duration from other to dt in the given units (milliseconds when none).
Duration diff(const DateTime& a, const DateTime& b, const std::vector<std::string>& units);

// Normalises a Luxon unit name ("day", "Days" -> "days"); empty when unknown.
std::string normalize_unit(std::string_view unit);

}  // namespace hookd::jsonata::truto::luxon
