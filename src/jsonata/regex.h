// JavaScript regular expressions on Boost.Regex.
//
// A JSONata regex literal is JavaScript syntax with flags i and m. It is translated once, at compile time,
// into Boost's Perl syntax over code points (wchar_t): \d \w \s and `.` get JavaScript's definitions, ^ and $
// its anchoring, \uXXXX and identity escapes its meaning. Matching runs on the subject decoded to code
// points; positions are code-point indices. A compiled Regex is immutable and may be used by many threads at
// once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hookd::jsonata::detail {

struct RegexMatch {
  size_t start = 0;  // code-point indices into the subject
  size_t end = 0;
  std::vector<std::pair<int64_t, int64_t>> groups;  // {-1, -1} for a group that did not take part
};

class Regex {
 public:
  struct Impl;
  Regex(std::string source, std::unique_ptr<Impl> impl);
  ~Regex();

  // The pattern as written (what D1004 reports).
  const std::string& source() const noexcept { return source_; }
  // The first match starting at code point `from` or later. Throws JError U1001 if Boost gives up on a
  // pattern whose matching would take exponential time.
  bool search(const std::wstring& subject, size_t from, RegexMatch& out) const;

 private:
  std::string source_;
  std::unique_ptr<Impl> impl_;
};

// Throws JError (S0303: the pattern is not a valid regular expression) with `position`.
std::shared_ptr<const Regex> compile_regex(std::string_view pattern, std::string_view flags,
                                           int64_t position);

// UTF-8 <-> code points (a lone surrogate stays a code point).
std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view wide, size_t begin = 0, size_t end = std::wstring_view::npos);

}  // namespace hookd::jsonata::detail
