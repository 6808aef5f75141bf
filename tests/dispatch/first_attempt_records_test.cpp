// DeliveryStore::record_first against a real Redis: a first attempt sent before its delivery existed creates
// the delivery with its outcome in one call (succeeded, retrying on the schedule, or dead-lettered, with the
// endpoint's health), an event consumed twice adds its attempt to the delivery it made, and the partition's
// mark holds the highest offset recorded in any shard.
#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "dispatch/delivery_store.h"
#include "delivery_store_fixture.h"

namespace hookd::dispatch {
namespace {

constexpr std::string_view kTopic = "hookd.events";

class FirstAttemptRecordsTest : public DeliveryStoreTest {
 protected:
  RecordResult record_first(const Event& e, const std::string& webhook, bool delivered, int64_t next_due,
                            int64_t offset, int32_t partition = 0) {
    Attempt a;
    a.number = 1;
    a.started_at = clock::now_millis();
    a.status_code = delivered ? 200 : 500;
    if (!delivered) a.error = "endpoint answered 500";
    auto r = run(deliveries_->record_first(e, serialize_event(e), webhook, a.started_at, a, delivered,
                                           next_due, KafkaPosition{kTopic, partition, offset}));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : RecordResult{};
  }
  int64_t through(int32_t partition = 0) {
    auto r = run(deliveries_->recorded_through(kTopic, partition));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : -2;
  }
  size_t attempts_of(const std::string& id) {
    auto r = run(deliveries_->attempts(kEnv, id));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->size() : 0;
  }
};

TEST_F(FirstAttemptRecordsTest, ADeliveredFirstAttemptMakesASucceededDeliveryWithItsAttempt) {
  Event e = event();
  RecordResult r = record_first(e, "w1", true, 0, 10);
  EXPECT_FALSE(r.existed);
  EXPECT_EQ(r.status, DeliveryStatus::succeeded);
  const std::string id = DeliveryStore::delivery_id(e.id, "w1");
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::succeeded);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.event_id, e.id);
  EXPECT_EQ(d.webhook_id, "w1");
  EXPECT_EQ(d.environment_id, kEnv);
  EXPECT_EQ(d.last_status_code, 200);
  EXPECT_TRUE(d.claim.empty());
  EXPECT_EQ(attempts_of(id), 1u);
  EXPECT_TRUE(claim(clock::now_millis() + 60'000, 10, "c").empty()) << "a finished delivery is not scheduled";
  auto stored = run(deliveries_->event_json(kEnv, e.id));
  ASSERT_TRUE(stored.ok()) << "the event is kept for replays";
  EXPECT_EQ(*stored, serialize_event(e));
  auto listed = run(deliveries_->list(DeliveryStore::Index::webhook, kEnv, "w1", {}, "", 10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, id);
  auto of_event = run(deliveries_->list(DeliveryStore::Index::event, kEnv, e.id, {}, "", 10));
  ASSERT_TRUE(of_event.ok());
  EXPECT_EQ(of_event->items.size(), 1u);
}

TEST_F(FirstAttemptRecordsTest, AFailedFirstAttemptIsScheduledForItsRetryOrDeadLettered) {
  Event e = event();
  int64_t due = clock::now_millis() + 5'000;
  EXPECT_EQ(record_first(e, "w1", false, due, 1).status, DeliveryStatus::retrying);
  const std::string retrying = DeliveryStore::delivery_id(e.id, "w1");
  Delivery d = get(retrying);
  EXPECT_EQ(d.next_attempt_at, due);
  EXPECT_EQ(d.round_attempts(), 1) << "the retry policy counts the first attempt";
  EXPECT_TRUE(claim(due - 1, 10, "c").empty()) << "not due before its retry";
  EXPECT_EQ(claim(due, 10, "c"), std::vector<std::string>{retrying});

  EXPECT_EQ(record_first(e, "w2", false, 0, 2).status, DeliveryStatus::failed);
  const std::string failed = DeliveryStore::delivery_id(e.id, "w2");
  EXPECT_EQ(get(failed).status, DeliveryStatus::failed);
  EXPECT_NE(get(failed).failed_at, 0);
  auto dead = run(deliveries_->failed_ids(kEnv, "w2"));
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(*dead, std::vector<std::string>{failed});
}

TEST_F(FirstAttemptRecordsTest, FailingFirstAttemptsCountTowardsDisablingTheEndpoint) {
  // The fixture disables after 3 consecutive failures (and no minimum time).
  std::vector<bool> disable;
  for (int i = 0; i < 3; ++i)
    disable.push_back(record_first(event(), "w7", false, 0, i).disable_endpoint);
  EXPECT_EQ(disable, (std::vector<bool>{false, false, true}));
  EXPECT_FALSE(record_first(event(), "w7", true, 0, 3).disable_endpoint);
  EXPECT_FALSE(record_first(event(), "w7", false, 0, 4).disable_endpoint) << "a success ended the run";
}

TEST_F(FirstAttemptRecordsTest, AnEventConsumedTwiceAddsItsAttemptToTheDeliveryItMade) {
  Event e = event();
  int64_t due = clock::now_millis() + 60'000;
  ASSERT_EQ(record_first(e, "w1", false, due, 4).status, DeliveryStatus::retrying);
  const std::string id = DeliveryStore::delivery_id(e.id, "w1");
  // Consumed again (a second consumer sent it too): the attempt joins the record, and a success ends it.
  RecordResult again = record_first(e, "w1", true, 0, 4);
  EXPECT_TRUE(again.existed);
  Delivery d = get(id);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.status, DeliveryStatus::succeeded);
  EXPECT_EQ(attempts_of(id), 2u);
  EXPECT_TRUE(claim(due, 10, "c").empty()) << "no retry left in the schedule";
  // The checked path of a later consumption creates nothing either.
  EXPECT_TRUE(schedule(e, {"w1"}).empty());
}

TEST_F(FirstAttemptRecordsTest, ARepeatedSuccessLeavesADeliveryAnotherDispatcherHoldsAlone) {
  Event e = event();
  int64_t due = clock::now_millis();
  ASSERT_EQ(record_first(e, "w1", false, due, 4).status, DeliveryStatus::retrying);
  const std::string id = DeliveryStore::delivery_id(e.id, "w1");
  ASSERT_EQ(claim(due, 10, "holder"), std::vector<std::string>{id});
  EXPECT_TRUE(record_first(e, "w1", true, 0, 4).existed);
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::retrying) << "the holder's attempt records the outcome";
  EXPECT_EQ(d.claim, "holder");
  EXPECT_EQ(record(id, "holder", true, 0).status, DeliveryStatus::succeeded);
}

TEST_F(FirstAttemptRecordsTest, TheMarkIsTheHighestOffsetRecordedInAnyShard) {
  EXPECT_EQ(through(), -1) << "nothing recorded";
  // Two environments in different delivery shards.
  std::string other_env = "env-2";
  for (int i = 3; DeliveryStore::shard_of(other_env) == DeliveryStore::shard_of(kEnv); ++i)
    other_env = "env-" + std::to_string(i);
  record_first(event(), "w1", true, 0, 5);
  record_first(event(), "w1", true, 0, 9);
  record_first(event(), "w1", true, 0, 7);
  EXPECT_EQ(through(), 9) << "a lower offset recorded later does not lower it";
  Event elsewhere = make_event("record:created", other_env, json::Value::empty_object(), "acc-2");
  record_first(elsewhere, "w2", true, 0, 12);
  EXPECT_EQ(through(), 12);
  EXPECT_EQ(through(1), -1) << "each partition has its own";
  record_first(event(), "w1", true, 0, 3, 1);
  EXPECT_EQ(through(1), 3);
  EXPECT_EQ(through(), 12);
}

TEST_F(FirstAttemptRecordsTest, ManyRecordsInOneCallRaiseTheMarkToTheirHighest) {
  // Started together, they share batched calls; the mark is raised once per call, to the call's highest.
  std::vector<Event> events;
  for (int i = 0; i < 50; ++i)
    events.push_back(event());
  std::vector<std::string> texts;
  for (const auto& e : events)
    texts.push_back(serialize_event(e));
  Attempt a;
  a.number = 1;
  a.status_code = 200;
  std::atomic<int> ok{0};
  std::atomic<int> left{static_cast<int>(events.size())};
  std::promise<void> all;
  for (size_t i = 0; i < events.size(); ++i)
    asio::co_spawn(
        redis_.io(),
        [&, i]() -> awaitable<void> {
          // Offsets out of order: the highest is in the middle.
          int64_t offset = i == 25 ? 1000 : static_cast<int64_t>(i);
          auto r = co_await deliveries_->record_first(events[i], texts[i], "w1", 1, a, true, 0,
                                                      KafkaPosition{kTopic, 0, offset});
          if (r.ok() && !r->existed) ++ok;
          if (--left == 0) all.set_value();
        },
        asio::detached);
  all.get_future().wait();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(through(), 1000);
}

}  // namespace
}  // namespace hookd::dispatch
