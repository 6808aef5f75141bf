#include "jsonata/format/civil.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace hookd::jsonata::format::civil {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), after H. Hinnant's days_from_civil.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

}  // namespace

double make_day(double year, double month, double date) {
  if (!std::isfinite(year) || !std::isfinite(month) || !std::isfinite(date)) return kNaN;
  double y = std::trunc(year), m = std::trunc(month), dt = std::trunc(date);
  double ym = y + std::floor(m / 12);
  // Far outside the +-275760-year range of a time value; TimeClip would reject the result anyway.
  if (std::fabs(ym) > 1e8 || std::fabs(dt) > 1e15) return kNaN;
  double mn = std::fmod(m, 12);
  if (mn < 0) mn += 12;
  double days =
      static_cast<double>(days_from_civil(static_cast<int64_t>(ym), static_cast<int64_t>(mn) + 1, 1));
  return days + dt - 1;
}

double make_time(double hour, double minute, double second, double millis) {
  if (!std::isfinite(hour) || !std::isfinite(minute) || !std::isfinite(second) || !std::isfinite(millis))
    return kNaN;
  return std::trunc(hour) * 3600000.0 + std::trunc(minute) * 60000.0 + std::trunc(second) * 1000.0 +
         std::trunc(millis);
}

double time_clip(double time) {
  if (!std::isfinite(time) || std::fabs(time) > 8.64e15) return kNaN;
  return std::trunc(time) + 0.0;  // + 0.0 turns -0 into +0
}

double date_utc(double year, double month, double date, double hours, double minutes, double seconds,
                double millis) {
  if (!std::isnan(year)) {
    double yi = std::trunc(year);
    if (yi >= 0 && yi <= 99) year = 1900 + yi;
  }
  double day = make_day(year, month, date);
  double time = make_time(hours, minutes, seconds, millis);
  if (std::isnan(day) || std::isnan(time)) return kNaN;
  return time_clip(day * kMsPerDay + time);
}

Fields fields(double time) {
  if (std::isnan(time)) return {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  double day = std::floor(time / kMsPerDay);
  double in_day = time - day * kMsPerDay;
  int64_t y, m, d;
  civil_from_days(static_cast<int64_t>(day), y, m, d);
  double weekday = std::fmod(day + 4, 7);
  if (weekday < 0) weekday += 7;
  return {static_cast<double>(y),
          static_cast<double>(m - 1),
          static_cast<double>(d),
          weekday,
          std::floor(in_day / 3600000.0),
          std::fmod(std::floor(in_day / 60000.0), 60),
          std::fmod(std::floor(in_day / 1000.0), 60),
          std::fmod(in_day, 1000)};
}

}  // namespace hookd::jsonata::format::civil
