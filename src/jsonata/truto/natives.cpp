// $dtFromIso / $dtFromFormat and the wrapper objects Truto hands to JSONata for luxon DateTimes, Durations
// and URLs: their data as members, their methods as function members.
#include "jsonata/truto/natives.h"

#include <cmath>

#include "jsonata/format/civil.h"
#include "jsonata/format/js.h"
#include "jsonata/truto/lodash.h"

namespace hookd::jsonata::truto {

namespace {

namespace js = format::js;
using Args = std::span<const json::Value>;
using luxon::DateTime;
using luxon::Duration;
using luxon::Zone;

const json::Value& arg(Args args, size_t i) {
  static const json::Value undefined;
  return i < args.size() ? args[i] : undefined;
}

jsonata::Error js_exception(std::string name, std::string message) {
  jsonata::Error e;
  e.code = std::move(name);
  e.message = std::move(message);
  return e;
}

json::Value opt_string(const std::optional<std::string>& s) {
  return s ? json::Value(*s) : json::Value::null();
}

// A zone argument as luxon's normalizeZone takes it.
Zone zone_arg(const json::Value& v) {
  if (v.is_number()) return Zone::from_offset(v.as_number());
  if (v.is_undefined() || v.is_null()) return Zone{};
  return Zone::parse(js_string(v));
}

// Duration-like values: a number of milliseconds or an object of units.
jsonata::Result<std::map<std::string, double>> duration_arg(const json::Value& v) {
  std::map<std::string, double> out;
  if (auto d = unwrap_duration(v)) return d->values;
  if (v.is_number()) {
    out["milliseconds"] = v.as_number();
    return out;
  }
  if (v.is_object()) {
    for (const auto& m : v.members()) {
      if (m.value.is_null() || m.value.is_undefined()) continue;
      std::string unit = luxon::normalize_unit(m.name());
      if (unit.empty()) return js_exception("Error", "Invalid unit " + std::string(m.name()));
      double n = lodash::to_number(m.value);
      if (m.value.is_bool() || (m.value.is_string() && m.value.as_string().empty()) || std::isnan(n))
        return js_exception("Error", "Invalid unit value " + js_string(m.value));
      out[unit] = n;
    }
    return out;
  }
  return js_exception("Error", "Unknown duration argument " + js_string(v) + " of type " +
                                   (v.is_string() ? "string"
                                    : v.is_bool() ? "boolean"
                                                  : "object"));
}

// Luxon's dt.diff(other, unit): `unit` one unit name or an array of them (undefined: milliseconds).
jsonata::Result<json::Value> diff_in_units(const DateTime& dt, const DateTime& other,
                                           const json::Value& unit) {
  std::vector<std::string> units;
  if (unit.is_array()) {
    for (const auto& x : unit.as_array())
      units.push_back(js_string(x));
  } else if (!unit.is_undefined()) {
    units.push_back(js_string(unit));
  }
  for (const auto& x : units)
    if (luxon::normalize_unit(x).empty()) return js_exception("Error", "Invalid unit " + x);
  return wrap_duration(luxon::diff(dt, other, units));
}

// The wrapper's method functions, built once; each reads its DateTime from the call's input.
using Method = jsonata::Result<json::Value> (*)(const DateTime&, CallContext&, Args);

jsonata::Result<json::Value> dt_result(const DateTime& d) {
  return wrap_datetime(d);
}

jsonata::Result<json::Value> call_plus(const DateTime& dt, Args a, double sign) {
  auto d = duration_arg(arg(a, 0));
  if (!d.ok()) return d.error();
  auto units = d.value();
  for (auto& [k, v] : units)
    v *= sign;
  return wrap_datetime(dt.plus(units));
}

luxon::IsoOptions iso_options(const json::Value& o) {
  luxon::IsoOptions opts;
  if (!o.is_object()) return opts;
  if (o.get("format").string_or("") == "basic") opts.extended = false;
  if (o.get("suppressSeconds").is_bool()) opts.suppress_seconds = o.get("suppressSeconds").as_bool();
  if (o.get("suppressMilliseconds").is_bool())
    opts.suppress_milliseconds = o.get("suppressMilliseconds").as_bool();
  if (o.get("includeOffset").is_bool()) opts.include_offset = o.get("includeOffset").as_bool();
  if (o.get("extendedZone").is_bool()) opts.extended_zone = o.get("extendedZone").as_bool();
  if (o.get("includePrefix").is_bool()) opts.include_prefix = o.get("includePrefix").as_bool();
  return opts;
}

// dt.set({unit: value, ...}): calendar fields replaced, the rest kept (the day clamped to the new month
// unless given), the instant recomputed in the same zone. Week and ordinal units are not supported here.
jsonata::Result<json::Value> set_fields(const DateTime& dt, Args a) {
  if (!dt.valid() || !arg(a, 0).is_object()) return wrap_datetime(dt);
  luxon::Fields f = dt.c();
  bool day_given = false;
  for (const auto& m : arg(a, 0).members()) {
    if (m.value.is_null() || m.value.is_undefined()) continue;
    std::string unit = luxon::normalize_unit(m.name());
    double v = lodash::to_number(m.value);
    if (unit == "years") {
      f.year = v;
    } else if (unit == "months") {
      f.month = v;
    } else if (unit == "days") {
      f.day = v;
      day_given = true;
    } else if (unit == "hours") {
      f.hour = v;
    } else if (unit == "minutes") {
      f.minute = v;
    } else if (unit == "seconds") {
      f.second = v;
    } else if (unit == "milliseconds") {
      f.millisecond = v;
    } else {
      return js_exception("Error", "Invalid unit " + std::string(m.name()));
    }
  }
  return wrap_datetime(dt.with_fields(f, !day_given));
}

struct MethodEntry {
  const char* name;
  Method fn;
};

const MethodEntry kDateTimeMethods[] = {
    {"plus", [](const DateTime& dt, CallContext&, Args a) { return call_plus(dt, a, 1); }},
    {"minus", [](const DateTime& dt, CallContext&, Args a) { return call_plus(dt, a, -1); }},
    {"set", [](const DateTime& dt, CallContext&, Args a) { return set_fields(dt, a); }},
    {"startOf",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       std::string u = luxon::normalize_unit(js_string(arg(a, 0)));
       if (u.empty()) return js_exception("Error", "Invalid unit " + js_string(arg(a, 0)));
       return wrap_datetime(dt.start_of(u));
     }},
    {"endOf",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       std::string u = luxon::normalize_unit(js_string(arg(a, 0)));
       if (u.empty()) return js_exception("Error", "Invalid unit " + js_string(arg(a, 0)));
       return wrap_datetime(dt.end_of(u));
     }},
    {"setZone",
     [](const DateTime& dt, CallContext&, Args a) {
       bool keep = arg(a, 1).is_object() && js_truthy(arg(a, 1).get("keepLocalTime"));
       return dt_result(dt.set_zone(zone_arg(arg(a, 0)), keep));
     }},
    {"setLocale", [](const DateTime& dt, CallContext&, Args) { return dt_result(dt); }},
    {"reconfigure", [](const DateTime& dt, CallContext&, Args) { return dt_result(dt); }},
    {"toUTC",
     [](const DateTime& dt, CallContext&, Args a) {
       bool keep = arg(a, 1).is_object() && js_truthy(arg(a, 1).get("keepLocalTime"));
       Zone z = arg(a, 0).is_number() ? Zone::from_offset(arg(a, 0).as_number()) : Zone::utc();
       return dt_result(dt.set_zone(z, keep));
     }},
    {"toLocal", [](const DateTime& dt, CallContext&, Args) { return dt_result(dt.set_zone(Zone{})); }},
    {"toFormat",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       return json::Value(dt.to_format(js_string(arg(a, 0))));
     }},
    {"toISO",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_iso(iso_options(arg(a, 0))));
     }},
    {"toISODate",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_iso_date(arg(a, 0).get("format").string_or("") != "basic"));
     }},
    {"toISOTime",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_iso_time(iso_options(arg(a, 0))));
     }},
    {"toISOWeekDate",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_iso_week_date());
     }},
    {"toRFC2822",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_rfc2822());
     }},
    {"toHTTP",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_http());
     }},
    {"toSQL",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       bool offset = !(arg(a, 0).is_object() && arg(a, 0).get("includeOffset").is_bool() &&
                       !arg(a, 0).get("includeOffset").as_bool());
       return opt_string(dt.to_sql(offset));
     }},
    {"toSQLDate",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return opt_string(dt.to_sql_date());
     }},
    {"toSQLTime",
     [](const DateTime& dt, CallContext&, Args a) -> jsonata::Result<json::Value> {
       bool offset = !(arg(a, 0).is_object() && arg(a, 0).get("includeOffset").is_bool() &&
                       !arg(a, 0).get("includeOffset").as_bool());
       return opt_string(dt.to_sql_time(offset));
     }},
    {"toMillis",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return json::Value(dt.valid() ? dt.ts() : NAN);
     }},
    {"valueOf",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return json::Value(dt.valid() ? dt.ts() : NAN);
     }},
    {"toSeconds",
     [](const DateTime& dt, CallContext&, Args) -> jsonata::Result<json::Value> {
       return json::Value(dt.valid() ? dt.ts() / 1000 : NAN);
     }},
    {"toUnixInteger",
     [](const DateTime& dt, CallContext&, Args)
         -> jsonata::Result<
             json::Value> { return json::Value(dt.valid() ? std::floor(dt.ts() / 1000) : NAN); }},
    {"toJSDate",
     [](const DateTime& dt, CallContext&,
        Args) -> jsonata::
                  Result<json::Value> {
                    // A Date in JSONata is only ever serialised: its toISOString().
                    if (!dt.valid()) return json::Value::null();
                    return json::Value(*dt.set_zone(Zone::utc()).to_iso(luxon::IsoOptions{}));
                  }},
    {"toLocaleString",
     [](const DateTime& dt, CallContext&, Args)
         -> jsonata::Result<
             json::Value> { return json::Value(dt.valid() ? dt.to_format("D") : "Invalid DateTime"); }},
    {"diff",
     [](const DateTime& dt, CallContext&,
        Args a) -> jsonata::
                    Result<json::Value> {
                      auto other = unwrap_datetime(arg(a, 0));
                      if (!other)
                        return js_exception("TypeError",
                                            "Cannot read properties of undefined (reading 'valueOf')");
                      return diff_in_units(dt, *other, arg(a, 1));
                    }},
    {"diffNow",
     [](const DateTime& dt, CallContext& ctx,
        Args a) -> jsonata::
                    Result<json::Value> {
                      // Luxon: diffNow(unit, opts) is diff(DateTime.now(), unit, opts).
                      return diff_in_units(dt, DateTime::from_millis(ctx.now_millis(), Zone{}), arg(a, 0));
                    }},
    {"hasSame",
     [](const DateTime& dt, CallContext&,
        Args a) -> jsonata::
                    Result<json::Value> {
                      auto other = unwrap_datetime(arg(a, 0));
                      if (!dt.valid() || !other || !other->valid()) return json::Value(false);
                      std::string u = luxon::normalize_unit(js_string(arg(a, 1)));
                      if (u.empty()) return js_exception("Error", "Invalid unit " + js_string(arg(a, 1)));
                      DateTime adjusted = other->set_zone(dt.zone(), true);
                      return json::Value(dt.start_of(u).ts() <= adjusted.ts() &&
                                         adjusted.ts() <= dt.end_of(u).ts());
                    }},
    {"equals",
     [](const DateTime& dt, CallContext&,
        Args a) -> jsonata::
                    Result<json::Value> {
                      auto other = unwrap_datetime(arg(a, 0));
                      if (!dt.valid() || !other || !other->valid()) return json::Value(false);
                      return json::Value(dt.ts() == other->ts() && dt.zone().name() == other->zone().name() &&
                                         dt.zone().kind == other->zone().kind);
                    }},
};

using DurationMethod = jsonata::Result<json::Value> (*)(const Duration&, CallContext&, Args);
struct DurationMethodEntry {
  const char* name;
  DurationMethod fn;
};

const DurationMethodEntry kDurationMethods[] = {
    {"as",
     [](const Duration& d, CallContext&, Args a) -> jsonata::Result<json::Value> {
       std::string u = luxon::normalize_unit(js_string(arg(a, 0)));
       if (u.empty()) return js_exception("Error", "Invalid unit " + js_string(arg(a, 0)));
       return json::Value(d.as(u));
     }},
    {"get",
     [](const Duration& d, CallContext&, Args a) -> jsonata::Result<json::Value> {
       std::string u = luxon::normalize_unit(js_string(arg(a, 0)));
       if (u.empty()) return js_exception("Error", "Invalid unit " + js_string(arg(a, 0)));
       auto it = d.values.find(u);
       return json::Value(it == d.values.end() ? 0.0 : it->second);
     }},
    {"toMillis",
     [](const Duration& d, CallContext&, Args) -> jsonata::Result<json::Value> {
       return json::Value(d.as("milliseconds"));
     }},
    {"toISO",
     [](const Duration& d, CallContext&, Args) -> jsonata::Result<json::Value> {
       return d.valid ? json::Value(d.to_iso()) : json::Value::null();
     }},
    {"toObject",
     [](const Duration& d, CallContext&, Args) -> jsonata::Result<json::Value> {
       json::ObjectBuilder b;
       for (const auto& u : Duration::order())
         if (d.values.count(u)) b.set(u, json::Value(d.values.at(u)));
       return std::move(b).build();
     }},
    {"negate",
     [](const Duration& d, CallContext&, Args) -> jsonata::Result<json::Value> {
       Duration n = d;
       for (auto& [k, v] : n.values)
         v = v == 0 ? 0 : -v;
       return wrap_duration(n);
     }},
};

// The function values for the methods, built once through the public registration API.
struct MethodTables {
  std::vector<std::pair<std::string, json::Value>> datetime, duration;
};

const MethodTables& methods() {
  static const MethodTables tables = [] {
    MethodTables t;
    FunctionSet::Builder b;
    for (const auto& m : kDateTimeMethods) {
      Method fn = m.fn;
      b.add(
          std::string("dt.") + m.name, "",
          [fn](CallContext& ctx, Args a) -> jsonata::Result<json::Value> {
            // Arguments that are wrappers count as their native value (Truto's unwrapNative).
            auto self = unwrap_datetime(ctx.input());
            if (!self) return js_exception("TypeError", "DateTime method called without its DateTime");
            return fn(*self, ctx, a);
          },
          0);
    }
    for (const auto& m : kDurationMethods) {
      DurationMethod fn = m.fn;
      b.add(
          std::string("dur.") + m.name, "",
          [fn](CallContext& ctx, Args a) -> jsonata::Result<json::Value> {
            auto self = unwrap_duration(ctx.input());
            if (!self) return js_exception("TypeError", "Duration method called without its Duration");
            return fn(*self, ctx, a);
          },
          0);
    }
    auto set = std::move(b).build();
    if (set.ok()) {
      for (const auto& m : kDateTimeMethods)
        t.datetime.emplace_back(m.name, *set.value().find(std::string("dt.") + m.name));
      for (const auto& m : kDurationMethods)
        t.duration.emplace_back(m.name, *set.value().find(std::string("dur.") + m.name));
    }
    return t;
  }();
  return tables;
}

const json::Value* method(const std::vector<std::pair<std::string, json::Value>>& list,
                          std::string_view name) {
  for (const auto& [n, v] : list)
    if (n == name) return &v;
  return nullptr;
}

const char* const kMonthsShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kMonthsLong[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
const char* const kWeekdaysShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char* const kWeekdaysLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

}  // namespace

json::Value wrap_datetime(const DateTime& dt) {
  json::ObjectBuilder b(70);
  bool v = dt.valid();
  const luxon::Fields& c = dt.c();
  auto num = [&](double x) { return json::Value(v ? x : NAN); };
  auto str = [&](const std::string& s) { return v ? json::Value(s) : json::Value::null(); };
  b.set("year", num(c.year));
  b.set("quarter", json::Value(dt.quarter()));
  b.set("month", num(c.month));
  b.set("day", num(c.day));
  b.set("hour", num(c.hour));
  b.set("minute", num(c.minute));
  b.set("second", num(c.second));
  b.set("millisecond", num(c.millisecond));
  b.set("weekYear", json::Value(dt.week_year()));
  b.set("weekNumber", json::Value(dt.week_number()));
  b.set("weekday", json::Value(dt.weekday()));
  b.set("ordinal", json::Value(dt.ordinal()));
  b.set("monthShort", v ? json::Value(kMonthsShort[static_cast<int>(c.month) - 1]) : json::Value::null());
  b.set("monthLong", v ? json::Value(kMonthsLong[static_cast<int>(c.month) - 1]) : json::Value::null());
  b.set("weekdayShort",
        v ? json::Value(kWeekdaysShort[static_cast<int>(dt.weekday()) - 1]) : json::Value::null());
  b.set("weekdayLong",
        v ? json::Value(kWeekdaysLong[static_cast<int>(dt.weekday()) - 1]) : json::Value::null());
  b.set("offset", json::Value(v ? static_cast<double>(dt.offset()) : NAN));
  b.set("offsetNameShort", str(v ? dt.zone().offset_name(dt.ts(), false) : ""));
  b.set("offsetNameLong", str(v ? dt.zone().offset_name(dt.ts(), true) : ""));
  b.set("zoneName", str(v ? dt.zone().name() : ""));
  // luxon's daysInMonth getter has no validity check: NaN fields give undefined.
  b.set("daysInMonth", v ? json::Value(dt.days_in_month()) : json::Value());
  b.set("daysInYear", json::Value(dt.days_in_year()));
  b.set("weeksInWeekYear", json::Value(dt.weeks_in_week_year()));
  b.set("isInLeapYear", json::Value(v && dt.is_in_leap_year()));
  b.set("isInDST", json::Value(dt.is_in_dst()));
  b.set("isOffsetFixed", v ? json::Value(dt.zone().offset_fixed()) : json::Value::null());
  b.set("isValid", json::Value(v));
  b.set("invalidReason", v ? json::Value::null() : json::Value(dt.invalid_reason()));
  // An Invalid without an explanation ("invalid input") has an undefined one.
  b.set("invalidExplanation", v                                  ? json::Value::null()
                              : dt.invalid_explanation().empty() ? json::Value()
                                                                 : json::Value(dt.invalid_explanation()));
  b.set("locale", v ? json::Value("en-US") : json::Value::null());
  b.set("numberingSystem", json::Value::null());
  b.set("outputCalendar", json::Value::null());
  b.set("zone", str(v ? dt.zone().name() : ""));
  for (const auto& [name, fn] : methods().datetime)
    b.set(name, fn);
  return std::move(b).build();
}

std::optional<DateTime> unwrap_datetime(const json::Value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::Value* to_iso = method(methods().datetime, "toISO");
  if (!to_iso || !v.get("toISO").same_node(*to_iso)) return std::nullopt;
  if (!v.get("isValid").bool_or(false))
    return DateTime::invalid(std::string(v.get("invalidReason").string_or("")),
                             std::string(v.get("invalidExplanation").string_or("")));
  std::string zone_name(v.get("zoneName").string_or("UTC"));
  double offset = v.get("offset").number_or(0);
  Zone zone;
  if (v.get("isOffsetFixed").bool_or(false)) {
    zone = Zone::from_offset(offset);
  } else if (zone_name != "UTC") {
    zone = Zone::parse(zone_name);
  }
  double day = format::civil::make_day(v.get("year").number_or(NAN), v.get("month").number_or(NAN) - 1,
                                       v.get("day").number_or(NAN));
  double time = format::civil::make_time(v.get("hour").number_or(NAN), v.get("minute").number_or(NAN),
                                         v.get("second").number_or(NAN), v.get("millisecond").number_or(NAN));
  return DateTime::from_millis(day * format::civil::kMsPerDay + time - offset * 60000.0, zone);
}

json::Value wrap_duration(const Duration& d) {
  json::ObjectBuilder b;
  for (const auto& u : Duration::order())
    if (d.values.count(u)) b.set(u, json::Value(d.values.at(u)));
  if (!d.valid) b.set("invalid", json::Value(true));
  for (const auto& [name, fn] : methods().duration)
    b.set(name, fn);
  return std::move(b).build();
}

std::optional<Duration> unwrap_duration(const json::Value& v) {
  if (!v.is_object()) return std::nullopt;
  const json::Value* to_iso = method(methods().duration, "toISO");
  if (!to_iso || !v.get("toISO").same_node(*to_iso)) return std::nullopt;
  Duration d;
  for (const auto& u : Duration::order())
    if (v.get(u).is_number()) d.values[u] = v.get(u).as_number();
  d.valid = !v.get("invalid").bool_or(false);
  return d;
}

std::optional<json::Value> native_json(const json::Value& v) {
  if (!v.is_object()) return std::nullopt;
  if (auto dt = unwrap_datetime(v)) {
    auto iso = dt->to_iso();
    return iso ? json::Value(*iso) : json::Value::null();
  }
  if (auto d = unwrap_duration(v)) return d->valid ? json::Value(d->to_iso()) : json::Value::null();
  // A $parseUrl result: its searchParams carry the closures made above.
  const json::Value& sp = v.get("searchParams");
  if (v.get("href").is_string() && v.get("origin").is_string() && sp.is_object() &&
      sp.get("toString").is_function())
    return v.get("href");
  return std::nullopt;
}

void add_datetime_functions(FunctionSet::Builder& b) {
  b.add(
      "dtFromIso", "",
      [](CallContext& ctx, Args a) -> jsonata::Result<json::Value> {
        const json::Value& text = arg(a, 0);
        std::string s = js_string(text);
        DateTime dt = DateTime::from_iso(s, Zone{}, false, ctx.now_millis());
        if (js_truthy(arg(a, 1))) dt = dt.set_zone(zone_arg(arg(a, 1)));
        return wrap_datetime(dt);
      },
      2);
  b.add(
      "dtFromFormat", "",
      [](CallContext& ctx, Args a) -> jsonata::Result<json::Value> {
        const json::Value& date = arg(a, 0);
        const json::Value& format = arg(a, 1);
        const json::Value& options = arg(a, 2);
        Zone zone = options.is_object() ? zone_arg(options.get("zone")) : Zone{};
        bool set_zone = options.is_object() && js_truthy(options.get("setZone"));
        double now = ctx.now_millis();
        std::string f = format.is_string() ? std::string(format.as_string()) : "";
        if (format.is_string() && f == "RFC2822")
          return wrap_datetime(DateTime::from_rfc2822(js_string(date), zone, set_zone, now));
        if (format.is_string() && f == "ISO")
          return wrap_datetime(DateTime::from_iso(js_string(date), zone, set_zone, now));
        if (format.is_string() && f == "fromSeconds") {
          // DateTime.fromSeconds(parseInt(date), options)
          double seconds = js::parse_int(js::to_utf16(js_string(date)));
          if (!zone.valid())
            return wrap_datetime(
                DateTime::invalid("unsupported zone", "the zone \"" + zone.name() + "\" is not supported"));
          return wrap_datetime(DateTime::from_millis(seconds * 1000, zone));
        }
        if (date.is_undefined() || format.is_undefined())
          return js_exception("Error", "fromFormat requires an input string and a format");
        if (!date.is_string()) return js_exception("TypeError", "input.match is not a function");
        DateTime dt = DateTime::from_format(date.as_string(), js_string(format), zone, set_zone, now);
        if (!dt.valid() && dt.invalid_reason() == "conflicting specification")
          return js_exception("Error", dt.invalid_explanation());
        return wrap_datetime(dt);
      },
      3);
}

}  // namespace hookd::jsonata::truto
