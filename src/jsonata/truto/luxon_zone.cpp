// Luxon's zones: a fixed offset ("UTC+2"), an IANA zone from hookd's time zone database, the system zone (UTC
// on a server), or an invalid one; their offsets and names as Luxon (with Intl's en-US names) prints them.
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <string>

#include "jsonata/truto/luxon.h"
#include "jsonata/truto/luxon_internal.h"

namespace hookd::jsonata::truto::luxon {

Zone Zone::from_offset(double minutes) {
  return Zone{Kind::fixed, static_cast<int>(minutes), "", nullptr};
}

Zone Zone::parse(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "default" || lower == "local" || lower == "system") return Zone{};
  if (lower == "utc" || lower == "gmt") return utc();
  static const std::regex specifier(R"(^utc(?:([+-]\d{1,2})(?::(\d{2}))?)?$)", std::regex::icase);
  std::smatch m;
  std::string s(text);
  if (s.size() < 16 && std::regex_match(s, m, specifier)) {
    double hours = m[1].matched ? std::stod(m[1].str()) : 0;
    double mins = m[2].matched ? std::stod(m[2].str()) : 0;
    bool negative = m[1].matched && m[1].str()[0] == '-';
    return from_offset(hours * 60 + (negative ? -mins : mins));
  }
  Zone z;
  z.input = std::string(text);
  z.iana = tz::find(text);
  z.kind = z.iana ? Kind::iana : Kind::invalid;
  return z;
}

int Zone::offset(double ts) const {
  switch (kind) {
    case Kind::system:
      return 0;
    case Kind::fixed:
      return fixed;
    case Kind::iana:
      return std::isnan(ts) ? 0 : iana->offset_minutes(ts);
    case Kind::invalid:
      return 0;
  }
  return 0;
}

std::string Zone::name() const {
  auto narrow = [](int o) {
    int h = std::abs(o) / 60, m = std::abs(o) % 60;
    return std::string(o >= 0 ? "+" : "-") + std::to_string(h) + (m > 0 ? ":" + std::to_string(m) : "");
  };
  switch (kind) {
    case Kind::system:
      return "UTC";
    case Kind::fixed:
      return fixed == 0 ? "UTC" : "UTC" + narrow(fixed);
    case Kind::iana:
      return input;
    case Kind::invalid:
      return input;
  }
  return "";
}

std::string Zone::offset_name(double ts, bool long_form) const {
  if (kind == Kind::system) return long_form ? "Coordinated Universal Time" : "UTC";
  if (kind != Kind::iana) return name();
  // Intl's en-US names: the US zones have abbreviations ("EST"), elsewhere "GMT+1". Long names come from
  // CLDR, which hookd does not carry: the few common ones are listed, others fall back to the short form.
  static const std::map<std::string, std::string> kLong = {
      {"EST", "Eastern Standard Time"},        {"EDT", "Eastern Daylight Time"},
      {"CST", "Central Standard Time"},        {"CDT", "Central Daylight Time"},
      {"MST", "Mountain Standard Time"},       {"MDT", "Mountain Daylight Time"},
      {"PST", "Pacific Standard Time"},        {"PDT", "Pacific Daylight Time"},
      {"AKST", "Alaska Standard Time"},        {"AKDT", "Alaska Daylight Time"},
      {"HST", "Hawaii-Aleutian Standard Time"}};
  std::string abbr = iana->abbreviation(ts);
  if (kLong.count(abbr) && iana->name().rfind("America/", 0) == 0) return long_form ? kLong.at(abbr) : abbr;
  if (kLong.count(abbr) && (iana->name().rfind("US/", 0) == 0 || iana->name() == "Pacific/Honolulu"))
    return long_form ? kLong.at(abbr) : abbr;
  // CLDR's long names for the metazones of some widely used zones (by the zone's standard/daylight state).
  struct Metazone {
    const char* zones;  // '|'-separated
    const char* standard;
    const char* daylight;
  };
  static const Metazone kMetazones[] = {
      {"Asia/Kolkata|Asia/Calcutta", "India Standard Time", "India Standard Time"},
      {"Europe/Berlin|Europe/Paris|Europe/Madrid|Europe/Rome|Europe/Amsterdam|Europe/Brussels|Europe/Vienna|"
       "Europe/Stockholm|Europe/Oslo|Europe/Copenhagen|Europe/Warsaw|Europe/Prague|Europe/Zurich|Europe/"
       "Budapest",
       "Central European Standard Time", "Central European Summer Time"},
      {"Europe/London|GB", "Greenwich Mean Time", "British Summer Time"},
      {"Europe/Athens|Europe/Helsinki|Europe/Kiev|Europe/Kyiv|Europe/Bucharest|Europe/Sofia",
       "Eastern European Standard Time", "Eastern European Summer Time"},
      {"Asia/Tokyo|Japan", "Japan Standard Time", "Japan Daylight Time"},
      {"Asia/Shanghai|PRC|Asia/Hong_Kong", "China Standard Time", "China Daylight Time"},
      {"Asia/Singapore|Singapore", "Singapore Standard Time", "Singapore Standard Time"},
      {"Asia/Dubai", "Gulf Standard Time", "Gulf Standard Time"},
      {"Australia/Sydney|Australia/Melbourne|Australia/Hobart", "Australian Eastern Standard Time",
       "Australian Eastern Daylight Time"},
      {"America/Sao_Paulo", "Brasilia Standard Time", "Brasilia Summer Time"},
  };
  if (long_form) {
    for (const auto& m : kMetazones) {
      std::string_view zones = m.zones;
      size_t start = 0;
      while (start <= zones.size()) {
        size_t bar = zones.find('|', start);
        if (zones.substr(start, bar - start) == iana->name())
          return iana->is_dst(ts) ? m.daylight : m.standard;
        if (bar == std::string_view::npos) break;
        start = bar + 1;
      }
    }
  }
  int o = offset(ts);
  if (o == 0) return "GMT";
  int h = std::abs(o) / 60, m = std::abs(o) % 60;
  return std::string("GMT") + (o >= 0 ? "+" : "-") + std::to_string(h) +
         (m ? (m < 10 ? ":0" : ":") + std::to_string(m) : "");
}

}  // namespace hookd::jsonata::truto::luxon
