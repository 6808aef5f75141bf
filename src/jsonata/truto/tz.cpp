#include "jsonata/truto/tz.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace hookd::jsonata::truto::tz {

namespace {

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
int64_t be64(const unsigned char* p) {
  return static_cast<int64_t>((uint64_t{be32(p)} << 32) | be32(p + 4));
}

bool is_leap(long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

long days_from_civil(long y, long m, long d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// [+-]hh[:mm[:ss]] in seconds; advances `s`.
bool parse_hms(std::string_view& s, long& out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  long parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    size_t n = 0;
    long v = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
      v = v * 10 + (s[n++] - '0');
    if (n == 0) return false;
    parts[i] = v;
    s.remove_prefix(n);
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool parse_name(std::string_view& s, std::string& out) {
  if (!s.empty() && s[0] == '<') {
    size_t close = s.find('>');
    if (close == std::string_view::npos) return false;
    out = std::string(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    return true;
  }
  size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n])))
    ++n;
  if (n < 3) return false;
  out = std::string(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}

}  // namespace

bool Zone::parse_rule(std::string_view s, Rule& rule) {
  long std_offset = 0;
  if (!parse_name(s, rule.std_type.abbr) || !parse_hms(s, std_offset)) return false;
  rule.std_type.utoff = static_cast<int>(-std_offset);
  if (s.empty()) {
    rule.valid = true;
    return true;
  }
  if (!parse_name(s, rule.dst_type.abbr)) return false;
  rule.has_dst = true;
  rule.dst_type.dst = true;
  rule.dst_type.utoff = rule.std_type.utoff + 3600;
  if (!s.empty() && s[0] != ',') {
    long dst_offset = 0;
    if (!parse_hms(s, dst_offset)) return false;
    rule.dst_type.utoff = static_cast<int>(-dst_offset);
  }
  auto parse_when = [&](Rule::When& w) {
    if (s.empty() || s[0] != ',') return false;
    s.remove_prefix(1);
    auto number = [&](int& out) {
      size_t n = 0;
      int v = 0;
      while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
        v = v * 10 + (s[n++] - '0');
      if (n == 0) return false;
      out = v;
      s.remove_prefix(n);
      return true;
    };
    if (!s.empty() && s[0] == 'M') {
      w.kind = 'M';
      s.remove_prefix(1);
      if (!number(w.month) || s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      if (!number(w.week) || s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      if (!number(w.day)) return false;
    } else if (!s.empty() && s[0] == 'J') {
      w.kind = 'J';
      s.remove_prefix(1);
      if (!number(w.day)) return false;
    } else {
      w.kind = 'n';
      if (!number(w.day)) return false;
    }
    if (!s.empty() && s[0] == '/') {
      s.remove_prefix(1);
      if (!parse_hms(s, w.time)) return false;
    }
    return true;
  };
  if (s.empty()) {
    // No rule given: POSIX's default (US rules before 2007) is not what tzdata ever writes; keep std time.
    rule.has_dst = false;
    rule.valid = true;
    return true;
  }
  if (!parse_when(rule.start) || !parse_when(rule.end)) return false;
  rule.valid = true;
  return true;
}

// The UTC second of the transition described by `w` in `year`, the local clock reading `offset_before`.
long Zone::rule_transition(const Rule::When& w, long year, int offset_before) {
  long day;  // days since the epoch
  if (w.kind == 'M') {
    long first = days_from_civil(year, w.month, 1);
    long weekday_first = ((first % 7) + 11) % 7;  // 1970-01-01 was a Thursday (4)
    long d = 1 + ((w.day - weekday_first) % 7 + 7) % 7 + (w.week - 1) * 7;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month_days = kDays[w.month - 1] + (w.month == 2 && is_leap(year) ? 1 : 0);
    while (d > month_days)
      d -= 7;
    day = days_from_civil(year, w.month, d);
  } else if (w.kind == 'J') {
    long d = w.day;  // 1..365, February 29 never counted
    if (is_leap(year) && d >= 60) ++d;
    day = days_from_civil(year, 1, 1) + d - 1;
  } else {
    day = days_from_civil(year, 1, 1) + w.day;
  }
  return day * 86400 + w.time - offset_before;
}

const Zone::Type& Zone::type_at(double utc_millis) const {
  long long t = static_cast<long long>(std::floor(utc_millis / 1000));
  if (transitions_.empty() || t >= transitions_.back()) {
    if (rule_.valid) {
      if (!rule_.has_dst) return rule_.std_type;
      long year = static_cast<long>(std::floor(utc_millis / 86400000.0 / 365.2425)) + 1970;
      // The year estimate can be off by one near new year: use the local year of the standard time.
      long long start = rule_transition(rule_.start, year, rule_.std_type.utoff);
      long long end = rule_transition(rule_.end, year, rule_.dst_type.utoff);
      bool dst = start < end ? (t >= start && t < end) : (t < end || t >= start);
      return dst ? rule_.dst_type : rule_.std_type;
    }
    if (transitions_.empty()) return types_.empty() ? rule_.std_type : types_[0];
    return types_[indices_.back()];
  }
  if (t < transitions_.front()) return types_[0];
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return types_[indices_[static_cast<size_t>(it - transitions_.begin()) - 1]];
}

int Zone::offset_minutes(double utc_millis) const {
  return static_cast<int>(std::lround(type_at(utc_millis).utoff / 60.0));
}
std::string Zone::abbreviation(double utc_millis) const {
  return type_at(utc_millis).abbr;
}
bool Zone::is_dst(double utc_millis) const {
  return type_at(utc_millis).dst;
}

std::shared_ptr<const Zone> Zone::from_tzif(std::string name, std::string_view bytes) {
  auto data = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  if (size < 44 || bytes.substr(0, 4) != "TZif") return nullptr;
  auto counts = [&](size_t at, uint32_t c[6]) {
    for (int i = 0; i < 6; ++i)
      c[i] = be32(data + at + 20 + 4 * i);
  };
  uint32_t c[6];
  counts(0, c);
  auto block = [&](uint32_t* k, size_t time_size) {
    return k[3] * time_size + k[3] + k[4] * 6 + k[5] + k[2] * (time_size + 4) + k[1] + k[0];
  };
  size_t v1 = 44 + block(c, 4);
  auto zone = std::make_shared<Zone>();
  zone->name_ = std::move(name);
  size_t at;
  size_t time_size;
  if (bytes[4] >= '2' && size >= v1 + 44) {
    counts(v1, c);
    at = v1 + 44;
    time_size = 8;
  } else {
    at = 44;
    time_size = 4;
  }
  if (size < at + block(c, time_size)) return nullptr;
  uint32_t timecnt = c[3], typecnt = c[4], charcnt = c[5];
  if (typecnt == 0) return nullptr;
  for (uint32_t i = 0; i < timecnt; ++i)
    zone->transitions_.push_back(time_size == 8 ? be64(data + at + i * 8)
                                                : static_cast<int32_t>(be32(data + at + i * 4)));
  at += timecnt * time_size;
  for (uint32_t i = 0; i < timecnt; ++i) {
    unsigned char idx = data[at + i];
    if (idx >= typecnt) return nullptr;
    zone->indices_.push_back(idx);
  }
  at += timecnt;
  size_t abbr_at = at + typecnt * 6;
  for (uint32_t i = 0; i < typecnt; ++i) {
    Type t;
    t.utoff = static_cast<int32_t>(be32(data + at + i * 6));
    t.dst = data[at + i * 6 + 4] != 0;
    unsigned char ai = data[at + i * 6 + 5];
    if (ai < charcnt) t.abbr = std::string(reinterpret_cast<const char*>(data + abbr_at + ai));
    zone->types_.push_back(std::move(t));
  }
  at = abbr_at + charcnt + c[2] * (time_size + 4) + c[1] + c[0];
  if (time_size == 8 && at < size && data[at] == '\n') {
    size_t end = bytes.find('\n', at + 1);
    if (end != std::string_view::npos) parse_rule(bytes.substr(at + 1, end - at - 1), zone->rule_);
  }
  return zone;
}

std::shared_ptr<const Zone> find(std::string_view name, const std::string& dir) {
  if (name.empty() || name.size() > 256 || name.front() == '/' || name.find("..") != std::string_view::npos)
    return nullptr;
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '+' || ch == '-' || ch == '/'))
      return nullptr;
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });

  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Zone>> cache;           // by dir + lower-case name
  static std::map<std::string, std::map<std::string, std::string>> indexes;  // dir -> lower-case -> real
  std::lock_guard lock(mutex);
  auto cached = cache.find(dir + "\n" + key);
  if (cached != cache.end()) return cached->second;

  auto& index = indexes[dir];
  if (index.empty()) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      // lexically: relative() would resolve links (US/Eastern -> America/New_York) and lose the alias.
      std::string rel = it->path().lexically_relative(dir).string();
      std::string lower = rel;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      index.emplace(lower, rel);
    }
  }
  std::shared_ptr<const Zone> zone;
  auto real = index.find(key);
  if (real != index.end() && real->second != "posixrules" && real->second.find('.') == std::string::npos) {
    std::ifstream in(dir + "/" + real->second, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    zone = Zone::from_tzif(real->second, ss.str());
  }
  // Only names that exist are cached, so hostile input cannot grow the cache without bound.
  if (zone) cache.emplace(dir + "\n" + key, zone);
  return zone;
}

}  // namespace hookd::jsonata::truto::tz
