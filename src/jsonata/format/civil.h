// ECMAScript time values (milliseconds since the epoch, UTC, proleptic Gregorian) and the Date.UTC / getUTC*
// arithmetic jsonata-js's date functions are built on, NaN-propagating like JavaScript's. Internal.
#pragma once

namespace hookd::jsonata::format::civil {

inline constexpr double kMsPerDay = 86400000.0;

// MakeDay / MakeTime / MakeDate / TimeClip from ECMA-262 21.4.1: non-finite arguments give NaN, fractional
// ones are truncated, months overflow into years.
double make_day(double year, double month, double date);
double make_time(double hour, double minute, double second, double millis);
double time_clip(double time);

// Date.UTC(year, month, date, hours, minutes, seconds, ms): a year 0..99 means 1900..1999.
double date_utc(double year, double month, double date = 1, double hours = 0, double minutes = 0,
                double seconds = 0, double millis = 0);

// The getUTC* fields of a time value (all NaN for NaN). month is 0..11, weekday 0 (Sunday) .. 6.
struct Fields {
  double year, month, date, weekday, hours, minutes, seconds, millis;
};
Fields fields(double time);

}  // namespace hookd::jsonata::format::civil
