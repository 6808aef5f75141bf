// Tokenizer, as jsonata-js's: the parser asks for one token at a time and says whether a `/` there would be
// division (after an operand) or the start of a regex literal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/json.h"

namespace hookd::jsonata::detail {

struct Token {
  enum class Type : uint8_t { end, op, string, number, name, variable, value, regex };
  Type type = Type::end;
  std::string text;      // operator, name, variable (without '$'), string contents, regex pattern
  std::string flags;     // regex flags ("i", "m")
  json::Value value;     // number, string, true/false/null
  int64_t position = 0;  // just past the token, as jsonata-js reports positions
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}
  // Throws JError (S0101..S0106, S0301, S0302) on malformed input.
  Token next(bool infix);
  size_t position() const noexcept { return pos_; }

 private:
  Token make(Token::Type type, std::string text = {});
  Token scan_regex();
  Token scan_string(char quote);

  std::string_view src_;
  size_t pos_ = 0;
};

// The operator characters that end a name (jsonata-js's `operators` table keys of one character).
bool is_operator_char(char c) noexcept;

}  // namespace hookd::jsonata::detail
