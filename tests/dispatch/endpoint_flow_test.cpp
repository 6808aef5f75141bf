// EndpointFlows: the per-node concurrency limit of each endpoint (AIMD) and its circuit breaker, on a clock
// the test drives.
#include <gtest/gtest.h>

#include "dispatch/endpoint_flow.h"

namespace hookd::dispatch {
namespace {

using namespace std::chrono_literals;

EndpointFlowOptions small() {
  EndpointFlowOptions o;
  o.initial_limit = 2;
  o.max_limit = 8;
  o.latency_target = 1000ms;
  o.decrease = 0.5;
  o.decrease_interval = 100ms;
  o.breaker_failures = 3;
  o.breaker_cooldown = 1000ms;
  o.breaker_cooldown_max = 3000ms;
  o.busy_retry = 50ms;
  return o;
}

// Admits as many as it will at `now`; returns how many.
size_t fill(EndpointFlows& f, const std::string& id, int64_t now) {
  size_t n = 0;
  while (f.admit(id, now).admitted())
    ++n;
  return n;
}

TEST(EndpointFlows, StartsAtTheInitialLimitAndGrowsByOnePerSuccessUpToTheMax) {
  EndpointFlows f(small());
  EXPECT_EQ(fill(f, "a", 0), 2u);
  Admission busy = f.admit("a", 0);
  EXPECT_EQ(busy.verdict, Admission::Verdict::busy);
  EXPECT_EQ(busy.retry_at, 50);
  for (int i = 0; i < 2; ++i)
    f.finished("a", FlowOutcome::success, 10ms, 1);
  EXPECT_EQ(fill(f, "a", 2), 4u) << "slow start: one more per success";
  for (int round = 0; round < 10; ++round) {
    EndpointFlowState s = f.state("a", 3);
    for (size_t i = 0; i < s.in_flight; ++i)
      f.finished("a", FlowOutcome::success, 10ms, 3);
    fill(f, "a", 3);
  }
  EXPECT_EQ(f.state("a", 4).limit, 8.0) << "never above the max";
}

TEST(EndpointFlows, ASickEndpointNeverTakesTheRoomOfAHealthyOne) {
  EndpointFlows f(small());
  EXPECT_EQ(fill(f, "sick", 0), 2u);
  EXPECT_EQ(fill(f, "healthy", 0), 2u);
  f.finished("sick", FlowOutcome::failure, 10ms, 1);
  EXPECT_EQ(f.state("healthy", 1).limit, 2.0);
  EXPECT_EQ(f.state("sick", 1).limit, 1.0);
}

TEST(EndpointFlows, FailuresCutTheLimitOncePerIntervalThenItGrowsSlowly) {
  EndpointFlowOptions o = small();
  o.initial_limit = 8;
  o.breaker_failures = 100;
  EndpointFlows f(o);
  EXPECT_EQ(fill(f, "a", 0), 8u);
  // A burst of failures from one moment is one cut, not eight.
  for (int i = 0; i < 8; ++i)
    f.finished("a", FlowOutcome::throttled, 10ms, 10);
  EXPECT_EQ(f.state("a", 10).limit, 4.0);
  // A later failure cuts again.
  f.admit("a", 200);
  f.finished("a", FlowOutcome::failure, 10ms, 200);
  EXPECT_EQ(f.state("a", 200).limit, 2.0);
  // After a cut it grows by one per round of `limit` successes, not one per success.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(f.admit("a", 300).admitted());
    f.finished("a", FlowOutcome::success, 10ms, 300);
  }
  EXPECT_NEAR(f.state("a", 300).limit, 2.9, 0.05);
}

TEST(EndpointFlows, ASlowSuccessCountsAsCongestion) {
  EndpointFlowOptions o = small();
  o.initial_limit = 8;
  EndpointFlows f(o);
  ASSERT_TRUE(f.admit("a", 0).admitted());
  f.finished("a", FlowOutcome::success, 1500ms, 0);
  EXPECT_EQ(f.state("a", 0).limit, 4.0);
  EXPECT_EQ(f.state("a", 0).consecutive_failures, 0) << "slow is not failed: the breaker stays closed";
}

TEST(EndpointFlows, TheBreakerOpensHalfOpensWithOneProbeAndClosesOnItsSuccess) {
  EndpointFlows f(small());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(f.admit("a", 0).admitted());
    f.finished("a", FlowOutcome::failure, 10ms, 0);
  }
  Admission open = f.admit("a", 10);
  EXPECT_EQ(open.verdict, Admission::Verdict::open);
  EXPECT_EQ(open.retry_at, 1000) << "opened at 0 for the cooldown";
  EXPECT_EQ(f.state("a", 10).breaker, BreakerState::open);
  EXPECT_EQ(f.open_breakers(10), 1u);

  // Past the cooldown: one probe, the others wait for it.
  EXPECT_TRUE(f.admit("a", 1000).admitted());
  EXPECT_EQ(f.admit("a", 1001).verdict, Admission::Verdict::probing);
  EXPECT_EQ(f.state("a", 1001).breaker, BreakerState::half_open);
  f.finished("a", FlowOutcome::success, 10ms, 1002);
  EndpointFlowState s = f.state("a", 1002);
  EXPECT_EQ(s.breaker, BreakerState::closed);
  EXPECT_EQ(s.limit, 1.0) << "back from one at a time";
  EXPECT_EQ(f.open_breakers(1002), 0u);
}

TEST(EndpointFlows, AFailedProbeOpensTheBreakerForTwiceAsLongUpToTheMax) {
  EndpointFlows f(small());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(f.admit("a", 0).admitted());
    f.finished("a", FlowOutcome::failure, 10ms, 0);
  }
  int64_t now = 1000;
  for (int64_t expected : {2000, 3000, 3000}) {
    ASSERT_TRUE(f.admit("a", now).admitted()) << now;
    f.finished("a", FlowOutcome::failure, 10ms, now);
    Admission a = f.admit("a", now + 1);
    EXPECT_EQ(a.verdict, Admission::Verdict::open);
    EXPECT_EQ(a.retry_at - now, expected);
    now = a.retry_at;
  }
}

TEST(EndpointFlows, AnAbandonedProbeLetsTheNextOneGo) {
  EndpointFlows f(small());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(f.admit("a", 0).admitted());
    f.finished("a", FlowOutcome::failure, 10ms, 0);
  }
  ASSERT_TRUE(f.admit("a", 1000).admitted());
  f.abandoned("a");
  EXPECT_TRUE(f.admit("a", 1001).admitted());
  EXPECT_EQ(f.state("a", 1001).in_flight, 1u);
}

}  // namespace
}  // namespace hookd::dispatch
