// $toMillis: ISO 8601 timestamps, and timestamps read with a date/time picture.
//
// jsonata-js turns a picture into one anchored, case-insensitive regular expression with a group per part and
// lets the regex engine backtrack. Here each part lists the ends it can reach from a position, in the order
// the JavaScript regex would try them, and a memoised search picks the first combination that consumes the
// whole timestamp: the same match, in time bounded by the input rather than exponential in it.
#include <cmath>
#include <map>
#include <set>

#include "jsonata/format/civil.h"
#include "jsonata/format/datetime.h"

namespace hookd::jsonata::format {

namespace {

using detail::IntegerFormat;
using detail::PicturePart;
using detail::Primary;
using js::u16;
using js::u16v;

// A hostile timestamp and picture could still ask for many combinations; past this much work (candidate ends
// listed and word alternatives tried) give up with U1001.
constexpr size_t kMaxWork = 4'000'000;

// RegExp's case-insensitive Canonicalize (non-unicode): upper case, but never from non-ASCII into ASCII.
char16_t canonical(char16_t c) {
  if (c >= 'a' && c <= 'z') return static_cast<char16_t>(c - 32);
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return static_cast<char16_t>(c - 32);
  if (c == 0xFF) return 0x178;
  return c;
}

bool same_text_at(u16v text, size_t at, u16v expected) {
  if (at + expected.size() > text.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (canonical(text[at + i]) != canonical(expected[i])) return false;
  return true;
}

bool is_digit(char16_t c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char16_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_roman(char16_t c) {
  return u16v(u"MDCLXVImdclxvi").find(c) != u16v::npos;
}

size_t run_length(u16v text, size_t at, bool (*pred)(char16_t)) {
  size_t n = 0;
  while (at + n < text.size() && pred(text[at + n]))
    ++n;
  return n;
}

struct Matcher {
  enum class Kind { literal, digits, alpha, roman, words, timezone, fraction } kind = Kind::literal;
  u16 text;                           // literal
  double width = 0;                   // digits: exact count when > 0
  bool ordinal = false;               // digits followed by th|st|nd|rd
  bool gmt = false;                   // timezone: "GMT" first
  std::optional<u16> separator;       // timezone: between hours and minutes
  const PicturePart* part = nullptr;  // null for literals
};

// The ends `m` can reach from `at`, in the order a backtracking regex tries them (greedy: longest first).
// Adds the work done to `work`.
std::vector<size_t> candidate_ends(const Matcher& m, u16v text, size_t at, size_t& work) {
  std::vector<size_t> ends;
  auto greedy = [&](size_t from, size_t run) {
    for (size_t k = run; k >= 1; --k)
      ends.push_back(from + k);
  };
  switch (m.kind) {
    case Matcher::Kind::literal:
      if (same_text_at(text, at, m.text)) ends.push_back(at + m.text.size());
      break;
    case Matcher::Kind::digits: {
      size_t run = run_length(text, at, is_digit);
      auto suffix_ok = [&](size_t end) {
        for (const char16_t* s : {u"th", u"st", u"nd", u"rd"})
          if (same_text_at(text, end, s)) return true;
        return false;
      };
      if (m.width > 0) {
        size_t w =
            m.width >= static_cast<double>(text.size() + 1) ? text.size() + 1 : static_cast<size_t>(m.width);
        if (run >= w && (!m.ordinal || suffix_ok(at + w))) ends.push_back(at + w + (m.ordinal ? 2 : 0));
      } else {
        for (size_t k = run; k >= 1; --k)
          if (!m.ordinal || suffix_ok(at + k)) ends.push_back(at + k + (m.ordinal ? 2 : 0));
      }
      break;
    }
    case Matcher::Kind::alpha:
      greedy(at, run_length(text, at, is_alpha));
      break;
    case Matcher::Kind::roman:
      greedy(at, run_length(text, at, is_roman));
      break;
    case Matcher::Kind::fraction:
      greedy(at, run_length(text, at, is_digit));
      break;
    case Matcher::Kind::timezone: {
      size_t p = at;
      if (m.gmt) {
        if (!same_text_at(text, p, u"GMT")) break;
        p += 3;
      }
      if (p >= text.size() || (text[p] != '-' && text[p] != '+')) break;
      ++p;
      size_t hours = run_length(text, p, is_digit);
      for (size_t k = hours; k >= 1; --k) {
        if (!m.separator) {
          ends.push_back(p + k);
        } else if (same_text_at(text, p + k, *m.separator)) {
          size_t q = p + k + m.separator->size();
          greedy(q, run_length(text, q, is_digit));
        }
      }
      break;
    }
    case Matcher::Kind::words: {
      // (?:zero|one|...|trillionth|and|[\-, ])+ : a depth-first walk where every position is visited once
      // (a second visit can only offer ends already offered), emitting each position after the longer
      // continuations from it, as the greedy quantifier does.
      struct Frame {
        size_t pos;
        size_t alt;
      };
      const auto& words = detail::number_words();
      std::vector<char> seen(text.size() + 1, 0);
      std::vector<Frame> stack{{at, 0}};
      while (!stack.empty() && work <= kMaxWork) {
        ++work;
        Frame& f = stack.back();
        size_t n_alts = words.size() + 2;
        if (f.alt < n_alts) {
          size_t alt = f.alt++;
          size_t len = 0;
          if (alt < words.size()) {
            if (same_text_at(text, f.pos, words[alt])) len = words[alt].size();
          } else if (alt == words.size()) {
            if (same_text_at(text, f.pos, u"and")) len = 3;
          } else if (f.pos < text.size() &&
                     (text[f.pos] == '-' || text[f.pos] == ',' || text[f.pos] == ' ')) {
            len = 1;
          }
          if (len > 0 && !seen[f.pos + len]) {
            seen[f.pos + len] = 1;
            stack.push_back({f.pos + len, 0});
          }
          continue;
        }
        size_t done = f.pos;
        stack.pop_back();
        if (!stack.empty()) ends.push_back(done);
      }
      break;
    }
  }
  return ends;
}

// generateRegex for one picture part.
Result<Matcher> matcher_for(const PicturePart& part) {
  Matcher m;
  if (part.literal) {
    m.text = part.text;
    return m;
  }
  m.part = &part;
  if (part.component == u"Z" || part.component == u"z") {
    m.kind = Matcher::Kind::timezone;
    m.gmt = part.component == u"z";
    if (part.integer_format->regular) m.separator = part.integer_format->separators[0].character;
    return m;
  }
  if (part.component == u"f") {
    m.kind = Matcher::Kind::fraction;
    return m;
  }
  if (part.integer_format) {
    const IntegerFormat& f = *part.integer_format;
    switch (f.primary) {
      case Primary::letters:
        m.kind = Matcher::Kind::alpha;
        break;
      case Primary::roman:
        m.kind = Matcher::Kind::roman;
        break;
      case Primary::words:
        m.kind = Matcher::Kind::words;
        break;
      case Primary::decimal:
        m.kind = Matcher::Kind::digits;
        m.width = f.parse_width > 0 ? f.parse_width : 0;
        m.ordinal = f.ordinal;
        break;
      case Primary::sequence:
        return make_error("D3130", json::Value(js::to_utf8(f.token)));
    }
    return m;
  }
  char16_t c = part.component.empty() ? 0 : part.component[0];
  if (c != 'M' && c != 'x' && c != 'F' && c != 'P')
    return make_error("D3133", json::Value(js::to_utf8(part.component)));
  m.kind = Matcher::Kind::alpha;
  return m;
}

// The value a matched part contributes (undefined where a name is unknown).
Result<std::optional<double>> parse_part(const Matcher& m, u16v value) {
  const PicturePart& part = *m.part;
  switch (m.kind) {
    case Matcher::Kind::timezone: {
      u16 v(value);
      if (m.gmt) v = js::substring(v, 3);
      double hours = 0, minutes = 0;
      if (m.separator) {
        double at = js::index_of(v, *m.separator);
        hours = js::parse_int(js::substring(v, 0, at));
        minutes = js::parse_int(js::substring(v, at + 1));
      } else if (v.size() - 1 <= 2) {
        hours = js::parse_int(v);
      } else {
        hours = js::parse_int(js::substring(v, 0, 3));
        minutes = js::parse_int(js::substring(v, 3));
      }
      return std::optional<double>(hours * 60 + minutes);
    }
    case Matcher::Kind::fraction:
      return std::optional<double>(js::parse_float(u"0." + js::substring(value, 0, 3)) * 1000);
    default:
      break;
  }
  if (part.integer_format) {
    auto r = detail::parse_integer_value(value, *part.integer_format);
    if (!r.ok()) return std::move(r).error();
    return std::optional<double>(r.value());
  }
  // Month, day and am/pm names are looked up exactly as written (the regex matched case-insensitively).
  char16_t c = part.component[0];
  auto lookup = [&](u16v name) {
    if (part.has_width && part.max_width && *part.max_width > 0)
      return js::substring(name, 0, *part.max_width);
    return u16(name);
  };
  // Truncated names can collide ("J"): the last one written into jsonata-js's lookup object wins.
  std::optional<double> found;
  if (c == 'M' || c == 'x') {
    for (int i = 0; i < 12; ++i)
      if (lookup(js::u(detail::kMonths[i])) == value) found = i + 1;
    return found;
  } else if (c == 'F') {
    for (int i = 1; i < 8; ++i)
      if (lookup(js::u(detail::kDays[i])) == value) found = i;
    return found;
  } else if (value == u"am" || value == u"AM") {
    return std::optional<double>(0);
  } else if (value == u"pm" || value == u"PM") {
    return std::optional<double>(1);
  }
  return std::optional<double>();
}

// The anchored match: the captured text of every part, or nullopt when the timestamp does not match.
Result<std::optional<std::vector<u16>>> match(const std::vector<Matcher>& matchers, u16v text) {
  struct Frame {
    size_t start;
    std::vector<size_t> ends;
    size_t next = 0;
  };
  std::set<std::pair<size_t, size_t>> failed;  // (part, start) already shown not to lead to a match
  std::vector<Frame> stack;
  size_t work = 0;
  // Listing candidates is work too: a run of digits offers one end per digit.
  auto enter = [&](size_t index, size_t at) {
    if (index >= matchers.size()) return;
    stack.push_back({at, candidate_ends(matchers[index], text, at, work)});
    work += stack.back().ends.size();
  };
  if (matchers.empty()) {
    if (text.empty()) return std::optional<std::vector<u16>>(std::vector<u16>());
    return std::optional<std::vector<u16>>();
  }
  enter(0, 0);
  while (!stack.empty()) {
    if (++work > kMaxWork) return make_error("U1001");
    Frame& f = stack.back();
    size_t index = stack.size() - 1;
    if (f.next == f.ends.size()) {
      failed.insert({index, f.start});
      stack.pop_back();
      continue;
    }
    size_t end = f.ends[f.next++];
    if (index + 1 == matchers.size()) {
      if (end != text.size()) continue;
      std::vector<u16> groups;
      for (size_t i = 0; i < stack.size(); ++i) {
        size_t e = i + 1 < stack.size() ? stack[i + 1].start : end;
        groups.emplace_back(text.substr(stack[i].start, e - stack[i].start));
      }
      return std::optional<std::vector<u16>>(std::move(groups));
    }
    if (failed.count({index + 1, end})) continue;
    enter(index + 1, end);
  }
  return std::optional<std::vector<u16>>();
}

// A component's value as jsonata-js holds it: absent, present but undefined, or a number.
struct Component {
  bool own = false;
  bool defined = false;
  double value = NAN;
  bool truthy() const { return defined && value != 0 && !std::isnan(value); }
};

Result<std::optional<double>> parse_date_time(u16v timestamp, u16v picture, double now) {
  auto spec = detail::analyse_datetime_picture(picture);
  if (!spec.ok()) return std::move(spec).error();
  const auto& parts = spec.value();
  std::vector<Matcher> matchers;
  for (const auto& part : parts) {
    auto m = matcher_for(part);
    if (!m.ok()) return std::move(m).error();
    matchers.push_back(std::move(m).value());
  }
  auto matched = match(matchers, timestamp);
  if (!matched.ok()) return std::move(matched).error();
  if (!matched.value()) return std::optional<double>();
  const auto& groups = *matched.value();

  std::map<char16_t, Component> components;
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (matchers[i].part == nullptr) continue;
    auto v = parse_part(matchers[i], groups[i]);
    if (!v.ok()) return std::move(v).error();
    Component& c = components[matchers[i].part->component[0]];
    c.own = true;
    c.defined = v.value().has_value();
    c.value = v.value().value_or(NAN);
  }
  if (components.empty()) return std::optional<double>();

  auto get = [&](char16_t k) -> Component& { return components[k]; };
  unsigned mask = 0;
  auto shift = [&](const char* letters) {
    mask = 0;
    for (const char* p = letters; *p; ++p)
      mask = (mask << 1) | (get(static_cast<char16_t>(*p)).truthy() ? 1u : 0u);
  };
  // Must not use a component outside the set, and must use at least one in it.
  auto is_type = [&](unsigned type) { return (~type & mask) == 0 && (type & mask) != 0; };
  shift("YXMxWwdD");
  bool date_a = is_type(0b10100001);
  bool date_b = !date_a && is_type(0b10000010);
  bool date_c = is_type(0b01010100);
  bool date_d = !date_c && is_type(0b01001000);
  shift("PHhmsf");
  bool time_a = is_type(0b010111);
  bool time_b = !time_a && is_type(0b101111);

  // jsonata-js writes 'YD' (not 'Yd') for the day-of-year form; the day is recomputed below anyway.
  std::string comps = date_b ? "YD" : date_c ? "XxwF" : date_d ? "XWF" : "YMD";
  comps += time_b ? "Phmsf" : "Hmsf";

  // Above the first given component take the evaluation's timestamp, below the last take the minimum; a gap
  // between given components is an error.
  bool start_specified = false, end_specified = false;
  for (char k : comps) {
    Component& c = get(static_cast<char16_t>(k));
    if (!c.defined) {
      c.defined = true;
      if (start_specified) {
        c.value = (k == 'M' || k == 'D' || k == 'd') ? 1 : 0;
        end_specified = true;
      } else {
        // getDateTimeFragment(now, 'P') is the string "am"/"pm", which is never === 1 below.
        c.value = k == 'P' ? NAN : detail::date_time_fragment(now, static_cast<char16_t>(k));
      }
    } else {
      start_specified = true;
      if (end_specified) return make_error("D3136");
    }
  }

  Component& month = get('M');
  double m = month.defined && month.value > 0 ? month.value - 1 : 0;
  double d = get('D').value;
  if (date_b) {
    double first_jan = civil::date_utc(get('Y').value, 0);
    double derived = civil::time_clip(first_jan + (get('d').value - 1) * civil::kMsPerDay);
    civil::Fields f = civil::fields(derived);
    m = f.month;
    d = f.date;
  }
  // Parsing week-based dates is not implemented in jsonata-js either.
  if (date_c || date_d) return make_error("D3136");
  double h = get('H').value;
  if (time_b) {
    double h12 = get('h').value;
    h = h12 == 12 ? 0 : h12;
    if (get('P').value == 1) h += 12;
  }
  double millis = civil::date_utc(get('Y').value, m, d, h, get('m').value, get('s').value, get('f').value);
  const Component& zone = get('Z').truthy() ? get('Z') : get('z');
  if (zone.truthy()) millis -= zone.value * 60 * 1000;
  return std::optional<double>(millis);
}

// The pieces of an ISO 8601 timestamp as jsonata-js's pattern splits it.
struct IsoParts {
  bool has_month = false, has_day = false, has_time = false, has_fraction = false, fraction_nonzero = false;
  double year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  char zone = 0;  // 0: none, 'Z', '+' or '-'
  double offset_hours = 0, offset_minutes = 0;
};

// ^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$ with the month and
// day groups taken or skipped as given (the regex backtracks over them: "2018-05:00" is a year and an
// offset).
std::optional<IsoParts> match_iso8601(std::string_view s, bool take_month, bool take_day) {
  auto digit = [&](size_t i, char lo = '0', char hi = '9') {
    return i < s.size() && s[i] >= lo && s[i] <= hi;
  };
  auto num = [&](size_t i, size_t n) {
    double v = 0;
    for (size_t k = 0; k < n; ++k)
      v = v * 10 + (s[i + k] - '0');
    return v;
  };
  IsoParts r;
  if (!(digit(0) && digit(1) && digit(2) && digit(3))) return std::nullopt;
  r.year = num(0, 4);
  size_t p = 4;
  if (take_month) {
    if (!(p < s.size() && s[p] == '-' && digit(p + 1, '0', '1') && digit(p + 2))) return std::nullopt;
    r.has_month = true;
    r.month = num(p + 1, 2);
    p += 3;
  }
  if (take_day) {
    if (!(p < s.size() && s[p] == '-' && digit(p + 1, '0', '3') && digit(p + 2))) return std::nullopt;
    r.has_day = true;
    r.day = num(p + 1, 2);
    p += 3;
  }
  if (p < s.size() && s[p] == 'T' && digit(p + 1, '0', '2') && digit(p + 2) && p + 3 < s.size() &&
      s[p + 3] == ':' && digit(p + 4, '0', '5') && digit(p + 5) && p + 6 < s.size() && s[p + 6] == ':' &&
      digit(p + 7, '0', '5') && digit(p + 8)) {
    r.has_time = true;
    r.hour = num(p + 1, 2);
    r.minute = num(p + 4, 2);
    r.second = num(p + 7, 2);
    p += 9;
  }
  if (p < s.size() && s[p] == '.' && digit(p + 1)) {
    r.has_fraction = true;
    ++p;
    size_t n = 0;
    for (; digit(p); ++p, ++n) {
      if (n < 3) r.millis = r.millis * 10 + (s[p] - '0');  // Date.parse truncates to milliseconds
      r.fraction_nonzero = r.fraction_nonzero || s[p] != '0';
    }
    for (; n < 3; ++n)
      r.millis *= 10;
  }
  if (p < s.size() && s[p] == 'Z') {
    r.zone = 'Z';
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-') && digit(p + 1, '0', '2') && digit(p + 2)) {
    size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (digit(q, '0', '5') && digit(q + 1)) {
      r.zone = s[p];
      r.offset_hours = num(p + 1, 2);
      r.offset_minutes = num(q, 2);
      p = q + 2;
    }
  }
  if (p != s.size()) return std::nullopt;
  return r;
}

// $toMillis without a picture: jsonata-js checks the pattern above (D3110), then returns
// Date.parse(timestamp).
Result<std::optional<double>> parse_iso8601(std::string_view s) {
  std::optional<IsoParts> parts;
  for (auto [month, day] : {std::pair{true, true}, {true, false}, {false, true}, {false, false}})
    if ((parts = match_iso8601(s, month, day))) break;
  if (!parts) return make_error("D3110", json::Value(s));
  const IsoParts& r = *parts;
  auto nan = std::optional<double>(NAN);
  // Date.parse (V8) accepts the ES date-time format: a day needs a month, a bare date takes only "Z", offsets
  // stay below 24 hours and 24:00:00 is the only hour-24 time. What V8's legacy fallback makes of the other
  // strings the pattern lets through ("2018.5" is 1 May) is not reproduced: NaN.
  if (r.has_day && !r.has_month) return nan;
  if (!r.has_time && (r.has_fraction || (r.zone != 0 && r.zone != 'Z'))) return nan;
  if (r.month < 1 || r.month > 12 || r.day < 1 || r.day > 31) return nan;
  if (r.hour > 24 || (r.hour == 24 && (r.minute != 0 || r.second != 0 || r.fraction_nonzero))) return nan;
  if (r.offset_hours > 23) return nan;
  double offset = (r.offset_hours * 60 + r.offset_minutes) * (r.zone == '-' ? -1 : 1);
  // Without an offset Date.parse reads a date-time as local time; hookd's local time is UTC (the answer
  // jsonata-js gives with TZ=UTC), so results never depend on the host.
  double date = civil::make_day(r.year, r.month - 1, r.day);
  double time = civil::make_time(r.hour, r.minute, r.second, r.millis);
  return std::optional<double>(civil::time_clip(date * civil::kMsPerDay + time - offset * 60000));
}

}  // namespace

Result<std::optional<double>> to_millis(std::string_view timestamp, std::optional<std::string_view> picture,
                                        double now_millis) {
  if (!picture) return parse_iso8601(timestamp);
  return parse_date_time(js::to_utf16(timestamp), js::to_utf16(*picture), civil::time_clip(now_millis));
}

}  // namespace hookd::jsonata::format
