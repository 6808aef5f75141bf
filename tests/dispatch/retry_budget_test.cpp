// RetryBudget against a real Redis: the pacing of an endpoint's retries across the fleet (two budgets on one
// Redis stand for two dispatchers), the rate's growth and cuts, and deferring a claimed delivery.
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "dispatch/retry_budget.h"
#include "run_coroutine.h"
#include "redis_store.h"
#include "services.h"
#include "store/keys.h"

namespace hookd::dispatch {
namespace {

using namespace std::chrono_literals;

constexpr int kDb = 3;

class RetryBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.initial_rate = 10;
    options_.min_rate = 1;
    options_.max_rate = 100;
    options_.increase = 1;
    options_.decrease = 0.5;
    options_.decrease_interval = 1000ms;
    options_.horizon = 1000ms;
    a_ = std::make_unique<RetryBudget>(redis_.store(), options_);
    b_ = std::make_unique<RetryBudget>(redis_.store(), options_);
  }
  void TearDown() override { redis_.stop(); }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }
  RetrySlot take(RetryBudget& b, int64_t now) {
    auto r = run(b.take("env-1", "wh-1", now));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : RetrySlot{};
  }
  double rate() {
    auto r = run(read_endpoint_flow(redis_.store(), "env-1", "wh-1"));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->rate : -1;
  }

  test::RedisStore redis_{kDb};
  RetryBudgetOptions options_;
  std::unique_ptr<RetryBudget> a_, b_;
};

TEST_F(RetryBudgetTest, RetriesOfTwoDispatchersArePacedTogetherAtTheRate) {
  const int64_t t0 = 1'000'000;
  // 10/s: one slot every 100 ms, whichever dispatcher asks.
  std::vector<int64_t> slots;
  for (int i = 0; i < 10; ++i) {
    RetrySlot s = take(i % 2 ? *a_ : *b_, t0);
    EXPECT_TRUE(s.reserved) << i;
    slots.push_back(s.at);
  }
  EXPECT_TRUE(take(*a_, t0 + 2000).now) << "the clock caught up";
  for (size_t i = 0; i < slots.size(); ++i)
    EXPECT_EQ(slots[i], t0 + static_cast<int64_t>(i) * 100) << i;
}

TEST_F(RetryBudgetTest, AMomentBeyondTheHorizonIsNotReserved) {
  const int64_t t0 = 1'000'000;
  for (int i = 0; i < 11; ++i)
    ASSERT_TRUE(take(*a_, t0).reserved) << i;  // slots up to t0 + 1000 ms
  RetrySlot far = take(*a_, t0);
  EXPECT_FALSE(far.reserved);
  EXPECT_EQ(far.at, t0 + 1100);
  // Not reserving left the clock where it was.
  EXPECT_EQ(take(*b_, t0).at, t0 + 1100);
}

TEST_F(RetryBudgetTest, SuccessesRaiseTheRateAndAFailureHalvesItOncePerInterval) {
  const int64_t t0 = 1'000'000;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(run(a_->feedback("env-1", "wh-1", true, t0)).ok());
  EXPECT_DOUBLE_EQ(rate(), 20);
  ASSERT_TRUE(run(a_->feedback("env-1", "wh-1", false, t0)).ok());
  ASSERT_TRUE(run(b_->feedback("env-1", "wh-1", false, t0 + 10)).ok());
  EXPECT_DOUBLE_EQ(rate(), 10) << "one cut per interval, across dispatchers";
  ASSERT_TRUE(run(b_->feedback("env-1", "wh-1", false, t0 + 1000)).ok());
  EXPECT_DOUBLE_EQ(rate(), 5);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(run(b_->feedback("env-1", "wh-1", false, t0 + 2000 + i * 1000)).ok());
  EXPECT_DOUBLE_EQ(rate(), 1) << "never below the minimum";
  for (int i = 0; i < 500; ++i)
    ASSERT_TRUE(run(a_->feedback("env-1", "wh-1", true, t0 + 20'000)).ok());
  EXPECT_DOUBLE_EQ(rate(), 100) << "never above the maximum";
  // At the new rate the slots are 10 ms apart.
  RetrySlot first = take(*a_, t0 + 30'000), second = take(*a_, t0 + 30'000);
  EXPECT_EQ(second.at - first.at, 10);
}

TEST_F(RetryBudgetTest, DeferPutsAClaimedDeliveryBackInTheScheduleOnlyForItsClaimer) {
  Delivery d;
  d.id = "del-1";
  d.webhook_id = "wh-1";
  d.environment_id = "env-1";
  const int shard = store::keys::delivery_shard(d.environment_id);
  auto hset = run(redis_.store().command(store::RedisCommand{
      "HSET", store::keys::delivery(shard, d.id), "id", d.id, "claim", "node-a:1", "status", "retrying"}));
  ASSERT_TRUE(hset.ok());
  auto lost = run(a_->defer(d, "node-b:1", 5000, 0, 1000));
  ASSERT_TRUE(lost.ok()) << lost.error().message;
  EXPECT_FALSE(*lost);
  auto deferred = run(a_->defer(d, "node-a:1", 5000, 5000, 1000));
  ASSERT_TRUE(deferred.ok()) << deferred.error().message;
  EXPECT_TRUE(*deferred);
  auto due = run(redis_.store().command(store::RedisCommand{"ZSCORE", store::keys::schedule(shard), d.id}));
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->str(), "5000");
  auto fields = run(redis_.store().command(store::RedisCommand{"HMGET", store::keys::delivery(shard, d.id),
                                                               "claim", "next_attempt_at", "budget_slot"}));
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ((*fields)[0].str(), "");
  EXPECT_EQ((*fields)[1].str(), "5000");
  EXPECT_EQ((*fields)[2].str(), "5000");
}

}  // namespace
}  // namespace hookd::dispatch
