// Safety limits: a hostile or buggy expression fails its own evaluation, quickly and with a clear error, and
// never hangs or crashes the thread running it.
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <string>

#include "test_util.h"

namespace hookd::jsonata {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `expr` under the default limits and returns its error, checking it took at most `budget`.
Error fails_quickly(std::string_view expr, std::chrono::milliseconds budget = std::chrono::milliseconds(5000),
                    const Limits& limits = {}) {
  auto t0 = Clock::now();
  Error e = testing::error_of(expr, "", limits);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  EXPECT_LT(took.count(), budget.count()) << expr;
  return e;
}

TEST(Limits, DefaultsAreServerSafe) {
  Limits l;
  EXPECT_EQ(l.time, std::chrono::milliseconds(100));
  EXPECT_GT(l.max_depth, 302);  // jsonata-js's own $factorial(99) test needs 302
  EXPECT_EQ(l.max_result_items, 1'000'000u);
}

TEST(Limits, InfiniteRecursionStopsAtTheDepthLimit) {
  // No time limit, so that only the depth limit can stop it, however slow the machine is.
  Error e = fails_quickly("( $f := function($n){ 1 + $f($n + 1) }; $f(0) )", std::chrono::milliseconds(60000),
                          Limits{.time = std::chrono::seconds(0)});
  EXPECT_EQ(e.code, "U1001");
  EXPECT_NE(e.message.find("Stack overflow"), std::string::npos) << e.message;
}

TEST(Limits, DepthCountsLikeJsonataJs) {
  // The conformance suite's tail-recursion cases: three nested evaluations per level of recursion.
  Limits limits;
  limits.max_depth = 302;
  EXPECT_EQ(testing::run("( $f := function($n){ $n = 0 ? 1 : $n * $f($n - 1) }; $f(99) )", "", {}, limits),
            "9.33262154439441e+155");
  EXPECT_EQ(testing::run("( $f := function($n){ $n = 0 ? 1 : $n * $f($n - 1) }; $f(100) )", "", {}, limits),
            "error U1001");
}

TEST(Limits, EndlessTailRecursionStopsAtTheTimeLimit) {
  // A tail call runs in constant depth, so only the clock can stop this one.
  Error e = fails_quickly("( $f := function(){ $f() }; $f() )");
  EXPECT_EQ(e.code, "U1001");
  EXPECT_NE(e.message.find("timeout"), std::string::npos);
}

TEST(Limits, TheClockIsCheckedWhateverTheShapeOfTheLoop) {
  // Found by fuzz_jsonata_evaluate: a tail-recursive loop whose steps once lined up so that the periodic
  // clock check was always skipped. It ran for ten minutes under a 50 ms limit.
  static const char expr[] =
      "( $f := function($n){ $n = 2 ? $n : $f(\xe7"
      "$nct\xd4"
      "\xdf"
      "\xd4"
      "\xdf"
      "\xdb"
      "\x99"
      "\xd7"
      "\xdb"
      "n\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "false\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "*\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "``\x00"
      "0\xe4"
      "\xe8"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\xff"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "= function-2) }; $f(10) )";
  Limits limits;
  limits.time = std::chrono::milliseconds(50);
  Error e = fails_quickly(std::string_view(expr, sizeof expr - 1), std::chrono::milliseconds(1500), limits);
  EXPECT_EQ(e.code, "U1001");
}

TEST(Limits, CatastrophicRegexesGiveUp) {
  // Exponential backtracking (jsonata-js would hang on this): the search gives up with an error instead.
  Error e = fails_quickly(R"($match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+b/))");
  EXPECT_EQ(e.code, "U1001");
  EXPECT_NE(e.message.find("Regular expression"), std::string::npos);
  // Ordinary patterns over long subjects still match.
  Limits relaxed;
  relaxed.time = std::chrono::seconds(20);
  EXPECT_EQ(testing::run("$count($match($pad('', 200000, 'ab '), /ab/))", "", {}, relaxed), "66667");
}

TEST(Limits, EvalLoopsAreStopped) {
  Error e = fails_quickly("( $f := function(){ $eval('$f()') }; $f() )");
  EXPECT_EQ(e.code, "U1001");  // a limit error passes through $eval instead of becoming D3121
}

TEST(Limits, ExponentialOutputIsStopped) {
  // Each step doubles an object whose halves share structure: cheap to build, 2^40 values to write out.
  Error o = fails_quickly("$reduce([1..40], function($acc, $i){ {'a': $acc, 'b': $acc} }, 1)");
  EXPECT_EQ(o.code, "D2015");
  Error e = fails_quickly("$reduce([1..40], function($acc, $i){ [$acc, $acc] }, [1])");
  EXPECT_EQ(e.code, "D2015");
  Error s = fails_quickly("$reduce([1..40], function($acc, $i){ $acc & $acc }, 'x')");
  EXPECT_EQ(s.code, "D2015");
  Error r = fails_quickly("[1..10000000]");
  EXPECT_EQ(r.code, "D2015");
}

TEST(Limits, BusyLoopsStopAtTheTimeLimit) {
  Limits limits;
  limits.time = std::chrono::milliseconds(20);
  Error e =
      fails_quickly("$sum([1..1000000].($ * 2 + $sum([1..50])))", std::chrono::milliseconds(1500), limits);
  EXPECT_EQ(e.code, "U1001");
}

TEST(Limits, DeeplyNestedExpressionsAreRejectedAtCompile) {
  std::string deep(100000, '(');
  auto r = compile(deep + "1" + std::string(100000, ')'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "U1001");
  std::string arrays(50000, '[');
  EXPECT_FALSE(compile(arrays).ok());
}

TEST(Limits, DeeplyNestedValuesAreHandledWithoutRecursionLimits) {
  // JSONata can build a value nested far deeper than any JSON parser accepts. Comparing it, returning it and
  // freeing it must not exhaust the stack.
  Limits limits;
  limits.time = std::chrono::seconds(30);
  limits.max_result_items = 0;
  const std::string deep = "$reduce([1..100000], function($a, $i){ {'a': $a} }, {})";
  EXPECT_EQ(testing::run(deep, "", {}, limits), "error U1001");  // the result nests too deep to hand out
  EXPECT_EQ(testing::run("($x := " + deep + "; $y := " + deep + "; $x = $y)", "", {}, limits), "error U1001");
  EXPECT_EQ(testing::run("($x := " + deep + "; 'freed')", "", {}, limits), "\"freed\"");
}

TEST(Limits, CallersCanLiftTheLimits) {
  Limits none;
  none.time = std::chrono::milliseconds(0);
  none.max_depth = 0;
  none.max_result_items = 0;
  none.max_string_bytes = 0;
  EXPECT_EQ(testing::run("$count([1..2000000])", "", {}, none), "2000000");
}

// A small thread stack: deep recursion must stop with an error before the stack runs out.
TEST(Limits, SmallThreadStacksAreRespected) {
  struct Arg {
    std::string result;
  } arg;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t t;
  auto body = [](void* p) -> void* {
    Limits none;
    none.max_depth = 0;
    static_cast<Arg*>(p)->result =
        testing::run("( $f := function($n){ 1 + $f($n + 1) }; $f(0) )", "", {}, none);
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, body, &arg), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(arg.result, "error U1001");
}

}  // namespace
}  // namespace hookd::jsonata
