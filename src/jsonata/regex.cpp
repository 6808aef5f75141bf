#include "jsonata/regex.h"

#include <boost/regex.hpp>

#include <cstddef>
#include <iterator>

#include <cctype>

#include "jsonata/error.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

struct Regex::Impl {
  boost::wregex re;
};

namespace {

// A code-point cursor of our own, so that Boost instantiates its matcher for it here (the library only
// carries matchers for the standard iterator types) and the search budget below applies.
class Cursor {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = wchar_t;
  using difference_type = std::ptrdiff_t;
  using pointer = const wchar_t*;
  using reference = const wchar_t&;

  Cursor() = default;
  explicit Cursor(const wchar_t* p) : p_(p) {}
  reference operator*() const { return *p_; }
  pointer operator->() const { return p_; }
  reference operator[](difference_type n) const { return p_[n]; }
  Cursor& operator++() {
    ++p_;
    return *this;
  }
  Cursor operator++(int) { return Cursor(p_++); }
  Cursor& operator--() {
    --p_;
    return *this;
  }
  Cursor operator--(int) { return Cursor(p_--); }
  Cursor& operator+=(difference_type n) {
    p_ += n;
    return *this;
  }
  Cursor& operator-=(difference_type n) {
    p_ -= n;
    return *this;
  }
  // What Boost.Regex uses of a random-access iterator.
  friend difference_type operator-(Cursor a, Cursor b) { return a.p_ - b.p_; }
  friend bool operator==(Cursor a, Cursor b) { return a.p_ == b.p_; }
  friend bool operator!=(Cursor a, Cursor b) { return a.p_ != b.p_; }
  const wchar_t* base() const { return p_; }

 private:
  const wchar_t* p_ = nullptr;
};

// The states one search may visit before Boost gives up (throwing). Boost's own estimate grows with the
// length of the subject times the square of the pattern's, so a catastrophic pattern could run for seconds;
// this one is set per search from the subject's length alone: enough for any sane pattern to scan the whole
// subject, a few milliseconds of backtracking for a catastrophic one.
thread_local std::ptrdiff_t state_budget = 1000000;

}  // namespace
}  // namespace hookd::jsonata::detail

namespace boost {
namespace BOOST_REGEX_DETAIL_NS {
template <>
void perl_matcher<hookd::jsonata::detail::Cursor, std::allocator<sub_match<hookd::jsonata::detail::Cursor>>,
                  wregex::traits_type>::estimate_max_state_count(std::random_access_iterator_tag*) {
  max_state_count = hookd::jsonata::detail::state_budget;
}
}  // namespace BOOST_REGEX_DETAIL_NS
}  // namespace boost

namespace hookd::jsonata::detail {

Regex::Regex(std::string source, std::unique_ptr<Impl> impl)
    : source_(std::move(source)), impl_(std::move(impl)) {}
Regex::~Regex() = default;

std::wstring widen(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  char32_t cp;
  for (size_t i = 0; i < utf8.size();) {
    i += utf8_decode(utf8, i, cp);
    out.push_back(static_cast<wchar_t>(cp));
  }
  return out;
}

std::string narrow(std::wstring_view wide, size_t begin, size_t end) {
  if (end > wide.size()) end = wide.size();
  std::string out;
  out.reserve(end > begin ? end - begin : 0);
  for (size_t i = begin; i < end; ++i)
    utf8_append(out, static_cast<char32_t>(wide[i]));
  return out;
}

namespace {

// JavaScript's \s: WhiteSpace and LineTerminator.
constexpr const wchar_t* kSpace =
    L"\\x{9}\\x{A}\\x{B}\\x{C}\\x{D}\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{"
    L"205F}"
    L"\\x{3000}\\x{FEFF}";
constexpr const wchar_t* kLineTerminators = L"\\x{A}\\x{D}\\x{2028}\\x{2029}";

bool is_hex(wchar_t c) {
  return c < 128 && std::isxdigit(static_cast<int>(c));
}
bool is_digit(wchar_t c) {
  return c >= '0' && c <= '9';
}

// Is pattern[i] ('{') the start of a quantifier {n}, {n,} or {n,m}? JavaScript treats any other '{' as a
// literal.
bool is_quantifier(const std::wstring& p, size_t i) {
  size_t j = i + 1;
  if (j >= p.size() || !is_digit(p[j])) return false;
  while (j < p.size() && is_digit(p[j]))
    ++j;
  if (j < p.size() && p[j] == ',') {
    ++j;
    while (j < p.size() && is_digit(p[j]))
      ++j;
  }
  return j < p.size() && p[j] == '}';
}

std::wstring translate(const std::wstring& p, bool multiline) {
  std::wstring out;
  bool in_class = false;
  int open_quantifier = 0;  // braces of real quantifiers still open
  for (size_t i = 0; i < p.size(); ++i) {
    wchar_t c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      wchar_t e = p[++i];
      switch (e) {
        case 'd':
          out += in_class ? L"0-9" : L"[0-9]";
          break;
        case 'w':
          out += in_class ? L"A-Za-z0-9_" : L"[A-Za-z0-9_]";
          break;
        case 's':
          out += in_class ? std::wstring(kSpace) : L"[" + std::wstring(kSpace) + L"]";
          break;
        case 'D':
          out += in_class ? L"\\D" : L"[^0-9]";
          break;
        case 'W':
          out += in_class ? L"\\W" : L"[^A-Za-z0-9_]";
          break;
        case 'S':
          out += in_class ? L"\\S" : L"[^" + std::wstring(kSpace) + L"]";
          break;
        case 'b':
          out += in_class ? L"\\x{8}" : L"\\b";
          break;
        case 'B':
          out += in_class ? L"B" : L"\\B";
          break;
        case 'v':
          out += L"\\x{B}";
          break;
        case 'f':
        case 'n':
        case 'r':
        case 't':
          out += L'\\', out += e;
          break;
        case 'u':
          if (i + 4 < p.size() && is_hex(p[i + 1]) && is_hex(p[i + 2]) && is_hex(p[i + 3]) &&
              is_hex(p[i + 4])) {
            out += L"\\x{" + p.substr(i + 1, 4) + L"}";
            i += 4;
          } else {
            out += L'u';
          }
          break;
        case 'x':
          if (i + 2 < p.size() && is_hex(p[i + 1]) && is_hex(p[i + 2])) {
            out += L"\\x{" + p.substr(i + 1, 2) + L"}";
            i += 2;
          } else {
            out += L'x';
          }
          break;
        case 'c':
          if (i + 1 < p.size() && std::isalpha(static_cast<int>(p[i + 1] < 128 ? p[i + 1] : 0))) {
            out += L"\\c";
            out += p[++i];
          } else {
            out += L"\\\\c";
          }
          break;
        case '0':
          if (i + 1 < p.size() && is_digit(p[i + 1])) {
            out += L"\\0";
          } else {
            out += L"\\x{0}";
          }
          break;
        case 'k':
          out += L"\\k";
          break;
        default:
          if (is_digit(e)) {
            out += L'\\';
            out += e;
          } else if (e < 128 && std::isalnum(static_cast<int>(e))) {
            out += e;  // identity escape (\a is 'a' in JavaScript, a bell in Perl)
          } else {
            out += L'\\';
            out += e;
          }
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      if (c == '[') {
        out += L"\\[";
        continue;
      }
      out += c;
      continue;
    }
    switch (c) {
      case '[':
        if (i + 1 < p.size() && p[i + 1] == ']') {
          out += L"(?!)";  // [] matches nothing
          ++i;
        } else if (i + 2 < p.size() && p[i + 1] == '^' && p[i + 2] == ']') {
          out += L"[\\x{0}-\\x{10FFFF}]";  // [^] matches anything
          i += 2;
        } else {
          in_class = true;
          out += c;
          if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
          if (i + 1 < p.size() && p[i + 1] == ']') {
            out += L"\\]";
            ++i;
          }
        }
        break;
      case '.':
        out += L"[^" + std::wstring(kLineTerminators) + L"]";
        break;
      case '^':
        out += multiline ? L"(?:\\A|(?<=[" + std::wstring(kLineTerminators) + L"]))" : std::wstring(L"\\A");
        break;
      case '$':
        out += multiline ? L"(?=[" + std::wstring(kLineTerminators) + L"]|\\z)" : std::wstring(L"\\z");
        break;
      case '{':
        if (is_quantifier(p, i)) {
          ++open_quantifier;
          out += c;
        } else {
          out += L"\\{";
        }
        break;
      case '}':
        if (open_quantifier > 0) {
          --open_quantifier;
          out += c;
        } else {
          out += L"\\}";
        }
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const Regex> compile_regex(std::string_view pattern, std::string_view flags,
                                           int64_t position) {
  bool icase = flags.find('i') != std::string_view::npos;
  bool multiline = flags.find('m') != std::string_view::npos;
  auto impl = std::make_unique<Regex::Impl>();
  try {
    boost::regex_constants::syntax_option_type syntax = boost::regex_constants::perl;
    if (icase) syntax = syntax | boost::regex_constants::icase;
    impl->re.assign(translate(widen(pattern), multiline), syntax);
  } catch (const std::exception& ex) {
    JError e("S0303");
    e.message = "Invalid regular expression: /" + std::string(pattern) + "/: " + ex.what();
    e.message_is_final = true;
    e.position = position;
    throw e;
  }
  return std::make_shared<Regex>(std::string(pattern), std::move(impl));
}

bool Regex::search(const std::wstring& subject, size_t from, RegexMatch& out) const {
  if (from > subject.size()) return false;
  // Enough for any sane pattern to scan the whole subject; a catastrophic one gives up after some
  // milliseconds.
  state_budget = 1000000 + 32 * static_cast<std::ptrdiff_t>(subject.size());
  boost::match_results<Cursor> m;
  auto flags = boost::regex_constants::match_default;
  if (from > 0) flags |= boost::regex_constants::match_prev_avail;
  const wchar_t* data = subject.data();
  bool found = false;
  try {
    found = boost::regex_search(Cursor(data + from), Cursor(data + subject.size()), m, impl_->re, flags);
  } catch (const std::exception& ex) {
    JError e("U1001");
    e.message = std::string("Regular expression matching gave up: ") + ex.what();
    e.message_is_final = true;
    e.is_limit = true;
    throw e;
  }
  if (!found) return false;
  out.start = static_cast<size_t>(m[0].first.base() - data);
  out.end = static_cast<size_t>(m[0].second.base() - data);
  out.groups.clear();
  for (size_t g = 1; g < m.size(); ++g) {
    if (m[g].matched)
      out.groups.emplace_back(m[g].first.base() - data, m[g].second.base() - data);
    else
      out.groups.emplace_back(-1, -1);
  }
  return true;
}

}  // namespace hookd::jsonata::detail
