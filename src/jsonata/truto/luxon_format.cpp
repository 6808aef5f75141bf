// Luxon format strings: DateTime.toFormat and DateTime.fromFormat (en-US, Latin digits).
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include "jsonata/format/js.h"
#include "jsonata/truto/luxon.h"

namespace hookd::jsonata::truto::luxon {

namespace js = format::js;

namespace {

const char* const kMonthsLong[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
const char* const kMonthsShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kWeekdaysLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};
const char* const kWeekdaysShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

struct Token {
  bool literal;
  std::string val;
};

bool all_space(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

// Formatter.parseFormat: runs of one letter are tokens, 'quoted text' and whitespace are literals.
std::vector<Token> parse_format(std::string_view fmt) {
  std::vector<Token> out;
  std::string current_full;
  int current = -1;
  bool bracketed = false;
  for (char c : fmt) {
    if (c == '\'') {
      if (!current_full.empty()) out.push_back({bracketed || all_space(current_full), current_full});
      current = -1;
      current_full.clear();
      bracketed = !bracketed;
    } else if (bracketed) {
      current_full.push_back(c);
    } else if (c == current) {
      current_full.push_back(c);
    } else {
      if (!current_full.empty()) out.push_back({all_space(current_full), current_full});
      current_full = std::string(1, c);
      current = static_cast<unsigned char>(c);
    }
  }
  if (!current_full.empty()) out.push_back({bracketed || all_space(current_full), current_full});
  return out;
}

std::string pad(double v, int n = 0) {
  bool neg = v < 0;
  std::string s = js::number_to_string(std::fabs(v));
  while (static_cast<int>(s.size()) < n)
    s.insert(s.begin(), '0');
  return neg ? "-" + s : s;
}

std::string last_two(double v) {
  std::string s = js::number_to_string(v);
  return s.size() > 2 ? s.substr(s.size() - 2) : s;
}

std::string offset_text(int o, const char* style) {
  int h = std::abs(o) / 60, m = std::abs(o) % 60;
  std::string sign = o >= 0 ? "+" : "-";
  if (std::string_view(style) == "short") return sign + pad(h, 2) + ":" + pad(m, 2);
  if (std::string_view(style) == "narrow")
    return sign + std::to_string(h) + (m > 0 ? ":" + std::to_string(m) : "");
  return sign + pad(h, 2) + pad(m, 2);
}

}  // namespace

std::string DateTime::to_format(std::string_view fmt) const {
  if (!valid_) return "Invalid DateTime";
  const Fields& c = c_;
  double hour12 = std::fmod(c.hour, 12) == 0 ? 12 : std::fmod(c.hour, 12);
  std::string month_short = kMonthsShort[static_cast<int>(c.month) - 1];
  std::string month_long = kMonthsLong[static_cast<int>(c.month) - 1];
  std::string weekday_short = kWeekdaysShort[static_cast<int>(weekday()) - 1];
  std::string weekday_long = kWeekdaysLong[static_cast<int>(weekday()) - 1];
  std::string meridiem = c.hour < 12 ? "AM" : "PM";
  std::string date_short = pad(c.month) + "/" + pad(c.day) + "/" + pad(c.year);
  std::string date_med = month_short + " " + pad(c.day) + ", " + pad(c.year);
  std::string date_full = month_long + " " + pad(c.day) + ", " + pad(c.year);
  std::string date_huge = weekday_long + ", " + date_full;
  std::string time_short = pad(hour12) + ":" + pad(c.minute, 2) + " " + meridiem;
  std::string time_seconds = pad(hour12) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2) + " " + meridiem;
  std::string time24 = pad(c.hour, 2) + ":" + pad(c.minute, 2);
  std::string time24_seconds = time24 + ":" + pad(c.second, 2);
  std::string zone_short = zone_.offset_name(ts_, false), zone_long = zone_.offset_name(ts_, true);

  auto token = [&](const std::string& t) -> std::string {
    if (t == "S") return pad(c.millisecond);
    if (t == "u" || t == "SSS") return pad(c.millisecond, 3);
    if (t == "s") return pad(c.second);
    if (t == "ss") return pad(c.second, 2);
    if (t == "uu") return pad(std::floor(c.millisecond / 10), 2);
    if (t == "uuu") return pad(std::floor(c.millisecond / 100));
    if (t == "m") return pad(c.minute);
    if (t == "mm") return pad(c.minute, 2);
    if (t == "h") return pad(hour12);
    if (t == "hh") return pad(hour12, 2);
    if (t == "H") return pad(c.hour);
    if (t == "HH") return pad(c.hour, 2);
    if (t == "Z") return offset_text(o_, "narrow");
    if (t == "ZZ") return offset_text(o_, "short");
    if (t == "ZZZ") return offset_text(o_, "techie");
    if (t == "ZZZZ") return zone_short;
    if (t == "ZZZZZ") return zone_long;
    if (t == "z") return zone_.name();
    if (t == "a") return meridiem;
    if (t == "d") return pad(c.day);
    if (t == "dd") return pad(c.day, 2);
    if (t == "c" || t == "E") return pad(weekday());
    if (t == "ccc" || t == "EEE") return weekday_short;
    if (t == "cccc" || t == "EEEE") return weekday_long;
    if (t == "ccccc" || t == "EEEEE") return weekday_long.substr(0, 1);
    if (t == "L" || t == "M") return pad(c.month);
    if (t == "LL" || t == "MM") return pad(c.month, 2);
    if (t == "LLL" || t == "MMM") return month_short;
    if (t == "LLLL" || t == "MMMM") return month_long;
    if (t == "LLLLL" || t == "MMMMM") return month_long.substr(0, 1);
    if (t == "y") return pad(c.year);
    if (t == "yy") return pad(std::stod(last_two(c.year)), 2);
    if (t == "yyyy") return pad(c.year, 4);
    if (t == "yyyyyy") return pad(c.year, 6);
    if (t == "G") return c.year > 0 ? "AD" : "BC";
    if (t == "GG") return c.year > 0 ? "Anno Domini" : "Before Christ";
    if (t == "GGGGG") return c.year > 0 ? "A" : "B";
    if (t == "kk") return pad(std::stod(last_two(week_year())), 2);
    if (t == "kkkk") return pad(week_year(), 4);
    if (t == "W" || t == "n") return pad(week_number());
    if (t == "WW" || t == "nn") return pad(week_number(), 2);
    if (t == "ii") return pad(std::stod(last_two(week_year())), 2);
    if (t == "iiii") return pad(week_year(), 4);
    if (t == "o") return pad(ordinal());
    if (t == "ooo") return pad(ordinal(), 3);
    if (t == "q") return pad(quarter());
    if (t == "qq") return pad(quarter(), 2);
    if (t == "X") return pad(std::floor(ts_ / 1000));
    if (t == "x") return pad(ts_);
    // Macro tokens: Intl's en-US formats.
    if (t == "D") return date_short;
    if (t == "DD") return date_med;
    if (t == "DDD") return date_full;
    if (t == "DDDD") return date_huge;
    if (t == "t") return time_short;
    if (t == "tt") return time_seconds;
    if (t == "ttt") return time_seconds + " " + zone_short;
    if (t == "tttt") return time_seconds + " " + zone_long;
    if (t == "T") return time24;
    if (t == "TT") return time24_seconds;
    if (t == "TTT") return time24_seconds + " " + zone_short;
    if (t == "TTTT") return time24_seconds + " " + zone_long;
    if (t == "f") return date_short + ", " + time_short;
    if (t == "ff") return date_med + ", " + time_short;
    if (t == "fff") return date_full + " at " + time_short + " " + zone_short;
    if (t == "ffff") return date_huge + " at " + time_short + " " + zone_long;
    if (t == "F") return date_short + ", " + time_seconds;
    if (t == "FF") return date_med + ", " + time_seconds;
    if (t == "FFF") return date_full + " at " + time_seconds + " " + zone_short;
    if (t == "FFFF") return date_huge + " at " + time_seconds + " " + zone_long;
    return t;
  };
  std::string out;
  for (const auto& t : parse_format(fmt))
    out += t.literal ? t.val : token(t.val);
  return out;
}

namespace {

std::string escape_regex(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::strchr("-[]{}()*+?.,\\^$|#", c) || std::isspace(static_cast<unsigned char>(c)))
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string one_of(const char* const* list, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i) out.push_back('|');
    for (char c : std::string(list[i]))
      out += c == '.' ? std::string("\\.?") : std::string(1, c);
  }
  return out;
}

int find_insensitive(const char* const* list, int n, std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < n; ++i) {
    std::string l = list[i];
    for (auto& c : l)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == s) return i;
  }
  return -1;
}

struct Unit {
  std::string regex;
  int groups = 0;  // capture groups inside the unit's own pattern
  bool literal = false;
  std::string token;
};

Unit unit_for(const Token& t) {
  if (t.literal) return {escape_regex(t.val), 0, true, t.val};
  static const std::map<std::string, std::string> numeric = {
      {"y", "\\d{1,6}"}, {"yy", "\\d{2,4}"}, {"yyyy", "\\d{4}"}, {"yyyyy", "\\d{4,6}"}, {"yyyyyy", "\\d{6}"},
      {"M", "\\d{1,2}"}, {"MM", "\\d{2}"},   {"L", "\\d{1,2}"},  {"LL", "\\d{2}"},      {"d", "\\d{1,2}"},
      {"dd", "\\d{2}"},  {"o", "\\d{1,3}"},  {"ooo", "\\d{3}"},  {"HH", "\\d{2}"},      {"H", "\\d{1,2}"},
      {"hh", "\\d{2}"},  {"h", "\\d{1,2}"},  {"mm", "\\d{2}"},   {"m", "\\d{1,2}"},     {"q", "\\d{1,2}"},
      {"qq", "\\d{2}"},  {"s", "\\d{1,2}"},  {"ss", "\\d{2}"},   {"S", "\\d{1,3}"},     {"SSS", "\\d{3}"},
      {"u", "\\d{1,9}"}, {"uu", "\\d{1,2}"}, {"uuu", "\\d"},     {"kkkk", "\\d{4}"},    {"kk", "\\d{2,4}"},
      {"W", "\\d{1,2}"}, {"WW", "\\d{2}"},   {"E", "\\d"},       {"c", "\\d"}};
  auto it = numeric.find(t.val);
  if (it != numeric.end()) return {it->second, 0, false, t.val};
  if (t.val == "MMM" || t.val == "LLL") return {one_of(kMonthsShort, 12), 0, false, t.val};
  if (t.val == "MMMM" || t.val == "LLLL") return {one_of(kMonthsLong, 12), 0, false, t.val};
  if (t.val == "EEE" || t.val == "ccc") return {one_of(kWeekdaysShort, 7), 0, false, t.val};
  if (t.val == "EEEE" || t.val == "cccc") return {one_of(kWeekdaysLong, 7), 0, false, t.val};
  if (t.val == "a") return {"AM|PM", 0, false, t.val};
  if (t.val == "G") return {"BC|AD", 0, false, t.val};
  if (t.val == "GG") return {"Before Christ|Anno Domini", 0, false, t.val};
  if (t.val == "Z" || t.val == "ZZ") return {"([+-]\\d{1,2})(?::(\\d{2}))?", 2, false, t.val};
  if (t.val == "ZZZ") return {"([+-]\\d{1,2})(\\d{2})?", 2, false, t.val};
  if (t.val == "z") return {"[a-z_+\\-/]{1,256}?", 0, false, t.val};
  return {escape_regex(t.val), 0, true, t.val};
}

}  // namespace

DateTime DateTime::from_format(std::string_view text, std::string_view format, const Zone& default_zone,
                               bool set_zone, double now) {
  // Luxon throws (ConflictingSpecificationError) here; the caller turns this reason into that error.
  auto meridiem_conflict = [] {
    return invalid("conflicting specification", "Can't include meridiem when specifying 24-hour format");
  };
  auto unparsable = [&] {
    return invalid("unparsable", "the input \"" + std::string(text) + "\" can't be parsed as format " +
                                     std::string(format));
  };
  std::vector<Unit> units;
  for (const auto& t : parse_format(format))
    units.push_back(unit_for(t));
  std::string pattern = "^";
  for (const auto& u : units)
    pattern += "(" + u.regex + ")";
  pattern += "$";
  // std::regex recurses per character: long inputs are refused (no date string is this long).
  if (text.size() > 512 || pattern.size() > 4096) return unparsable();
  // Compiling a std::regex costs far more than matching it: configs reuse a handful of formats, so keep the
  // compiled ones (a bounded cache; std::regex is safe to match from many threads at once).
  static std::mutex cache_mutex;
  static std::map<std::string, std::shared_ptr<const std::regex>> cache;
  std::shared_ptr<const std::regex> compiled;
  {
    std::lock_guard lock(cache_mutex);
    auto it = cache.find(pattern);
    if (it != cache.end()) compiled = it->second;
  }
  if (!compiled) {
    try {
      compiled = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error&) {
      return unparsable();
    }
    std::lock_guard lock(cache_mutex);
    if (cache.size() >= 256) cache.erase(cache.begin());
    cache.emplace(pattern, compiled);
  }
  const std::regex& re = *compiled;
  std::string s(text);
  std::smatch m;
  std::map<char, double> all;
  std::optional<std::string> zone_name;
  std::optional<double> fixed_offset;
  if (std::regex_match(s, m, re)) {
    size_t index = 1;
    for (const auto& u : units) {
      size_t groups = static_cast<size_t>(u.groups) + 1;
      if (!u.literal) {
        const std::string v = m[index].str();
        char key = u.token[0];
        if (u.token == "MMM" || u.token == "LLL") {
          all[key] = find_insensitive(kMonthsShort, 12, v) + 1;
        } else if (u.token == "MMMM" || u.token == "LLLL") {
          all[key] = find_insensitive(kMonthsLong, 12, v) + 1;
        } else if (u.token == "EEE" || u.token == "ccc") {
          all[key] = find_insensitive(kWeekdaysShort, 7, v) + 1;
        } else if (u.token == "EEEE" || u.token == "cccc") {
          all[key] = find_insensitive(kWeekdaysLong, 7, v) + 1;
        } else if (u.token == "a") {
          static const char* const kMeridiems[] = {"AM", "PM"};
          all[key] = find_insensitive(kMeridiems, 2, v);
        } else if (u.token == "G") {
          static const char* const kEras[] = {"BC", "AD"};
          all[key] = find_insensitive(kEras, 2, v);
        } else if (u.token == "GG") {
          static const char* const kEras[] = {"Before Christ", "Anno Domini"};
          all[key] = find_insensitive(kEras, 2, v);
        } else if (u.token[0] == 'Z') {
          double h = m[index + 1].matched ? js::parse_int(js::to_utf16(m[index + 1].str())) : 0;
          double mins = m[index + 2].matched && m[index + 2].length() ? std::stod(m[index + 2].str()) : 0;
          bool negative = m[index + 1].matched && m[index + 1].str()[0] == '-';
          all['Z'] = h * 60 + (negative ? -mins : mins);
        } else if (u.token == "z") {
          zone_name = v;
        } else if (u.token == "u" || u.token == "uu") {
          all['u'] = std::floor(js::parse_float(js::to_utf16("0." + v)) * 1000);
        } else {
          double n = std::stod(v);
          if (u.token == "yy" || u.token == "kk") n = n > 99 ? n : (n > 60 ? 1900 + n : 2000 + n);
          all[key] = n;
        }
      }
      index += groups;
    }
  }
  if (all.count('a') && all.count('H')) return meridiem_conflict();

  std::optional<Zone> zone;
  if (zone_name) zone = Zone::parse(*zone_name);
  if (all.count('Z')) {
    if (!zone) zone = Zone::from_offset(all['Z']);
    fixed_offset = all['Z'];
  }
  if (all.count('q')) all['M'] = (all['q'] - 1) * 3 + 1;
  if (all.count('h')) {
    if (all['h'] < 12 && all.count('a') && all['a'] == 1) {
      all['h'] += 12;
    } else if (all['h'] == 12 && all.count('a') && all['a'] == 0) {
      all['h'] = 0;
    }
  }
  if (all.count('G') && all['G'] == 0 && all.count('y') && all['y'] != 0) all['y'] = -all['y'];
  if (all.count('u')) all['S'] = all['u'];
  std::map<std::string, double> vals;
  static const std::map<char, std::string> fields = {
      {'S', "millisecond"}, {'s', "second"},  {'m', "minute"},     {'h', "hour"},     {'H', "hour"},
      {'d', "day"},         {'o', "ordinal"}, {'L', "month"},      {'M', "month"},    {'y', "year"},
      {'E', "weekday"},     {'c', "weekday"}, {'W', "weekNumber"}, {'k', "weekYear"}, {'q', "quarter"}};
  // Object.keys order of the matches decides which of two tokens for one field wins: the later key.
  for (const auto& [k, v] : all) {
    auto f = fields.find(k);
    if (f != fields.end() && f->second != "quarter") vals[f->second] = v;
  }
  if (vals.empty() && !zone) return unparsable();
  (void)fixed_offset;
  const Zone& interpretation = zone ? *zone : default_zone;
  DateTime inst = from_fields(vals, interpretation, now);
  return set_zone ? inst : inst.set_zone(default_zone);
}

}  // namespace hookd::jsonata::truto::luxon
