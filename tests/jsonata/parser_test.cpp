// Syntax errors come from compile(), never from evaluate(), with jsonata-js's code, position and token (the
// expected values were produced by jsonata-js 2.2.2); and what the analyser makes of paths.
#include <gtest/gtest.h>

#include "hookd/jsonata.h"
#include "jsonata/ast.h"
#include "jsonata/parser.h"

namespace hookd::jsonata {
namespace {

TEST(Compile, SyntaxErrorsCarryCodePositionAndToken) {
  struct Case {
    const char* expr;
    const char* code;
    size_t position;
    const char* token;
  } cases[] = {
      {"a.b +", "S0207", 5, "(end)"},
      {"a ! b", "S0204", 3, "!"},
      {"(1; 2", "S0203", 5, "(end)"},
      {"{\"a\" 1}", "S0202", 6, "1"},
      {")", "S0211", 1, ")"},
      {"?", "S0211", 1, "?"},
      {"1 2", "S0201", 3, "2"},
      {"function($a, $b {1}", "S0202", 19, "}"},
      {"function($a, 1){1}", "S0208", 14, "1"},
      {"a.5", "S0213", 3, ""},
      {"a.true", "S0213", 6, ""},
      {"a@b", "S0214", 3, "@"},
      {"a#b", "S0214", 3, "#"},
      {"a[1]@$x", "S0215", 5, ""},
      {"a^(b)@$x", "S0216", 6, ""},
      {"%.a", "S0217", 0, "path"},
      {"1 := 2", "S0212", 1, "1"},
      {"function($a)<s<n>>{$a}", "S0401", 15, ""},
      {"function($a)<(s<n>)>{$a}", "S0402", 14, ""},
      {"a{b: 1}{c: 2}", "S0210", 8, ""},
      {"(a; b; ;)", "S0211", 8, ";"},
      {"", "S0207", 0, "(end)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expr);
    auto r = compile(c.expr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().position, c.position);
    EXPECT_EQ(r.error().token, c.token);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Compile, MessagesUseJsonataJsText) {
  auto r = compile("(1; 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Expected \")\" before end of expression");
  auto s = compile("a ! b");
  EXPECT_EQ(s.error().message, "Unknown operator: \"!\"");
}

TEST(Compile, KeepsTheSourceText) {
  auto r = compile("  a.b  ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()->source(), "  a.b  ");
}

TEST(Compile, ValidExpressionsCompile) {
  const char* ok[] = {
      "a.b[c > 1].d",
      "$x := function($a, $b)<nn:n>{ $a + $b }",
      "λ($x){$x}",
      "a ~> |b|{'c': 1}, ['d']|",
      "Account.Order@$o#$i.Product[%.OrderID = 'x']",
      "a{b: c}^(>d)",
      "/a\\/b/i",
      "$substring(?, 1, ?)",
      "a{b: 1}[0]",
  };
  for (const char* e : ok) {
    SCOPED_TRACE(e);
    auto r = compile(e);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().message);
  }
}

TEST(Analyse, FlattensPathsAndMarksSteps) {
  auto p = detail::compile_program("a.b[x = 1].c[]");
  const detail::Node* root = p->root;
  ASSERT_EQ(root->kind, detail::Kind::path);
  ASSERT_EQ(root->items.size(), 3u);
  EXPECT_TRUE(root->items[1]->has_stages);  // the predicate became a stage of step b
  EXPECT_TRUE(root->keep_singleton_array);  // `[]` on the last step
  EXPECT_FALSE(root->simple_path);

  auto q = detail::compile_program("$x.a.b");
  EXPECT_TRUE(q->root->simple_path);

  auto t = detail::compile_program("a@$o.b");
  EXPECT_TRUE(t->root->items[0]->tuple);
  EXPECT_EQ(t->root->items[0]->focus.as_string(), "o");
}

TEST(Analyse, TailCallsBecomeThunks) {
  auto p = detail::compile_program("function($n){ $n = 0 ? 1 : $f($n - 1) }");
  const detail::Node* body = p->root->body;
  ASSERT_EQ(body->kind, detail::Kind::condition);
  EXPECT_EQ(body->els->kind, detail::Kind::lambda);
  EXPECT_TRUE(body->els->thunk);
  EXPECT_FALSE(body->then->thunk);
}

TEST(Analyse, ConstantSubexpressionsAreFoldedOnce) {
  auto p = detail::compile_program("items[[0..4]]");
  const detail::Node* stage = p->root->items[0]->stages[0].expr;
  EXPECT_TRUE(stage->folded);
  // Failing constants are left for evaluation time, where jsonata-js raises the error.
  auto q = detail::compile_program("1 + 'a'");
  EXPECT_FALSE(q->root->folded);
}

}  // namespace
}  // namespace hookd::jsonata
