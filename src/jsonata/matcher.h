// Iteration over the matches of a matcher: a regex literal (matched natively, with jsonata-js's rules:
// matching resumes where the last match ended and a zero-length match after the first is error D1004) or any
// function that speaks jsonata's matcher protocol ({match, start, end, groups, next}).
#pragma once

#include <string>
#include <vector>

#include "jsonata/evaluator.h"
#include "jsonata/regex.h"

namespace hookd::jsonata::detail {

class Matches {
 public:
  Matches(Call& call, const Value& matcher, const Value& subject);

  // Advances to the next match; false when there are no more.
  bool next();

  // The current match: byte offsets into the subject, the matched text and the groups (strings, or undefined
  // for a group that did not take part).
  size_t start() const noexcept { return start_; }
  size_t end() const noexcept { return end_; }
  // Where $replace resumes: start + the match's length (jsonata-js uses the matched text, not `end`).
  size_t resume() const noexcept { return start_ + match_.size(); }
  const std::string& match() const noexcept { return match_; }
  const std::vector<Value>& groups() const noexcept { return groups_; }
  // jsonata-js's index of the match (UTF-16).
  double index() const;
  // The match as the protocol's object (what a replacement function receives).
  Value object();

 private:
  bool next_native();
  bool next_generic();
  void load_object(const Value& m);

  Call& call_;
  Value matcher_;
  Value subject_;
  const RegexFunction* regex_ = nullptr;
  std::wstring wide_;    // native: the subject as code points
  bool astral_ = false;  // native: code points above U+FFFF present (indices differ from UTF-16)
  size_t cp_end_ = 0;
  RegexMatch last_;
  bool started_ = false;
  bool done_ = false;
  Value current_;  // generic: the matcher's last result
  size_t start_ = 0, end_ = 0;
  std::string match_;
  std::vector<Value> groups_;
  double index_ = 0;
};

}  // namespace hookd::jsonata::detail
