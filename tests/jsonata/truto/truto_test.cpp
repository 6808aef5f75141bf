// Truto's functions as specifications: the cases an oracle table cannot hold (randomness, the clock, threads)
// and the vectors that must never change (published HMAC test vectors).
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "hookd/jsonata.h"
#include "hookd/jsonata/truto.h"

namespace hookd::jsonata::truto {
namespace {

json::Value eval(std::string_view expr, const json::Value& input = {}) {
  auto compiled = compile(expr, truto_functions());
  EXPECT_TRUE(compiled.ok()) << expr;
  if (!compiled.ok()) return {};
  auto r = evaluate(*compiled.value(), input);
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.error().code + " " + r.error().message);
  return r.ok() ? r.value() : json::Value();
}

TEST(TrutoFunctions, SignMatchesRfc4231Vectors) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(eval(R"($sign("what do ya want for nothing?", "SHA-256", "Jefe"))").as_string(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(eval(R"($sign("what do ya want for nothing?", "SHA-512", "Jefe"))").as_string(),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
            "caeab1a34d4a6b4b636e070a38bce737");
  EXPECT_EQ(
      eval(R"($sign("what do ya want for nothing?", "SHA-384", "Jefe"))").as_string(),
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
}

TEST(TrutoFunctions, UuidIsRandomVersion4) {
  static const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::string a(eval("$uuid()").as_string()), b(eval("$uuid()").as_string());
  EXPECT_TRUE(std::regex_match(a, v4)) << a;
  EXPECT_TRUE(std::regex_match(b, v4)) << b;
  EXPECT_NE(a, b);
}

TEST(TrutoFunctions, TimeOnlyIsoTakesTheEvaluationDate) {
  // A time without a date is today (the evaluation's clock) at that time, in UTC.
  auto compiled = compile(R"($dtFromIso("12:30").toISO())", truto_functions());
  ASSERT_TRUE(compiled.ok());
  const double now = 1700000000123;  // 2023-11-14T22:13:20.123Z
  auto r = evaluate(*compiled.value(), {}, {}, {}, now);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(json::dump(to_json_value(r.value())), R"("2023-11-14T12:30:00.000+00:00")");
  // Both read the same clock, whatever the day.
  EXPECT_EQ(eval(R"($dtFromIso("12:30").toISODate() = $substringBefore($now(), "T"))").as_bool(), true);
}

TEST(TrutoFunctions, DiffNowCountsFromTheEvaluationClock) {
  double ms = eval(R"($dtFromIso($now()).diffNow().toMillis())").as_number();
  EXPECT_LE(std::abs(ms), 1.0);
}

TEST(TrutoFunctions, StandardJoinKeepsItsOwnDefault) {
  // The sets are separate: the conformance runner's standard $join has no default separator.
  auto std_expr = compile(R"($join(["a", "b"]))");
  ASSERT_TRUE(std_expr.ok());
  EXPECT_EQ(evaluate(*std_expr.value(), {}).value().as_string(), "ab");
  EXPECT_EQ(eval(R"($join(["a", "b"]))").as_string(), "a,b");
}

TEST(TrutoFunctions, ResultsSerialiseLikeTruto) {
  json::Value r =
      eval(R"({"at": $dtFromIso("2024-03-10T12:00:00Z", "UTC"), "u": $parseUrl("https://x.test/a?b=1")})");
  EXPECT_EQ(json::dump(to_json_value(r)), R"({"at":"2024-03-10T12:00:00.000Z","u":"https://x.test/a?b=1"})");
}

TEST(TrutoFunctions, ManyThreadsShareOneCompiledExpression) {
  // Inside a path step `x` would be read from the DateTime: bind it first (as in Truto).
  auto compiled = compile(
      R"(($x := x; $sign($string($x), "SHA-256", "k") & $dtFromIso("2024-01-01T00:00:00Z").plus({"days": $x}).toISODate()))",
      truto_functions());
  ASSERT_TRUE(compiled.ok());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        json::ObjectBuilder b;
        b.set("x", json::Value(t));
        // No time limit: this is about threads, and a thread may wait for a core for a long time here.
        auto r =
            evaluate(*compiled.value(), std::move(b).build(), {}, Limits{.time = std::chrono::seconds(0)});
        if (!r.ok() || r.value().as_string().substr(64) != "2024-01-0" + std::to_string(1 + t)) ++wrong;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace hookd::jsonata::truto
