#include "jsonata/lexer.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "jsonata/error.h"
#include "jsonata/unicode.h"

namespace hookd::jsonata::detail {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool is_operator_char(char c) noexcept {
  return std::strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", c) != nullptr && c != '\0';
}

Token Lexer::make(Token::Type type, std::string text) {
  Token t;
  t.type = type;
  t.text = std::move(text);
  t.position = static_cast<int64_t>(pos_);
  return t;
}

Token Lexer::scan_regex() {
  // The opening '/' is consumed. The closing one is the first unescaped '/' outside brackets.
  size_t start = pos_;
  int depth = 0;
  auto closing_slash = [&](size_t p) {
    if (src_[p] != '/' || depth != 0) return false;
    size_t backslashes = 0;
    while (p >= backslashes + 1 && src_[p - (backslashes + 1)] == '\\')
      ++backslashes;
    return backslashes % 2 == 0;
  };
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (closing_slash(pos_)) {
      std::string pattern(src_.substr(start, pos_ - start));
      if (pattern.empty()) throw JError("S0301").at(static_cast<int64_t>(pos_));
      ++pos_;
      size_t flags_start = pos_;
      while (pos_ < src_.size() && (src_[pos_] == 'i' || src_[pos_] == 'm'))
        ++pos_;
      Token t = make(Token::Type::regex, std::move(pattern));
      t.flags = std::string(src_.substr(flags_start, pos_ - flags_start));
      return t;
    }
    bool escaped = pos_ > 0 && src_[pos_ - 1] == '\\';
    if ((c == '(' || c == '[' || c == '{') && !escaped) ++depth;
    if ((c == ')' || c == ']' || c == '}') && !escaped) --depth;
    ++pos_;
  }
  throw JError("S0302").at(static_cast<int64_t>(pos_));
}

Token Lexer::scan_string(char quote) {
  ++pos_;
  std::string out;
  char32_t pending_high = 0;  // a \uD8xx escape waiting for its low half
  auto flush = [&] {
    if (pending_high) utf8_append(out, pending_high);
    pending_high = 0;
  };
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '\\') {
      ++pos_;
      c = pos_ < src_.size() ? src_[pos_] : '\0';
      const char* simple = nullptr;
      switch (c) {
        case '"':
          simple = "\"";
          break;
        case '\\':
          simple = "\\";
          break;
        case '/':
          simple = "/";
          break;
        case 'b':
          simple = "\b";
          break;
        case 'f':
          simple = "\f";
          break;
        case 'n':
          simple = "\n";
          break;
        case 'r':
          simple = "\r";
          break;
        case 't':
          simple = "\t";
          break;
        default:
          break;
      }
      if (simple) {
        flush();
        out += simple;
      } else if (c == 'u') {
        std::string_view octets = src_.substr(pos_ + 1, 4);
        bool ok = !octets.empty();
        for (char h : octets)
          ok = ok && is_hex(h);
        if (!ok) throw JError("S0104").at(static_cast<int64_t>(pos_));
        char32_t unit = static_cast<char32_t>(std::strtoul(std::string(octets).c_str(), nullptr, 16));
        if (unit >= 0xDC00 && unit <= 0xDFFF && pending_high) {
          utf8_append(out, 0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00));
          pending_high = 0;
        } else {
          flush();
          if (unit >= 0xD800 && unit <= 0xDBFF)
            pending_high = unit;
          else
            utf8_append(out, unit);
        }
        pos_ += 4;
      } else {
        JError e("S0103");
        e.position = static_cast<int64_t>(pos_);
        e.token = std::string(1, c);
        e.has_token = true;
        throw e;
      }
    } else if (c == quote) {
      flush();
      ++pos_;
      Token t = make(Token::Type::string, out);
      t.value = json::Value(out);
      return t;
    } else {
      flush();
      out.push_back(c);
    }
    ++pos_;
  }
  throw JError("S0101").at(static_cast<int64_t>(pos_));
}

Token Lexer::next(bool infix) {
  for (;;) {
    if (pos_ >= src_.size()) return make(Token::Type::end);
    while (pos_ < src_.size() && is_space(src_[pos_]))
      ++pos_;
    if (pos_ + 1 < src_.size() && src_[pos_] == '/' && src_[pos_ + 1] == '*') {
      size_t comment_start = pos_;
      size_t close = src_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) throw JError("S0106").at(static_cast<int64_t>(comment_start));
      pos_ = close + 2;
      continue;
    }
    break;
  }
  if (pos_ >= src_.size()) return make(Token::Type::end);
  char c = src_[pos_];
  if (!infix && c == '/') {
    ++pos_;
    return scan_regex();
  }
  char d = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
  static constexpr const char* kDouble[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"};
  for (const char* op : kDouble) {
    if (c == op[0] && d == op[1]) {
      pos_ += 2;
      return make(Token::Type::op, op);
    }
  }
  if (is_operator_char(c)) {
    ++pos_;
    return make(Token::Type::op, std::string(1, c));
  }
  if (c == '"' || c == '\'') return scan_string(c);
  if (is_digit(c)) {
    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?
    size_t i = pos_;
    if (src_[i] == '0') {
      ++i;
    } else {
      while (i < src_.size() && is_digit(src_[i]))
        ++i;
    }
    if (i + 1 < src_.size() && src_[i] == '.' && is_digit(src_[i + 1])) {
      ++i;
      while (i < src_.size() && is_digit(src_[i]))
        ++i;
    }
    if (i < src_.size() && (src_[i] == 'e' || src_[i] == 'E')) {
      size_t j = i + 1;
      if (j < src_.size() && (src_[j] == '+' || src_[j] == '-')) ++j;
      if (j < src_.size() && is_digit(src_[j])) {
        while (j < src_.size() && is_digit(src_[j]))
          ++j;
        i = j;
      }
    }
    std::string text(src_.substr(pos_, i - pos_));
    double num = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(num)) {
      JError e("S0102");
      e.position = static_cast<int64_t>(pos_);
      e.token = text;
      e.has_token = true;
      throw e;
    }
    pos_ = i;
    Token t = make(Token::Type::number, text);
    t.value = json::Value(num);
    return t;
  }
  if (c == '`') {
    ++pos_;
    size_t end = src_.find('`', pos_);
    if (end == std::string_view::npos) {
      pos_ = src_.size();
      throw JError("S0105").at(static_cast<int64_t>(pos_));
    }
    std::string name(src_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return make(Token::Type::name, std::move(name));
  }
  size_t i = pos_;
  while (i < src_.size() && !is_space(src_[i]) && !is_operator_char(src_[i]))
    ++i;
  if (c == '$') {
    std::string name(src_.substr(pos_ + 1, i - pos_ - 1));
    pos_ = i;
    return make(Token::Type::variable, std::move(name));
  }
  std::string name(src_.substr(pos_, i - pos_));
  pos_ = i;
  if (name == "or" || name == "in" || name == "and") return make(Token::Type::op, std::move(name));
  if (name == "true" || name == "false" || name == "null") {
    Token t = make(Token::Type::value, name);
    t.value = name == "null" ? json::Value(nullptr) : json::Value(name == "true");
    return t;
  }
  if (pos_ == src_.size() && name.empty()) return make(Token::Type::end);
  return make(Token::Type::name, std::move(name));
}

}  // namespace hookd::jsonata::detail
