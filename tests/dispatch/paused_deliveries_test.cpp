// Paused deliveries against a real Redis: what an event creates for a disabled endpoint, the per-endpoint bound,
// and resuming them when the endpoint is enabled (DeliveryStore, pause_scripts.h).
#include <gtest/gtest.h>

#include "core/clock.h"
#include "delivery_store_fixture.h"
#include "dispatch/delivery_store.h"
#include "store/keys.h"

namespace hookd::dispatch {
namespace {

// The DeliveryStore fixture (db 3), with at most 3 paused deliveries per endpoint.
class PausedDeliveriesTest : public DeliveryStoreTest {
 protected:
  void SetUp() override {
    options_.paused_max_per_endpoint = 3;
    DeliveryStoreTest::SetUp();
  }

  DeliveryStore::PauseResult pause(const Event& e, std::vector<std::string> webhooks) {
    std::string text = serialize_event(e);
    auto r = run(deliveries_->pause(e, text, webhooks));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : DeliveryStore::PauseResult{};
  }
  std::vector<std::string> due(const std::string& who = "claimer") {
    return claim(clock::now_millis() + 1, 100, who);
  }
  DeliveryStore::PauseState state(const std::string& webhook) {
    auto r = run(deliveries_->pause_state("env-1", webhook));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : DeliveryStore::PauseState{};
  }
  size_t resume(const std::string& webhook) {
    auto r = run(deliveries_->resume_paused("env-1", webhook, clock::now_millis()));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : 0;
  }
};

TEST_F(PausedDeliveriesTest, APausedDeliveryIsStoredAndListedButNotScheduled) {
  Event e = event();
  auto r = pause(e, {"wh-off"});
  std::string id = DeliveryStore::delivery_id(e.id, "wh-off");
  ASSERT_EQ(r.paused, std::vector<std::string>{id});
  EXPECT_TRUE(r.scheduled.empty());
  EXPECT_TRUE(r.dropped.empty());
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::paused);
  EXPECT_EQ(d.webhook_id, "wh-off");
  EXPECT_EQ(d.attempts, 0);
  EXPECT_TRUE(due().empty()) << "a paused delivery is not in the schedule";
  EXPECT_TRUE(run(deliveries_->event_json("env-1", e.id)).ok()) << "its event is kept for when it is resumed";

  DeliveryFilter paused_only;
  paused_only.status = DeliveryStatus::paused;
  for (auto [index, owner] : {std::pair{DeliveryStore::Index::webhook, std::string("wh-off")},
                              std::pair{DeliveryStore::Index::environment, std::string("env-1")},
                              std::pair{DeliveryStore::Index::event, e.id}}) {
    auto page = run(deliveries_->list(index, "env-1", owner, paused_only, "", 10));
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->items.size(), 1u) << owner;
    EXPECT_EQ(page->items[0].id, id);
  }
  EXPECT_EQ(to_string(DeliveryStatus::paused), "paused");
  EXPECT_EQ(delivery_status_from("paused"), DeliveryStatus::paused);

  // Consumed again (at least once): the delivery exists, nothing new is created.
  auto again = pause(e, {"wh-off"});
  EXPECT_TRUE(again.paused.empty());
  EXPECT_EQ(state("wh-off").paused, 1);
}

TEST_F(PausedDeliveriesTest, OverTheBoundNewEventsAreCountedNotRecorded) {
  std::vector<std::string> kept;
  for (int i = 0; i < 5; ++i) {
    Event e = event();
    auto r = pause(e, {"wh-off", "wh-other"});
    if (i < 3) {
      EXPECT_EQ(r.paused.size(), 2u) << i;
      kept.push_back(DeliveryStore::delivery_id(e.id, "wh-off"));
    } else {
      EXPECT_TRUE(r.paused.empty()) << i;
      EXPECT_EQ(r.dropped, (std::vector<std::string>{"wh-off", "wh-other"})) << i;
      EXPECT_FALSE(run(deliveries_->event_json("env-1", e.id)).ok())
          << "an event no delivery needs is not kept";
    }
  }
  DeliveryStore::PauseState st = state("wh-off");
  EXPECT_EQ(st.paused, 3);
  EXPECT_EQ(st.paused_dropped, 2);
  for (const auto& id : kept)
    EXPECT_EQ(get(id).status, DeliveryStatus::paused) << "the oldest are kept";
}

TEST_F(PausedDeliveriesTest, ResumingSchedulesTheSameDeliveriesOnce) {
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-off", 1000)).ok());
  Event a = event(), b = event();
  pause(a, {"wh-off"});
  pause(b, {"wh-off"});
  auto before = run(deliveries_->mark_enabled("env-1", "wh-off", 2000));
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->disabled_at, 1000);
  EXPECT_EQ(before->paused, 2);

  EXPECT_EQ(resume("wh-off"), 2u);
  for (const Event* e : {&a, &b}) {
    Delivery d = get(DeliveryStore::delivery_id(e->id, "wh-off"));
    EXPECT_EQ(d.status, DeliveryStatus::pending);
    EXPECT_EQ(d.replays, 0) << "a first attempt, not a replay";
  }
  EXPECT_EQ(state("wh-off").paused, 0);
  EXPECT_EQ(resume("wh-off"), 0u) << "idempotent";
  auto claimed = due();
  EXPECT_EQ(claimed.size(), 2u);
  // The event consumed again after the endpoint is active: the delivery exists, so no duplicate.
  std::string text = serialize_event(a);
  std::vector<std::string> target{"wh-off"};
  auto created = run(deliveries_->schedule(a, text, target));
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->empty());
}

TEST_F(PausedDeliveriesTest, AnEndpointEnabledMeanwhileGetsItsDeliveryDueNow) {
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-1", clock::now_millis())).ok());
  ASSERT_TRUE(run(deliveries_->mark_enabled("env-1", "wh-1", clock::now_millis())).ok());
  // The dispatcher read the endpoint list before the enable: it asks to pause, the script schedules.
  Event e = event();
  auto r = pause(e, {"wh-1"});
  EXPECT_TRUE(r.paused.empty());
  ASSERT_EQ(r.scheduled.size(), 1u);
  EXPECT_EQ(get(r.scheduled[0]).status, DeliveryStatus::pending);
  EXPECT_EQ(due(), r.scheduled);
  // Disabled again: paused again.
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-1", clock::now_millis())).ok());
  EXPECT_EQ(pause(event(), {"wh-1"}).paused.size(), 1u);
}

TEST_F(PausedDeliveriesTest, DisabledAtIsWhenTheDisabledPeriodBeganAndEnablingForgetsTheDropCount) {
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-off", 1000)).ok());
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-off", 5000)).ok());
  for (int i = 0; i < 4; ++i)
    pause(event(), {"wh-off"});
  auto st = state("wh-off");
  EXPECT_EQ(st.disabled_at, 1000);
  EXPECT_EQ(st.paused_dropped, 1);
  auto before = run(deliveries_->mark_enabled("env-1", "wh-off", 6000));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->paused_dropped, 1);
  st = state("wh-off");
  EXPECT_EQ(st.disabled_at, 1000) << "kept: a repeated enable's replay starts from the same time";
  EXPECT_EQ(st.paused_dropped, 0);
  EXPECT_EQ(st.enabled_at, 6000);
  EXPECT_EQ(st.paused, 3) << "enabling without a replay leaves them paused";
  // Disabled again after the enable: a new period.
  ASSERT_TRUE(run(deliveries_->mark_disabled("env-1", "wh-off", 7000)).ok());
  st = state("wh-off");
  EXPECT_EQ(st.disabled_at, 7000);
  EXPECT_EQ(st.enabled_at, 0);
}

TEST_F(PausedDeliveriesTest, ReplayingOnePausedDeliverySendsItAndTakesItOutOfThePausedSet) {
  Event e = event();
  pause(e, {"wh-off"});
  Delivery d = get(DeliveryStore::delivery_id(e.id, "wh-off"));
  auto r = run(deliveries_->replay(d, clock::now_millis()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, ReplayOutcome::replayed);
  EXPECT_EQ(get(d.id).status, DeliveryStatus::pending);
  EXPECT_EQ(state("wh-off").paused, 0);
  EXPECT_EQ(due().size(), 1u);
}

TEST_F(PausedDeliveriesTest, FailedIdsSinceSelectsByDeadLetterTime) {
  auto key = store::keys::webhook_failed(store::keys::delivery_shard("env-1"), "wh-1");
  ASSERT_TRUE(
      run(redis_.store().command(store::RedisCommand{"ZADD", key, 100, "old", 200, "at", 300, "new"})).ok());
  auto ids = run(deliveries_->failed_ids_since("env-1", "wh-1", 200));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"at", "new"}));
}

}  // namespace
}  // namespace hookd::dispatch
