// The tokenizer: token kinds, values and positions (jsonata-js reports the offset just past a token), the
// regex-or-division decision, string escapes, and the S01xx/S03xx errors.
#include "jsonata/lexer.h"

#include <gtest/gtest.h>

#include <vector>

#include "jsonata/error.h"

namespace hookd::jsonata::detail {
namespace {

using T = Token::Type;

struct Lexed {
  T type;
  std::string text;
  int64_t position;
};

std::vector<Lexed> lex_all(std::string_view src, bool infix = false) {
  Lexer lexer(src);
  std::vector<Lexed> out;
  for (;;) {
    Token t = lexer.next(infix);
    if (t.type == T::end) break;
    out.push_back({t.type, t.type == T::string ? std::string(t.value.as_string()) : t.text, t.position});
  }
  return out;
}

TEST(Lexer, TokensAndPositions) {
  struct Case {
    const char* src;
    std::vector<Lexed> tokens;
  } cases[] = {
      {"a.b", {{T::name, "a", 1}, {T::op, ".", 2}, {T::name, "b", 3}}},
      {"$x := 1", {{T::variable, "x", 2}, {T::op, ":=", 5}, {T::number, "1", 7}}},
      {"$$", {{T::variable, "$", 2}}},
      {"$", {{T::variable, "", 1}}},
      {"a..b", {{T::name, "a", 1}, {T::op, "..", 3}, {T::name, "b", 4}}},
      {"x ~> $f", {{T::name, "x", 1}, {T::op, "~>", 4}, {T::variable, "f", 7}}},
      {"a ?: b ?? c",
       {{T::name, "a", 1}, {T::op, "?:", 4}, {T::name, "b", 6}, {T::op, "??", 9}, {T::name, "c", 11}}},
      {"`a b`.c", {{T::name, "a b", 5}, {T::op, ".", 6}, {T::name, "c", 7}}},
      {"x and y or z in w",
       {{T::name, "x", 1},
        {T::op, "and", 5},
        {T::name, "y", 7},
        {T::op, "or", 10},
        {T::name, "z", 12},
        {T::op, "in", 15},
        {T::name, "w", 17}}},
      {"true false null", {{T::value, "true", 4}, {T::value, "false", 10}, {T::value, "null", 15}}},
      {"  /* comment */ 12 ", {{T::number, "12", 18}}},
      {"héllo.wörld", {{T::name, "héllo", 6}, {T::op, ".", 7}, {T::name, "wörld", 13}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    auto got = lex_all(c.src);
    ASSERT_EQ(got.size(), c.tokens.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].type, c.tokens[i].type) << i;
      EXPECT_EQ(got[i].text, c.tokens[i].text) << i;
      EXPECT_EQ(got[i].position, c.tokens[i].position) << i;
    }
  }
}

TEST(Lexer, NumbersFollowJsonGrammar) {
  struct Case {
    const char* src;
    double value;
    int64_t end;
  } cases[] = {{"0", 0, 1},          {"1.5", 1.5, 3}, {"1e3", 1000, 3},
               {"2.5E-2", 0.025, 6}, {"1.", 1, 1},    {"1e", 1, 1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    Lexer lexer(c.src);
    Token t = lexer.next(false);
    EXPECT_EQ(t.type, T::number);
    EXPECT_EQ(t.value.as_number(), c.value);
    EXPECT_EQ(t.position, c.end);
  }
}

TEST(Lexer, SlashIsARegexOnlyWhereAnOperandIsExpected) {
  Lexer prefix("/ab+c/im.x");
  Token re = prefix.next(false);
  EXPECT_EQ(re.type, T::regex);
  EXPECT_EQ(re.text, "ab+c");
  EXPECT_EQ(re.flags, "im");

  Lexer infix("/ 2");
  EXPECT_EQ(infix.next(true).type, T::op);

  // Slashes inside brackets and escaped slashes do not close the regex.
  Lexer nested(R"(/[/]\/(a|\/)/)");
  Token t = nested.next(false);
  EXPECT_EQ(t.type, T::regex);
  EXPECT_EQ(t.text, R"([/]\/(a|\/))");
}

TEST(Lexer, StringEscapes) {
  struct Case {
    const char* src;
    const char* value;
  } cases[] = {
      {R"("a\"b")", "a\"b"},
      {R"('say "hi"')", "say \"hi\""},
      {R"("\\ \/ \b\f\n\r\t")", "\\ / \b\f\n\r\t"},
      {R"("\u00e9")", "é"},
      {R"("\ud83d\ude00")", "😀"},         // a surrogate pair becomes one code point
      {R"("\ud800x")", "\xED\xA0\x80x"},  // a lone surrogate stays (as WTF-8), as JavaScript strings allow
      {R"('"')", "\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    Lexer lexer(c.src);
    Token t = lexer.next(false);
    ASSERT_EQ(t.type, T::string);
    EXPECT_EQ(t.value.as_string(), c.value);
  }
}

TEST(Lexer, Errors) {
  struct Case {
    const char* src;
    const char* code;
    int64_t position;
    const char* token;
  } cases[] = {
      {"\"abc", "S0101", 4, ""},       {"1e999", "S0102", 0, "1e999"}, {R"("\q")", "S0103", 2, "q"},
      {R"("\u12G4")", "S0104", 2, ""}, {"`abc", "S0105", 4, ""},       {"1 /* x", "S0106", 2, ""},
      {"//", "S0301", 1, ""},          {"/abc", "S0302", 4, ""},       {R"('it\'s')", "S0103", 4, "'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.src);
    Lexer lexer(c.src);
    try {
      while (lexer.next(false).type != T::end) {
      }
      ADD_FAILURE() << "no error";
    } catch (const JError& e) {
      EXPECT_EQ(e.code, c.code);
      EXPECT_EQ(e.position, c.position);
      EXPECT_EQ(e.token, c.token);
    }
  }
}

}  // namespace
}  // namespace hookd::jsonata::detail
