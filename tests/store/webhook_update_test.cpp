// Webhook records under concurrent writers, against a real Redis: an admin PATCH and the dispatcher's
// auto-disable change different fields of one record at the same moment, and neither undoes the other.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "services.h"
#include "store/keys.h"
#include "store/store.h"
#include "run_coroutine.h"
#include "redis_store.h"

namespace hookd::store {
namespace {

constexpr int kDb = 4;  // shared with account_lookup_test.cpp, under the same resource lock

class WebhookUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webhook_.id = "wh-1";
    webhook_.environment_id = "env-1";
    webhook_.target_url = "https://a.example/0";
    webhook_.secret = "whsec_test";
    webhook_.created_at = webhook_.updated_at = clock::now_millis();
    Status s = run(redis_.store().create_webhook(webhook_));
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  void TearDown() override { redis_.stop(); }

  // Starts a coroutine on the test's io_context; the future holds its result.
  template <typename T>
  std::future<T> start(awaitable<T> a) {
    return test::start(redis_.io(), std::move(a));
  }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }
  Webhook stored() {
    auto w = run(redis_.store().get_webhook(webhook_.id));
    EXPECT_TRUE(w.ok()) << w.error().message;
    return w.ok() ? *w : Webhook{};
  }

  // Two threads, so that the writers' reads and writes really interleave.
  test::RedisStore redis_{kDb};
  Webhook webhook_;
};

// Each round starts an admin PATCH of the URL and an auto-disable at the same moment. Written as read-then-
// write (the old get_webhook + put_webhook), both read the record before either writes, and the second write
// puts back the field the first one changed: some round loses the URL or the disable.
TEST_F(WebhookUpdateTest, ConcurrentPatchAndAutoDisableKeepBothChanges) {
  constexpr int kRounds = 100;
  for (int round = 1; round <= kRounds; ++round) {
    std::string url = "https://a.example/" + std::to_string(round);
    std::string reason = "auto-disabled in round " + std::to_string(round);
    Store::WebhookChange patch = [&](Webhook& w) {
      w.target_url = url;
      w.updated_at = clock::now_millis();
      return true;
    };
    auto patched = start(redis_.store().update_webhook(webhook_.id, patch));
    auto disabled = start(redis_.store().disable_webhook(webhook_.id, reason, clock::now_millis()));
    auto p = patched.get();
    auto d = disabled.get();
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d->second) << "round " << round << ": it was active, so this call disabled it";

    Webhook now = stored();
    ASSERT_EQ(now.target_url, url) << "round " << round << ": the auto-disable undid the PATCH";
    ASSERT_FALSE(now.is_active) << "round " << round << ": the PATCH undid the auto-disable";
    ASSERT_EQ(now.disabled_reason, reason) << "round " << round;

    // An admin enables it again for the next round.
    Store::WebhookChange enable = [](Webhook& w) {
      w.is_active = true;
      w.disabled_reason.clear();
      return true;
    };
    ASSERT_TRUE(run(redis_.store().update_webhook(webhook_.id, enable)).ok());
  }
}

TEST_F(WebhookUpdateTest, DisablingAnInactiveEndpointChangesNothing) {
  auto first = run(redis_.store().disable_webhook(webhook_.id, "first", 1));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->second);
  auto second = run(redis_.store().disable_webhook(webhook_.id, "second", 2));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->second);
  EXPECT_EQ(stored().disabled_reason, "first");
}

TEST_F(WebhookUpdateTest, ADeletedEndpointIsNotBroughtBack) {
  ASSERT_TRUE(run(redis_.store().delete_webhook(webhook_)).ok());
  Store::WebhookChange patch = [](Webhook& w) {
    w.target_url = "https://b.example/";
    return true;
  };
  EXPECT_EQ(run(redis_.store().update_webhook(webhook_.id, patch)).error().code, store::StoreErrc::not_found);
  EXPECT_EQ(run(redis_.store().disable_webhook(webhook_.id, "gone", 1)).error().code,
            store::StoreErrc::not_found);
  auto raw = run(redis_.store().command(RedisCommand{"EXISTS", keys::webhook(webhook_.id)}));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->integer(), 0);
}

}  // namespace
}  // namespace hookd::store
