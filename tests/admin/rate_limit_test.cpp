#include "admin/rate_limit.h"

#include <thread>

#include <gtest/gtest.h>

namespace hookd::admin {
namespace {

TEST(RateLimiter, AllowsTheBurstThenRefusesWithAWait) {
  RateLimiter limiter(10, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.allow("t1")) << i;
  std::chrono::milliseconds wait{0};
  EXPECT_FALSE(limiter.allow("t1", &wait));
  EXPECT_GT(wait.count(), 0);
  EXPECT_LE(wait.count(), 100);
  EXPECT_TRUE(limiter.allow("t2")) << "each token has its own bucket";
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_TRUE(limiter.allow("t1")) << "refilled at 10/s";
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(limiter.allow("t"));
}

}  // namespace
}  // namespace hookd::admin
