#include "jsonata/matcher.h"

#include "jsonata/functions.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

namespace {

// Code-point index -> UTF-16 index in `w`.
size_t utf16_index(const std::wstring& w, size_t cp, bool astral) {
  if (!astral) return cp;
  size_t u = 0;
  for (size_t i = 0; i < cp && i < w.size(); ++i)
    u += static_cast<uint32_t>(w[i]) >= 0x10000 ? 2 : 1;
  return u;
}

// UTF-16 index -> code-point index in `w`.
size_t code_point_index(const std::wstring& w, double u16) {
  if (!(u16 > 0)) return 0;
  size_t target = static_cast<size_t>(u16);
  size_t u = 0, i = 0;
  while (i < w.size() && u < target)
    u += static_cast<uint32_t>(w[i++]) >= 0x10000 ? 2 : 1;
  return u < target ? w.size() + (target - u) : i;
}

bool has_astral(const std::wstring& w) {
  for (wchar_t c : w)
    if (static_cast<uint32_t>(c) >= 0x10000) return true;
  return false;
}

Value js_string(const Value& v) {
  switch (v.type()) {
    case json::Type::string:
      return v;
    case json::Type::undefined:
      return Value("undefined");
    case json::Type::null:
      return Value("null");
    case json::Type::boolean:
      return Value(v.as_bool() ? "true" : "false");
    case json::Type::number: {
      std::string s;
      json::write_number(s, v.as_number());
      return Value(s);
    }
    default:
      return Value("[object Object]");
  }
}

Value match_object(const Value& self, const Value& subject, const std::wstring& w, bool astral,
                   const RegexMatch& m) {
  size_t start = utf16_index(w, m.start, astral);
  std::string text = narrow(w, m.start, m.end);
  size_t end = start + utf16_length(text);
  std::vector<Value> groups;
  groups.reserve(m.groups.size());
  for (const auto& [gs, ge] : m.groups)
    groups.push_back(gs < 0 ? Value() : Value(narrow(w, static_cast<size_t>(gs), static_cast<size_t>(ge))));
  json::ObjectBuilder b(5);
  b.append_unique(Value("match"), Value(text));
  b.append_unique(Value("start"), Value(static_cast<double>(start)));
  b.append_unique(Value("end"), Value(static_cast<double>(end)));
  b.append_unique(Value("groups"), Value::array(std::move(groups)));
  b.append_unique(Value("next"), Value::adopt_function(new RegexNext(self, subject, end)));
  return std::move(b).build();
}

JError zero_length(const RegexFunction& re) {
  JError e("D1004", Value(re.regex->source()));
  e.position = re.position;
  return e;
}

}  // namespace

Value regex_exec(Evaluator& ev, const Value& self, const RegexFunction& re, const Value& subject,
                 double from) {
  Value str = js_string(subject);
  std::wstring w = widen(str.as_string());
  bool astral = has_astral(w);
  RegexMatch m;
  if (!re.regex->search(w, astral ? code_point_index(w, from) : static_cast<size_t>(from > 0 ? from : 0), m))
    return Value();
  ev.check_time();
  return match_object(self, str, w, astral, m);
}

Value regex_next(Evaluator& ev, const RegexNext& next) {
  const auto& re = static_cast<const RegexFunction&>(next.regex.as_function());
  if (static_cast<double>(next.last_index) >= static_cast<double>(utf16_length(next.subject.as_string())))
    return Value();
  Value m = regex_exec(ev, next.regex, re, next.subject, static_cast<double>(next.last_index));
  if (!m.is_undefined() && m.get("match").string_or("x").empty()) throw zero_length(re);
  return m;
}

// --- Matches -----------------------------------------------------------------------------------------------

Matches::Matches(Call& call, const Value& matcher, const Value& subject)
    : call_(call), matcher_(matcher), subject_(subject) {
  const Callable* c = as_callable(matcher);
  if (c && c->kind == Callable::Kind::regex) {
    regex_ = static_cast<const RegexFunction*>(c);
    wide_ = widen(subject.as_string());
    astral_ = has_astral(wide_);
  }
}

double Matches::index() const {
  return index_;
}

bool Matches::next() {
  if (done_) return false;
  bool found = regex_ ? next_native() : next_generic();
  started_ = true;
  if (!found) done_ = true;
  return found;
}

bool Matches::next_native() {
  size_t from = 0;
  if (started_) {
    from = cp_end_;
    if (from >= wide_.size()) return false;  // jsonata-js: lastIndex at the end means no more matches
  }
  RegexMatch m;
  if (!regex_->regex->search(wide_, from, m)) return false;
  if (started_ && m.start == m.end) throw zero_length(*regex_);
  call_.ev.check_time();  // a search can be long: look at the clock after each
  cp_end_ = m.end;
  std::string_view s = subject_.as_string();
  bool ascii = s.size() == wide_.size();
  start_ = ascii ? m.start : byte_offset_of_code_point(s, m.start);
  end_ = ascii ? m.end : start_ + narrow(wide_, m.start, m.end).size();
  match_ = std::string(s.substr(start_, end_ - start_));
  groups_.clear();
  for (const auto& [gs, ge] : m.groups)
    groups_.push_back(gs < 0 ? Value()
                             : Value(narrow(wide_, static_cast<size_t>(gs), static_cast<size_t>(ge))));
  index_ = static_cast<double>(utf16_index(wide_, m.start, astral_));
  current_ = Value();
  last_ = std::move(m);
  return true;
}

bool Matches::next_generic() {
  Value m;
  if (!started_) {
    m = call_.ev.apply(matcher_, std::span(&subject_, 1), Value(nullptr), call_.env);
  } else {
    Value undefined;
    m = call_.ev.apply(current_.get("next"), std::span(&undefined, 1), Value(nullptr), call_.env);
  }
  if (!m.is_undefined()) {
    bool ok = m.get("start").is_number() || m.get("groups").is_array() || m.get("next").is_function();
    if (!ok) throw JError("T1010");
  }
  if (m.is_undefined()) return false;
  load_object(m);
  return true;
}

void Matches::load_object(const Value& m) {
  current_ = m;
  std::string_view s = subject_.as_string();
  auto to_byte = [&](const Value& index) -> size_t {
    double d = index.number_or(0);
    return d > 0 ? byte_offset_of_utf16(s, static_cast<size_t>(d)) : 0;
  };
  start_ = to_byte(m.get("start"));
  end_ = to_byte(m.get("end"));
  match_ = std::string(m.get("match").string_or(""));
  groups_.clear();
  const Value& g = m.get("groups");
  if (g.is_array()) groups_ = g.as_array();
  index_ = m.get("start").number_or(0);
}

Value Matches::object() {
  if (current_.is_undefined()) current_ = match_object(matcher_, subject_, wide_, astral_, last_);
  return current_;
}

}  // namespace hookd::jsonata::detail
