// Luxon Durations: as(), toISO(), and DateTime.diff.
#include <algorithm>
#include <cmath>

#include "jsonata/format/js.h"
#include "jsonata/truto/luxon.h"
#include "jsonata/truto/luxon_internal.h"

namespace hookd::jsonata::truto::luxon {

namespace js = format::js;
using detail::casual_ms;
using detail::matrix;
using detail::ordered_units;

// --- durations ---

std::string normalize_unit(std::string_view unit) {
  std::string l(unit);
  for (auto& c : l)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& u : ordered_units())
    if (l == u || l + "s" == u) return u;
  return "";
}

const std::vector<std::string>& Duration::order() {
  return ordered_units();
}

double Duration::as(std::string_view unit_in) const {
  std::string unit = normalize_unit(unit_in);
  if (!valid || unit.empty()) return NAN;
  // shiftTo(unit).get(unit): larger units convert down, smaller ones accumulate and divide.
  double own = 0;
  std::map<std::string, double> accumulated;
  bool reached = false;
  for (const auto& k : ordered_units()) {
    auto it = values.find(k);
    if (k == unit) {
      reached = true;
      for (auto& [ak, av] : accumulated) {
        own += matrix(ak, k) * av;
        av = 0;
      }
      if (it != values.end()) own += it->second;
      double i = std::trunc(own);
      accumulated[k] = (own * 1000 - i * 1000) / 1000;
      own = i;
    } else if (it != values.end()) {
      accumulated[k] = it->second;
    }
  }
  if (!reached) return NAN;
  for (const auto& [k, v] : accumulated) {
    if (v == 0) continue;
    own += k == unit ? v : v / matrix(unit, k);
  }
  return own;
}

std::string Duration::to_iso() const {
  auto get = [&](const char* k) {
    auto it = values.find(k);
    return it == values.end() ? 0.0 : it->second;
  };
  std::string s = "P";
  auto num = [](double v) { return js::number_to_string(v); };
  if (get("years") != 0) s += num(get("years")) + "Y";
  if (get("months") != 0 || get("quarters") != 0) s += num(get("months") + get("quarters") * 3) + "M";
  if (get("weeks") != 0) s += num(get("weeks")) + "W";
  if (get("days") != 0) s += num(get("days")) + "D";
  if (get("hours") != 0 || get("minutes") != 0 || get("seconds") != 0 || get("milliseconds") != 0) s += "T";
  if (get("hours") != 0) s += num(get("hours")) + "H";
  if (get("minutes") != 0) s += num(get("minutes")) + "M";
  if (get("seconds") != 0 || get("milliseconds") != 0)
    s += num(std::round((get("seconds") + get("milliseconds") / 1000) * 1000) / 1000) + "S";
  if (s == "P") s += "T0S";
  return s;
}

namespace {

double day_diff(const DateTime& earlier, const DateTime& later) {
  auto utc_day_start = [](const DateTime& dt) { return dt.set_zone(Zone::utc(), true).start_of("day").ts(); };
  double ms = utc_day_start(later) - utc_day_start(earlier);
  return std::floor(ms / 86400000.0);
}

}  // namespace

Duration diff(const DateTime& a, const DateTime& b, const std::vector<std::string>& units_in) {
  Duration out;
  if (!a.valid() || !b.valid()) {
    out.valid = false;
    return out;
  }
  std::vector<std::string> units;
  for (const auto& u : units_in)
    units.push_back(normalize_unit(u));
  if (units.empty()) units.push_back("milliseconds");
  bool other_is_later = b.ts() > a.ts();
  const DateTime& earlier = other_is_later ? a : b;
  const DateTime& later = other_is_later ? b : a;

  auto has = [&](const std::string& u) { return std::find(units.begin(), units.end(), u) != units.end(); };
  std::map<std::string, double> results;
  DateTime cursor = earlier;
  DateTime high_water = earlier;
  std::string lowest;
  auto differ = [&](const std::string& unit, const DateTime& x, const DateTime& y) -> double {
    if (unit == "years") return y.c().year - x.c().year;
    if (unit == "quarters") return y.quarter() - x.quarter() + (y.c().year - x.c().year) * 4;
    if (unit == "months") return y.c().month - x.c().month + (y.c().year - x.c().year) * 12;
    double days = day_diff(x, y);
    if (unit == "weeks") return (days - std::fmod(days, 7)) / 7;
    return days;
  };
  for (const char* unit : {"years", "quarters", "months", "weeks", "days"}) {
    if (!has(unit)) continue;
    lowest = unit;
    results[unit] = differ(unit, cursor, later);
    high_water = earlier.plus(results);
    if (high_water.ts() > later.ts()) {
      results[unit]--;
      cursor = earlier.plus(results);
      if (cursor.ts() > later.ts()) {
        high_water = cursor;
        results[unit]--;
        cursor = earlier.plus(results);
      }
    } else {
      cursor = high_water;
    }
  }
  double remaining = later.ts() - cursor.ts();
  std::vector<std::string> lower;
  for (const char* u : {"hours", "minutes", "seconds", "milliseconds"})
    if (has(u)) lower.push_back(u);
  if (lower.empty() && !lowest.empty()) {
    if (high_water.ts() < later.ts()) high_water = cursor.plus({{lowest, 1}});
    if (high_water.ts() != cursor.ts())
      results[lowest] = results[lowest] + remaining / (high_water.ts() - cursor.ts());
  }
  if (!lower.empty()) {
    // Duration.fromMillis(remaining).shiftTo(...lower): whole units from the largest down, the rest in the
    // last.
    double rest = remaining;
    for (size_t i = 0; i < lower.size(); ++i) {
      double per = casual_ms(lower[i]);
      double v = i + 1 == lower.size() ? rest / per : std::trunc(rest / per);
      results[lower[i]] += v;
      rest -= v * per;
    }
  }
  for (const auto& u : ordered_units())
    if (results.count(u)) out.values[u] = other_is_later ? -results[u] : results[u];
  for (auto& [k, v] : out.values)
    if (v == 0) v = 0;  // no negative zeros
  return out;
}

}  // namespace hookd::jsonata::truto::luxon
