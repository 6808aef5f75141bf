// IANA time zones from the system's compiled tz database (TZif files under /usr/share/zoneinfo, Debian's
// tzdata), for $dtFromIso / $dtFromFormat zones such as "America/New_York". Internal.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hookd::jsonata::truto::tz {

class Zone {
 public:
  // Offset from UTC in minutes at an instant (milliseconds since the epoch).
  int offset_minutes(double utc_millis) const;
  // The zone's abbreviation at an instant ("EST", "CET", "+0530").
  std::string abbreviation(double utc_millis) const;
  bool is_dst(double utc_millis) const;
  const std::string& name() const noexcept { return name_; }

  // Parsed from TZif bytes (version 2 or later); nullptr if malformed.
  static std::shared_ptr<const Zone> from_tzif(std::string name, std::string_view bytes);

 private:
  struct Type {
    int utoff = 0;  // seconds
    bool dst = false;
    std::string abbr;
  };
  // POSIX TZ rule for instants after the last transition ("EST5EDT,M3.2.0,M11.1.0").
  struct Rule {
    bool valid = false;
    Type std_type, dst_type;
    bool has_dst = false;
    // Each rule date: kind 'M' (month.week.day), 'J' (Julian day 1-365, no Feb 29) or 'n' (0-365), and a
    // time.
    struct When {
      char kind = 'M';
      int month = 0, week = 0, day = 0;
      long time = 7200;  // seconds after local midnight
    } start, end;
  };
  const Type& type_at(double utc_millis) const;
  static bool parse_rule(std::string_view s, Rule& rule);
  static long rule_transition(const Rule::When& w, long year, int offset_before);

  std::string name_;
  std::vector<long long> transitions_;  // seconds since the epoch
  std::vector<unsigned char> indices_;
  std::vector<Type> types_;
  Rule rule_;
};

// The zone called `name` (case-insensitive, as Intl accepts it), loaded once and cached; nullptr if the tz
// database has no such zone. `dir` is for tests.
std::shared_ptr<const Zone> find(std::string_view name, const std::string& dir = "/usr/share/zoneinfo");

}  // namespace hookd::jsonata::truto::tz
