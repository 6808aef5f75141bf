// The fixture of DeliveryStore's tests against a real Redis (database 3, test::RedisStore) and helpers that
// schedule, claim and record.
#pragma once

#include <gtest/gtest.h>

#include "core/clock.h"
#include "dispatch/delivery_store.h"
#include "redis_store.h"

namespace hookd::dispatch {

constexpr int kDb = 3;
constexpr std::string_view kEnv = "env-1";

class DeliveryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.max_attempts = 3;
    options_.disable_after = std::chrono::milliseconds(0);
    options_.disable_after_failures = 3;
    deliveries_ = std::make_unique<DeliveryStore>(redis_.store(), options_);
  }
  void TearDown() override { redis_.stop(); }

  // Runs a coroutine on the test's io_context and waits for its result.
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }

  Event event() { return make_event("record:created", "env-1", json::Value::empty_object(), "acc-1"); }

  std::vector<std::string> schedule(const Event& e, std::vector<std::string> webhooks) {
    std::string text = serialize_event(e);
    auto r = run(deliveries_->schedule(e, text, webhooks));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<std::string>{};
  }
  std::vector<std::string> claim(int64_t now, size_t limit, const std::string& who) {
    auto r = run(deliveries_->claim_due(now, limit, who));
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<std::string> ids;
    if (r.ok())
      for (const auto& c : *r)
        ids.push_back(c.id);
    return ids;
  }
  Delivery get(const std::string& id) {
    auto r = run(deliveries_->get(kEnv, id));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Delivery{};
  }
  Delivery get_in(const ClaimedDelivery& c) {
    auto r = run(deliveries_->get(c.shard, c.id));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Delivery{};
  }
  RecordResult record(const std::string& id, const std::string& claim, bool ok, int64_t next_due) {
    Delivery d = get(id);
    Attempt a;
    a.number = d.attempts + 1;
    a.started_at = clock::now_millis();
    a.status_code = ok ? 200 : 500;
    if (!ok) a.error = "endpoint answered 500";
    auto r = run(deliveries_->record(d, claim, a, ok, next_due));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : RecordResult{};
  }

  test::RedisStore redis_{kDb};
  DispatchOptions options_;
  std::unique_ptr<DeliveryStore> deliveries_;
};

}  // namespace hookd::dispatch
