// LeaseKeeper against a real Redis: a renewal extends the leases this node still holds and leaves alone those
// another dispatcher claimed after they lapsed, and those whose attempt was recorded meanwhile.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "dispatch/delivery_store.h"
#include "dispatch/lease_keeper.h"
#include "core/metrics.h"
#include "redis_store.h"

namespace hookd::dispatch {
namespace {

constexpr int kDb = 3;
const int kShard = DeliveryStore::shard_of("env-1");

std::vector<std::string> ids_of(const std::vector<ClaimedDelivery>& claimed) {
  std::vector<std::string> ids;
  for (const auto& c : claimed)
    ids.push_back(c.id);
  return ids;
}

class LeaseKeeperTest : public ::testing::Test {
 protected:
  void TearDown() override { redis_.stop(); }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }
  // One delivery per webhook, due now, each claimed by `claim` at `now` (set here: the lease runs until
  // now + lease).
  std::vector<std::string> claimed(int64_t& now, const std::vector<std::string>& webhooks,
                                   const std::string& claim, const std::string& env = "env-1") {
    Event e = make_event("record:created", env, json::Value::empty_object(), "acc-1");
    auto created = run(deliveries_->schedule(e, serialize_event(e), webhooks));
    EXPECT_TRUE(created.ok()) << created.error().message;
    now = clock::now_millis();
    auto got = run(deliveries_->claim_due(now, 100, claim));
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? ids_of(*got) : std::vector<std::string>{};
  }
  // Who may claim at `at`: the ids due by then.
  std::vector<std::string> claimable(int64_t at) {
    auto got = run(deliveries_->claim_due(at, 100, "probe"));
    EXPECT_TRUE(got.ok());
    return got.ok() ? ids_of(*got) : std::vector<std::string>{};
  }
  static double lost() {
    return static_cast<double>(metrics::registry()
                                   .counter("hookd_dispatch_leases_lost_total",
                                            "In-flight attempts whose lease was found claimed by another "
                                            "dispatcher (it lapsed meanwhile).")
                                   .value());
  }

  DispatchOptions options_;
  test::RedisStore redis_{kDb};
  std::unique_ptr<DeliveryStore> deliveries_ = std::make_unique<DeliveryStore>(redis_.store(), options_);
  std::unique_ptr<LeaseKeeper> keeper_ =
      std::make_unique<LeaseKeeper>(redis_.io().get_executor(), redis_.store(), options_.lease);
};

TEST_F(LeaseKeeperTest, RenewsOnlyTheLeasesItHoldsAndStillOwns) {
  int64_t now = 0;
  const int64_t lease = options_.lease.count();
  auto ids = claimed(now, {"wh-1", "wh-2", "wh-3"}, "node-a");
  ASSERT_EQ(ids.size(), 3u);
  auto held0 = keeper_->hold(kShard, ids[0], "node-a");
  auto held1 = keeper_->hold(kShard, ids[1], "node-a");
  // ids[2] is claimed but not held: its attempt ended, so it is not renewed.
  EXPECT_EQ(keeper_->held(), 2u);

  // Half a lease later, renewed: both held ones run until then + lease.
  auto renewed = run(keeper_->renew(now + lease / 2));
  ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  EXPECT_EQ(*renewed, 2u);
  auto due = claimable(now + lease);  // the original leases' end: only the unheld one is free
  EXPECT_EQ(due, std::vector<std::string>{ids[2]});

  // Not renewed since, both lapse and another node claims them; a renewal leaves them to the other node and
  // counts them lost.
  double lost_before = lost();
  auto other = run(deliveries_->claim_due(now + lease / 2 + lease, 100, "node-b"));
  ASSERT_TRUE(other.ok());
  std::vector<std::string> taken = ids_of(*other), lapsed = {ids[0], ids[1]};
  std::sort(taken.begin(), taken.end());
  std::sort(lapsed.begin(), lapsed.end());
  EXPECT_EQ(taken, lapsed);
  renewed = run(keeper_->renew(now + 2 * lease));
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(*renewed, 0u) << "both are node-b's now";
  EXPECT_EQ(lost() - lost_before, 2.0);
  auto d = run(deliveries_->get(kShard, ids[1]));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->claim, "node-b");
}

TEST_F(LeaseKeeperTest, AHoldEndsWithItsScopeAndNothingHeldRenewsNothing) {
  int64_t now = 0;
  auto ids = claimed(now, {"wh-1"}, "node-a");
  ASSERT_EQ(ids.size(), 1u);
  {
    auto held = keeper_->hold(kShard, ids[0], "node-a");
    EXPECT_EQ(keeper_->held(), 1u);
  }
  EXPECT_EQ(keeper_->held(), 0u);
  auto renewed = run(keeper_->renew(now + 1000));
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(*renewed, 0u);
  EXPECT_EQ(claimable(now + options_.lease.count()), ids) << "not renewed: free at its lease's end";
}

// Leases in different delivery shards are renewed in one round, one script per shard (a script's keys share a
// Redis Cluster slot: test::RedisStore fails the test otherwise).
TEST_F(LeaseKeeperTest, RenewsTheLeasesOfEveryShard) {
  std::string other_env = "env-2";
  for (int i = 3; DeliveryStore::shard_of(other_env) == kShard; ++i)
    other_env = "env-" + std::to_string(i);
  int64_t now = 0;
  auto first = claimed(now, {"wh-1"}, "node-a");
  int64_t later = 0;
  auto second = claimed(later, {"wh-2"}, "node-a", other_env);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  auto held0 = keeper_->hold(kShard, first[0], "node-a");
  auto held1 = keeper_->hold(DeliveryStore::shard_of(other_env), second[0], "node-a");
  auto renewed = run(keeper_->renew(later + options_.lease.count()));
  ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  EXPECT_EQ(*renewed, 2u);
  EXPECT_TRUE(claimable(later + options_.lease.count() + 1).empty()) << "both leases extended";
}

}  // namespace
}  // namespace hookd::dispatch
