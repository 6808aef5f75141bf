// Luxon's fixed-format parsers: ISO 8601, RFC 2822, HTTP dates, SQL.
#include <cmath>
#include <regex>

#include "jsonata/format/js.h"
#include "jsonata/truto/luxon.h"

namespace hookd::jsonata::truto::luxon {

namespace js = format::js;

// --- parsing ---

namespace {

double to_int(const std::ssub_match& m) {
  return m.matched && m.length() ? std::stod(m.str()) : NAN;
}

DateTime parsed_to_datetime(const std::map<std::string, double>& vals, const std::optional<Zone>& parsed_zone,
                            const Zone& default_zone, bool set_zone, double now, std::string_view format,
                            std::string_view text, std::optional<int> specific_offset = std::nullopt) {
  if (vals.empty() && !parsed_zone)
    return DateTime::invalid(
        "unparsable", "the input \"" + std::string(text) + "\" can't be parsed as " + std::string(format));
  const Zone& interpretation = parsed_zone ? *parsed_zone : default_zone;
  DateTime inst = DateTime::from_fields(vals, interpretation, now);
  (void)specific_offset;
  return set_zone ? inst : inst.set_zone(default_zone);
}

}  // namespace

DateTime DateTime::from_iso(std::string_view text, const Zone& default_zone, bool set_zone, double now) {
  // Luxon's patterns cannot match anything this long; refusing early bounds std::regex's recursion.
  if (text.size() > 900)
    return parsed_to_datetime({}, std::nullopt, default_zone, set_zone, now, "ISO 8601", text);
  static const std::string iana =
      R"([A-Za-z_+-]{1,256}(?::?\/[A-Za-z0-9_+-]{1,256}(?:\/[A-Za-z0-9_+-]{1,256})?)?)";
  static const std::string offset = R"((?:(Z)|([+-]\d\d)(?::?(\d\d))?))";
  static const std::string zone_part = "(?:" + offset + "?(?:\\[(" + iana + ")\\])?)?";
  static const std::string time_base = R"((\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d{1,30}))?)?)?)";
  static const std::string time_ext = "(?:T" + time_base + zone_part + ")?";
  static const std::regex ymd("^([+-]\\d{6}|\\d{4})(?:-?(\\d\\d)(?:-?(\\d\\d))?)?" + time_ext + "$");
  static const std::regex week("^(\\d{4})-?W(\\d\\d)(?:-?(\\d))?" + time_ext + "$");
  static const std::regex ordinal("^(\\d{4})-?(\\d{3})" + time_ext + "$");
  static const std::regex time_only("^" + time_base + zone_part + "$");

  std::string s(text);
  std::smatch m;
  std::map<std::string, double> vals;
  size_t cursor = 0;
  auto time_and_zone = [&](size_t at, std::optional<Zone>& zone) {
    vals["hour"] = m[at].matched ? to_int(m[at]) : 0;
    vals["minute"] = m[at + 1].matched ? to_int(m[at + 1]) : 0;
    vals["second"] = m[at + 2].matched ? to_int(m[at + 2]) : 0;
    if (m[at + 3].matched)
      vals["millisecond"] = std::floor(js::parse_float(js::to_utf16("0." + m[at + 3].str())) * 1000);
    if (m[at + 4].matched || m[at + 5].matched) {
      double h = m[at + 5].matched ? std::stod(m[at + 5].str()) : 0;
      double mins = m[at + 6].matched ? std::stod(m[at + 6].str()) : 0;
      bool negative = m[at + 5].matched && m[at + 5].str()[0] == '-';
      zone = Zone::from_offset(h * 60 + (negative ? -mins : mins));
    }
    if (m[at + 7].matched) zone = Zone::parse(m[at + 7].str());
  };
  std::optional<Zone> zone;
  if (std::regex_match(s, m, ymd)) {
    vals["year"] = to_int(m[1]);
    vals["month"] = m[2].matched ? to_int(m[2]) : 1;
    vals["day"] = m[3].matched ? to_int(m[3]) : 1;
    cursor = 4;
  } else if (std::regex_match(s, m, week)) {
    vals["weekYear"] = to_int(m[1]);
    vals["weekNumber"] = to_int(m[2]);
    if (m[3].matched) vals["weekday"] = to_int(m[3]);
    cursor = 4;
  } else if (std::regex_match(s, m, ordinal)) {
    vals["year"] = to_int(m[1]);
    vals["ordinal"] = to_int(m[2]);
    cursor = 3;
  } else if (std::regex_match(s, m, time_only)) {
    cursor = 1;
  } else {
    return parsed_to_datetime({}, std::nullopt, default_zone, set_zone, now, "ISO 8601", text);
  }
  time_and_zone(cursor, zone);
  return parsed_to_datetime(vals, zone, default_zone, set_zone, now, "ISO 8601", text);
}

namespace {

const char* const kMonthsShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kWeekdaysShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char* const kWeekdaysLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

double index_of(const char* const* list, int n, const std::string& s) {
  for (int i = 0; i < n; ++i)
    if (s == list[i]) return i;
  return -1;
}

std::map<std::string, double> from_strings(const std::string& weekday, const std::string& year,
                                           const std::string& month, const std::string& day,
                                           const std::string& hour, const std::string& minute,
                                           const std::string& second) {
  std::map<std::string, double> r;
  double y = std::stod(year);
  // untruncateYear with Luxon's default cutoff (60): 61-99 are 19xx, 00-60 are 20xx.
  r["year"] = year.size() == 2 ? (y > 60 ? 1900 + y : 2000 + y) : y;
  r["month"] = index_of(kMonthsShort, 12, month) + 1;
  r["day"] = std::stod(day);
  r["hour"] = std::stod(hour);
  r["minute"] = std::stod(minute);
  if (!second.empty()) r["second"] = std::stod(second);
  if (!weekday.empty())
    r["weekday"] =
        (weekday.size() > 3 ? index_of(kWeekdaysLong, 7, weekday) : index_of(kWeekdaysShort, 7, weekday)) + 1;
  return r;
}

}  // namespace

DateTime DateTime::from_rfc2822(std::string_view text, const Zone& default_zone, bool set_zone, double now) {
  // Comments and folding whitespace go; runs of whitespace become one space.
  std::string s;
  int depth = 0;
  for (char c : text) {
    (void)depth;
    s.push_back(c == '\n' || c == '\t' ? ' ' : c);
  }
  static const std::regex comment(R"(\([^()]*\))");
  s = std::regex_replace(s, comment, " ");
  static const std::regex spaces(R"(\s\s+)");
  s = std::regex_replace(s, spaces, " ");
  size_t b = s.find_first_not_of(" \t\r\n\f\v"), e = s.find_last_not_of(" \t\r\n\f\v");
  s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  static const std::regex rfc2822(
      R"(^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?(\d{1,2})\s(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s(\d{2,4})\s(\d\d):(\d\d)(?::(\d\d))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|(?:([+-]\d\d)(\d\d)))$)");
  std::smatch m;
  if (s.size() > 200 || !std::regex_match(s, m, rfc2822))
    return parsed_to_datetime({}, std::nullopt, default_zone, set_zone, now, "RFC 2822", text);
  auto vals =
      from_strings(m[1].str(), m[4].str(), m[3].str(), m[2].str(), m[5].str(), m[6].str(), m[7].str());
  double offset;
  if (m[8].matched) {
    static const std::map<std::string, double> obs = {
        {"UT", 0},        {"GMT", 0},       {"EDT", -4 * 60}, {"EST", -5 * 60}, {"CDT", -5 * 60},
        {"CST", -6 * 60}, {"MDT", -6 * 60}, {"MST", -7 * 60}, {"PDT", -7 * 60}, {"PST", -8 * 60}};
    offset = obs.count(m[8].str()) ? obs.at(m[8].str()) : NAN;
  } else if (m[9].matched) {
    offset = 0;
  } else {
    double h = std::stod(m[10].str()), mins = std::stod(m[11].str());
    offset = h * 60 + (m[10].str()[0] == '-' ? -mins : mins);
  }
  return parsed_to_datetime(vals, Zone::from_offset(offset), default_zone, set_zone, now, "RFC 2822", text);
}

DateTime DateTime::from_http(std::string_view text, const Zone& default_zone, bool set_zone, double now) {
  static const std::regex rfc1123(
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$)");
  static const std::regex rfc850(
      R"(^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d\d) (\d\d):(\d\d):(\d\d) GMT$)");
  static const std::regex ascii(
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ( \d|\d\d) (\d\d):(\d\d):(\d\d) (\d{4})$)");
  std::string s(text);
  std::smatch m;
  if (s.size() <= 100 && (std::regex_match(s, m, rfc1123) || std::regex_match(s, m, rfc850))) {
    auto vals =
        from_strings(m[1].str(), m[4].str(), m[3].str(), m[2].str(), m[5].str(), m[6].str(), m[7].str());
    return parsed_to_datetime(vals, Zone::utc(), default_zone, set_zone, now, "HTTP", text);
  }
  if (s.size() <= 100 && std::regex_match(s, m, ascii)) {
    std::string day = m[3].str();
    if (day[0] == ' ') day = day.substr(1);
    auto vals = from_strings(m[1].str(), m[7].str(), m[2].str(), day, m[4].str(), m[5].str(), m[6].str());
    return parsed_to_datetime(vals, Zone::utc(), default_zone, set_zone, now, "HTTP", text);
  }
  return parsed_to_datetime({}, std::nullopt, default_zone, set_zone, now, "HTTP", text);
}

DateTime DateTime::from_sql(std::string_view text, const Zone& default_zone, bool set_zone, double now) {
  static const std::string iana =
      R"([A-Za-z_+-]{1,256}(?::?\/[A-Za-z0-9_+-]{1,256}(?:\/[A-Za-z0-9_+-]{1,256})?)?)";
  static const std::string time =
      R"((\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d{1,30}))?)?)? ?(?:(?:(Z)|([+-]\d\d)(?::?(\d\d))?)|()" + iana +
      "))?";
  static const std::regex with_date("^(\\d{4})-(\\d\\d)-(\\d\\d)(?: " + time + ")?$");
  static const std::regex time_only("^" + time + "$");
  std::string s(text);
  std::smatch m;
  std::map<std::string, double> vals;
  std::optional<Zone> zone;
  size_t at;
  if (s.size() <= 900 && std::regex_match(s, m, with_date)) {
    vals = {{"year", to_int(m[1])}, {"month", to_int(m[2])}, {"day", to_int(m[3])}};
    at = 4;
  } else if (s.size() <= 900 && std::regex_match(s, m, time_only)) {
    at = 1;
  } else {
    return parsed_to_datetime({}, std::nullopt, default_zone, set_zone, now, "SQL", text);
  }
  vals["hour"] = m[at].matched ? to_int(m[at]) : 0;
  vals["minute"] = m[at + 1].matched ? to_int(m[at + 1]) : 0;
  vals["second"] = m[at + 2].matched ? to_int(m[at + 2]) : 0;
  if (m[at + 3].matched)
    vals["millisecond"] = std::floor(js::parse_float(js::to_utf16("0." + m[at + 3].str())) * 1000);
  if (m[at + 4].matched || m[at + 5].matched) {
    double h = m[at + 5].matched ? std::stod(m[at + 5].str()) : 0;
    double mins = m[at + 6].matched ? std::stod(m[at + 6].str()) : 0;
    zone = Zone::from_offset(h * 60 + (m[at + 5].matched && m[at + 5].str()[0] == '-' ? -mins : mins));
  }
  if (m[at + 7].matched) zone = Zone::parse(m[at + 7].str());
  return parsed_to_datetime(vals, zone, default_zone, set_zone, now, "SQL", text);
}

}  // namespace hookd::jsonata::truto::luxon
