// The public API: extending a function set with native functions, callbacks into JSONata functions, bindings,
// concurrent evaluation of one compiled expression, and what a result looks like.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_util.h"

namespace hookd::jsonata {
namespace {

using testing::parse_json;

// $mapValues(object, fn): fn(value, key) per member, the way Truto-style extensions call back.
Result<json::Value> map_values(CallContext& ctx, std::span<const json::Value> args) {
  const json::Value& obj = args[0];
  const json::Value& fn = args[1];
  json::ObjectBuilder out;
  for (const auto& m : obj.members()) {
    json::Value call_args[2] = {m.value, m.key};
    size_t n = CallContext::arity(fn) >= 2 ? 2 : 1;
    auto r = ctx.call(fn, std::span<const json::Value>(call_args, n));
    if (!r.ok()) return std::move(r).error();
    out.set(m.key, r.value());
  }
  return std::move(out).build();
}

FunctionSet extended() {
  FunctionSet::Builder b;
  b.add("double", "<n-:n>", [](CallContext&, std::span<const json::Value> args) -> Result<json::Value> {
    return json::Value(args[0].as_number() * 2);
  });
  b.add("mapValues", "<of:o>", map_values);
  b.add("fail", "<s?:x>", [](CallContext&, std::span<const json::Value> args) -> Result<json::Value> {
    Error e;
    e.code = "X0001";
    e.message = "failed: " + std::string(args[0].string_or("?"));
    return e;
  });
  b.add("context", "",
        [](CallContext& ctx, std::span<const json::Value>) -> Result<json::Value> { return ctx.input(); });
  auto set = std::move(b).build();
  EXPECT_TRUE(set.ok());
  return set.value();
}

std::string run_with(const FunctionSet& fs, std::string_view expr, std::string_view input = {}) {
  auto c = compile(expr, fs);
  if (!c.ok()) return "error " + c.error().code;
  auto r = evaluate(*c.value(), input.empty() ? json::Value() : parse_json(input));
  if (!r.ok()) return "error " + r.error().code + ": " + r.error().message;
  return r.value().is_undefined() ? "undefined" : json::dump(r.value());
}

TEST(FunctionSetBuilder, NativeFunctionsAreCheckedAgainstTheirSignature) {
  FunctionSet fs = extended();
  EXPECT_EQ(run_with(fs, "$double(21)"), "42");
  EXPECT_EQ(run_with(fs, "n.$double()", R"({"n": 4})"), "8");  // `-`: the context stands in
  EXPECT_EQ(run_with(fs, "$double('x')").substr(0, 11), "error T0410");
  EXPECT_EQ(run_with(fs, "$map([1,2], $double)"), "[2,4]");
  // The standard set is unchanged.
  EXPECT_EQ(run_with(FunctionSet::standard(), "$double(1)").substr(0, 11), "error T1006");
}

TEST(FunctionSetBuilder, NativesCallBackIntoJsonataFunctions) {
  FunctionSet fs = extended();
  const char* input = R"({"a": "x", "b": "y"})";
  EXPECT_EQ(run_with(fs, "$mapValues($, function($v, $k){ $k & '=' & $v })", input),
            R"({"a":"a=x","b":"b=y"})");
  EXPECT_EQ(run_with(fs, "$mapValues($, $uppercase)", input), R"({"a":"X","b":"Y"})");
  EXPECT_EQ(run_with(fs, "$mapValues($, $substring(?, 0, 0))", input), R"({"a":"","b":""})");
  // An error in the callback comes back through the native as the JSONata error it was.
  EXPECT_EQ(run_with(fs, "$mapValues($, function($v){ $v + 1 })", input).substr(0, 11), "error T2001");
}

TEST(FunctionSetBuilder, NativeErrorsGetTheCallSite) {
  FunctionSet fs = extended();
  auto c = compile("  $fail('why')", fs);
  ASSERT_TRUE(c.ok());
  auto r = evaluate(*c.value(), json::Value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "X0001");
  EXPECT_EQ(r.error().message, "failed: why");
  EXPECT_EQ(r.error().token, "fail");
  EXPECT_EQ(r.error().position, 8u);  // just past the '(' of the call
}

TEST(FunctionSetBuilder, NativesSeeTheContext) {
  EXPECT_EQ(run_with(extended(), "a.$context()", R"({"a": {"b": 1}})"), R"({"b":1})");
}

TEST(FunctionSetBuilder, MalformedSignaturesAreReported) {
  FunctionSet::Builder b;
  b.add("bad", "<s<n>>",
        [](CallContext&, std::span<const json::Value>) -> Result<json::Value> { return json::Value(); });
  auto r = std::move(b).build();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "S0401");
}

TEST(Evaluate, ResultsCarryNoSequenceMarks) {
  auto c = compile("[1, 2].($ * 10)");
  ASSERT_TRUE(c.ok());
  auto r = evaluate(*c.value(), json::Value());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().tag(), 0);
  EXPECT_EQ(json::dump(r.value()), "[10,20]");
}

TEST(Evaluate, BigIntegerIdsKeepTheirDigits) {
  // json::Value keeps the digits of an integer a double cannot hold; passing it through, $string and `&` keep
  // them (jsonata-js, having parsed it as a double, would print 820982911946154500).
  EXPECT_EQ(testing::run(R"({"id": id, "s": $string(id), "c": "#" & id, "t": $ ~> |$|{"y": 1}|})",
                         R"({"id": 820982911946154508})"),
            R"({"id":820982911946154508,"s":"820982911946154508","c":"#820982911946154508",)"
            R"("t":{"id":820982911946154508,"y":1}})");
  // Arithmetic uses the nearest double, as in JavaScript.
  EXPECT_EQ(testing::run("id + 1", R"({"id": 820982911946154508})"), "820982911946154500");
}

TEST(Evaluate, AnArrayInputIsOneValue) {
  EXPECT_EQ(testing::run("$", "[1,2]"), "[1,2]");
  EXPECT_EQ(testing::run("$count($)", "[1,2]"), "2");
  EXPECT_EQ(testing::run("$[1]", "[1,2]"), "2");
}

TEST(Evaluate, ManyThreadsShareOneExpression) {
  auto c = compile(
      "( $total := function($items){ $sum($items.(price * qty)) }; "
      "{ 'id': id, 'total': $total(items), 'skus': items.sku ~> $join(','), 'big': items[price > 10].sku[] } "
      ")");
  ASSERT_TRUE(c.ok());
  ExpressionPtr expr = c.value();
  json::Value shared = parse_json(
      R"({"id": 7, "items": [{"sku":"a","price":5,"qty":2},{"sku":"b","price":20,"qty":1},)"
      R"({"sku":"c","price":30,"qty":3}, {"sku":"d","price":1,"qty":40}, {"sku":"e","price":2,"qty":1},)"
      R"({"sku":"f","price":3,"qty":1}, {"sku":"g","price":4,"qty":1}, {"sku":"h","price":5,"qty":1},)"
      R"({"sku":"i","price":6,"qty":1}, {"sku":"j","price":7,"qty":1}, {"sku":"k","price":8,"qty":1},)"
      R"({"sku":"l","price":9,"qty":1}, {"sku":"m","price":9,"qty":1}, {"sku":"n","price":9,"qty":1}]})");
  const std::string expected = R"({"id":7,"total":222,"skus":"a,b,c,d,e,f,g,h,i,j,k,l,m,n","big":["b","c"]})";
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        // No time limit: this is about threads, and a thread may wait for a core for a long time here.
        auto r = evaluate(*expr, shared, {}, Limits{.time = std::chrono::seconds(0)});
        if (!r.ok() || json::dump(r.value()) != expected) ++wrong;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Evaluate, ManyThreadsLookUpOneLargeObject) {
  // A large object builds its key index on the first lookup; threads racing to do that must agree.
  std::string text = "{";
  for (int i = 0; i < 40; ++i)
    text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
  text += "}";
  auto c = compile("k7 + k39 + $sum($keys($).$lookup($$, $))");
  ASSERT_TRUE(c.ok());
  for (int round = 0; round < 20; ++round) {
    json::Value shared = parse_json(text);  // a fresh object: its index is not built yet
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        auto r =
            evaluate(*c.value(), shared, {}, Limits{.time = std::chrono::seconds(0)});  // threads, not time
        if (!r.ok() || json::dump(r.value()) != "826") ++wrong;
      });
    }
    for (auto& t : threads)
      t.join();
    EXPECT_EQ(wrong.load(), 0);
  }
}

TEST(Evaluate, FunctionResultsOutliveTheirEvaluation) {
  // A function may be returned; once its evaluation is over it no longer sees the variables it captured.
  auto c = compile("($k := 5; function($x){ $x * 2 })");
  ASSERT_TRUE(c.ok());
  auto f = evaluate(*c.value(), json::Value());
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f.value().is_function());
  auto use = compile("$f(21)");
  ASSERT_TRUE(use.ok());
  auto r = evaluate(*use.value(), json::Value(), Bindings{{"f", f.value()}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::dump(r.value()), "42");
}

}  // namespace
}  // namespace hookd::jsonata
