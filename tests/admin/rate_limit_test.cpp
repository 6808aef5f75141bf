#include "admin/rate_limit.h"

#include <gtest/gtest.h>

namespace hookd::admin {
namespace {

TEST(RateLimiter, AllowsTheBurstThenRefusesWithAWait) {
  using std::chrono::milliseconds;
  RateLimiter limiter(10, 3);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.allow("t1", t0)) << i;
  milliseconds wait{0};
  EXPECT_FALSE(limiter.allow("t1", t0, &wait));
  EXPECT_EQ(wait.count(), 100) << "one token at 10/s";
  EXPECT_TRUE(limiter.allow("t2", t0)) << "each token has its own bucket";
  EXPECT_FALSE(limiter.allow("t1", t0 + milliseconds(50), &wait));
  EXPECT_EQ(wait.count(), 50);
  EXPECT_TRUE(limiter.allow("t1", t0 + milliseconds(100))) << "refilled at 10/s";
  EXPECT_FALSE(limiter.allow("t1", t0 + milliseconds(100)));
  EXPECT_TRUE(limiter.allow("t1", t0 + std::chrono::seconds(10)));
  EXPECT_TRUE(limiter.allow("t1", t0 + std::chrono::seconds(10)));
  EXPECT_TRUE(limiter.allow("t1", t0 + std::chrono::seconds(10))) << "refills up to the burst";
  EXPECT_FALSE(limiter.allow("t1", t0 + std::chrono::seconds(10))) << "and no further";
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(limiter.allow("t"));
}

}  // namespace
}  // namespace hookd::admin
