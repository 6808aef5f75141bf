// DeliveryStore's Lua scripts against a real Redis: each delivery created once, each due attempt claimed by
// one dispatcher, attempts recorded only by the claim holder, retries, dead letters, replays and
// auto-disable.
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/ids.h"
#include "dispatch/delivery_store.h"
#include "store/keys.h"
#include "store/redis/slots.h"
#include "services.h"
#include "run_coroutine.h"
#include "slot_audit.h"
#include "delivery_store_fixture.h"

namespace hookd::dispatch {
namespace {

TEST_F(DeliveryStoreTest, ScheduleCreatesEachDeliveryOnce) {
  Event e = event();
  auto first = schedule(e, {"w1", "w2"});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], DeliveryStore::delivery_id(e.id, "w1"));
  EXPECT_TRUE(schedule(e, {"w1", "w2"}).empty()) << "consuming the event again creates nothing";
  Delivery d = get(first[0]);
  EXPECT_EQ(d.status, DeliveryStatus::pending);
  EXPECT_EQ(d.event_id, e.id);
  EXPECT_EQ(d.webhook_id, "w1");
  auto stored = run(deliveries_->event_json(kEnv, e.id));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, serialize_event(e));
}

TEST_F(DeliveryStoreTest, ConcurrentClaimersNeverTakeTheSameDelivery) {
  std::set<std::string> all;
  for (int i = 0; i < 25; ++i)
    for (auto& id : schedule(event(), {"w1", "w2"}))
      all.insert(id);
  ASSERT_EQ(all.size(), 50u);
  int64_t now = clock::now_millis() + 1;
  std::vector<std::future<std::vector<std::string>>> claimers;
  for (int c = 0; c < 4; ++c)
    claimers.push_back(std::async(std::launch::async, [&, c] {
      std::vector<std::string> mine;
      for (;;) {
        auto got = claim(now, 7, "claimer-" + std::to_string(c));
        if (got.empty()) return mine;
        mine.insert(mine.end(), got.begin(), got.end());
      }
    }));
  std::multiset<std::string> claimed;
  for (auto& f : claimers)
    for (auto& id : f.get())
      claimed.insert(id);
  EXPECT_EQ(claimed.size(), 50u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), all) << "every delivery exactly once";
  EXPECT_TRUE(claim(now + options_.lease.count() - 1, 100, "late").empty()) << "all leased";
}

TEST_F(DeliveryStoreTest, FailuresRetryThenDeadLetter) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  ASSERT_EQ(claim(now, 10, "c1"), std::vector<std::string>{id});

  RecordResult r1 = record(id, "c1", false, now + 1000);
  EXPECT_EQ(r1.status, DeliveryStatus::retrying);
  EXPECT_TRUE(claim(now + 999, 10, "c2").empty()) << "not due yet";
  ASSERT_EQ(claim(now + 1000, 10, "c2"), std::vector<std::string>{id});

  RecordResult r2 = record(id, "c2", false, 0);
  EXPECT_EQ(r2.status, DeliveryStatus::failed);
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::failed);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.last_status_code, 500);
  EXPECT_EQ(*run(deliveries_->failed_ids(kEnv, "w1")), std::vector<std::string>{id});
  EXPECT_TRUE(claim(now + 10'000'000, 10, "c3").empty()) << "dead letters are off the schedule";
  auto attempts = run(deliveries_->attempts(kEnv, id));
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[1].number, 2);
}

TEST_F(DeliveryStoreTest, AnExpiredClaimCannotRecord) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  ASSERT_EQ(claim(now, 10, "slow"), std::vector<std::string>{id});
  // The slow dispatcher's lease runs out; another one claims the delivery.
  ASSERT_EQ(claim(now + options_.lease.count(), 10, "fast"), std::vector<std::string>{id});
  EXPECT_TRUE(record(id, "slow", true, 0).lost_claim);
  EXPECT_EQ(get(id).attempts, 0);
  RecordResult r = record(id, "fast", true, 0);
  EXPECT_FALSE(r.lost_claim);
  EXPECT_EQ(r.status, DeliveryStatus::succeeded);
}

// The scripts are given the webhook's keys by the caller; a delivery of another webhook is refused, not
// recorded under the wrong endpoint.
TEST_F(DeliveryStoreTest, ADeliveryIsRecordedOnlyUnderItsOwnWebhook) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  ASSERT_EQ(claim(now, 10, "c1"), std::vector<std::string>{id});
  Delivery d = get(id);
  d.webhook_id = "w2";
  Attempt a;
  a.number = 1;
  a.started_at = now;
  EXPECT_FALSE(run(deliveries_->record(d, "c1", a, false, 0)).ok());
  EXPECT_FALSE(run(deliveries_->fail_without_attempt(d, "c1", "test")).ok());
  Delivery stored = get(id);
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.claim, "c1") << "still the claimer's";
  EXPECT_TRUE(run(deliveries_->failed_ids(kEnv, "w2"))->empty());
  EXPECT_EQ(record(id, "c1", true, 0).status, DeliveryStatus::succeeded);
}

TEST_F(DeliveryStoreTest, ReplayReschedulesAFinishedDeliveryOnce) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  claim(now, 10, "c1");
  record(id, "c1", false, 0);
  ASSERT_EQ(get(id).status, DeliveryStatus::failed);

  EXPECT_EQ(*run(deliveries_->replay(get(id), now + 5)), ReplayOutcome::replayed);
  EXPECT_EQ(*run(deliveries_->replay(get(id), now + 5)), ReplayOutcome::already_due)
      << "pending again: due now";
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::pending);
  EXPECT_EQ(d.replays, 1);
  EXPECT_EQ(d.round_attempts(), 0) << "a replay starts a new round of attempts";
  EXPECT_TRUE(run(deliveries_->failed_ids(kEnv, "w1"))->empty());
  ASSERT_EQ(claim(now + 5, 10, "c2"), std::vector<std::string>{id});
  EXPECT_EQ(record(id, "c2", true, 0).status, DeliveryStatus::succeeded);
  Delivery unknown;
  unknown.id = "no-such-delivery";
  unknown.webhook_id = "w1";
  unknown.environment_id = kEnv;
  EXPECT_EQ(run(deliveries_->replay(unknown, now)).error().code, store::StoreErrc::not_found);
}

TEST_F(DeliveryStoreTest, ReplayOfARetryingDeliverySendsItNowInTheSameRound) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  claim(now, 10, "c1");
  // An attempt in flight is left alone: replaying it would send it twice at once.
  EXPECT_EQ(*run(deliveries_->replay(get(id), now)), ReplayOutcome::in_flight);
  const int64_t next_due = now + 3'600'000;  // the schedule's next attempt, an hour away
  record(id, "c1", false, next_due);
  ASSERT_EQ(get(id).status, DeliveryStatus::retrying);
  EXPECT_TRUE(claim(now + 10, 10, "c2").empty()) << "not due before the replay";

  EXPECT_EQ(*run(deliveries_->replay(get(id), now + 10)), ReplayOutcome::replayed);
  Delivery d = get(id);
  EXPECT_EQ(d.status, DeliveryStatus::retrying);
  EXPECT_EQ(d.next_attempt_at, now + 10);
  EXPECT_EQ(d.replays, 1);
  EXPECT_EQ(d.round_attempts(), 1) << "the round goes on: the schedule continues if this attempt fails";
  EXPECT_EQ(claim(now + 10, 10, "c2"), std::vector<std::string>{id});
  EXPECT_EQ(record(id, "c2", true, 0).status, DeliveryStatus::succeeded);
}

TEST_F(DeliveryStoreTest, PersistentFailureCrossesTheDisableThresholdAndSuccessResetsIt) {
  std::vector<bool> disable;
  for (int i = 0; i < 4; ++i) {
    std::string id = schedule(event(), {"w9"}).at(0);
    ASSERT_EQ(claim(clock::now_millis() + 1, 10, "c"), std::vector<std::string>{id});
    RecordResult r = record(id, "c", false, 0);
    ASSERT_FALSE(r.lost_claim);
    disable.push_back(r.disable_endpoint);
    if (i == 0) {
      // One success in between resets the count.
      std::string ok_id = schedule(event(), {"w9"}).at(0);
      ASSERT_EQ(claim(clock::now_millis() + 1, 10, "c"), std::vector<std::string>{ok_id});
      ASSERT_EQ(record(ok_id, "c", true, 0).status, DeliveryStatus::succeeded);
    }
  }
  EXPECT_EQ(disable, (std::vector<bool>{false, false, false, true}))
      << "3 consecutive failures after the reset";
}

TEST_F(DeliveryStoreTest, ResetHealthStartsTheFailureCountAfresh) {
  auto fail_once = [&] {
    std::string id = schedule(event(), {"w8"}).at(0);
    EXPECT_EQ(claim(clock::now_millis() + 1, 10, "c"), std::vector<std::string>{id});
    return record(id, "c", false, 0).disable_endpoint;
  };
  EXPECT_FALSE(fail_once());
  EXPECT_FALSE(fail_once());
  ASSERT_TRUE(run(deliveries_->reset_health(kEnv, "w8")).ok());  // an admin enabled the endpoint again
  EXPECT_FALSE(fail_once()) << "the count starts again at 1";
  EXPECT_FALSE(fail_once());
  EXPECT_TRUE(fail_once());
}

TEST_F(DeliveryStoreTest, ListsNewestFirstWithFiltersAndCursors) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(schedule(event(), {"w5"}).at(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto page1 = run(deliveries_->list(DeliveryStore::Index::webhook, kEnv, "w5", {}, "", 2));
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[0].id, ids[4]);
  EXPECT_EQ(page1->items[1].id, ids[3]);
  auto page2 = run(deliveries_->list(DeliveryStore::Index::webhook, kEnv, "w5", {}, page1->next_cursor, 10));
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->items.size(), 3u);
  EXPECT_EQ(page2->items[0].id, ids[2]);
  EXPECT_TRUE(page2->next_cursor.empty());

  DeliveryFilter failed;
  failed.status = DeliveryStatus::failed;
  EXPECT_TRUE(
      run(deliveries_->list(DeliveryStore::Index::webhook, kEnv, "w5", failed, "", 10))->items.empty());
  EXPECT_EQ(run(deliveries_->list(DeliveryStore::Index::webhook, kEnv, "w5", {}, "garbage", 10)).error().code,
            store::StoreErrc::invalid_cursor);
}

TEST_F(DeliveryStoreTest, ManyDeliveriesScheduledAndRecordedAtOnceAreEachWrittenOnceAndCompact) {
  // Hundreds at once go in batched script calls (group commit): each caller must get its own answer.
  constexpr int kEvents = 300;
  std::vector<Event> events;
  std::vector<std::string> texts;
  for (int i = 0; i < kEvents; ++i) {
    events.push_back(event());
    texts.push_back(serialize_event(events.back()));
  }
  std::vector<std::string> webhooks = {"w1"};
  // The coroutines keep views of their arguments: every argument outlives them.
  std::vector<std::string> claims;
  for (int i = 0; i < kEvents; ++i)
    claims.push_back("c" + std::to_string(i));
  std::vector<std::future<Result<std::vector<std::string>>>> scheduled;
  for (int i = 0; i < kEvents; ++i)
    scheduled.push_back(
        test::start(redis_.io(), deliveries_->schedule(events[i], texts[i], webhooks, claims[i], 1)));
  std::vector<std::string> ids;
  for (int i = 0; i < kEvents; ++i) {
    auto r = scheduled[i].get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0], DeliveryStore::delivery_id(events[i].id, "w1"))
        << "event " << i << " got another's answer";
    ids.push_back((*r)[0]);
  }
  std::vector<Delivery> ds;
  for (const auto& id : ids)
    ds.push_back(get(id));
  std::vector<std::future<Result<RecordResult>>> recorded;
  Attempt a;
  a.number = 1;
  a.started_at = clock::now_millis();
  a.status_code = 200;
  a.response = std::string(600, 'r');  // a long response snippet
  for (int i = 0; i < kEvents; ++i)
    recorded.push_back(test::start(redis_.io(), deliveries_->record(ds[i], claims[i], a, true, 0)));
  for (int i = 0; i < kEvents; ++i) {
    auto r = recorded[i].get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->lost_claim) << i;
    EXPECT_EQ(r->status, DeliveryStatus::succeeded) << i;
  }
  for (int i = 0; i < kEvents; i += 37) {
    Delivery d = get(ids[i]);
    EXPECT_EQ(d.status, DeliveryStatus::succeeded);
    EXPECT_EQ(d.attempts, 1);
    auto attempts = run(deliveries_->attempts(kEnv, ids[i]));
    ASSERT_TRUE(attempts.ok());
    ASSERT_EQ(attempts->size(), 1u);
    EXPECT_EQ((*attempts)[0].response, a.response);
    // Millions of deliveries are kept for the retention period: each must stay in Redis' compact encoding
    // (a value over 64 bytes in the hash, such as an attempt, would triple its memory).
    auto encoding = run(redis_.store().command(store::RedisCommand{
        "OBJECT", "ENCODING", store::keys::delivery(store::keys::delivery_shard(kEnv), ids[i])}));
    ASSERT_TRUE(encoding.ok());
    EXPECT_EQ(encoding->str(), "listpack");
  }
}
// Every key a delivery's life touches carries its environment's delivery shard as hash tag: one Redis Cluster
// slot per environment's delivery data (the fixture's slot audit checks each script; this checks the names).
TEST_F(DeliveryStoreTest, AnEnvironmentsDeliveryDataSharesItsShardsHashTag) {
  std::string id = schedule(event(), {"w1"}).at(0);
  int64_t now = clock::now_millis() + 1;
  ASSERT_EQ(claim(now, 10, "c1"), std::vector<std::string>{id});
  record(id, "c1", false, 0);  // dead-lettered: attempts, health and the failed set exist too
  auto all = run(redis_.store().command(store::RedisCommand{"KEYS", "hookd:*"}));
  ASSERT_TRUE(all.ok());
  ASSERT_GE(all->size(), 7u);
  std::string tag = "d:" + std::to_string(store::keys::delivery_shard(kEnv));
  for (const auto& k : all->elements())
    EXPECT_EQ(store::hash_tag(k.str()), tag) << k.str();
}

// Environments in different shards: each claim starts after the shard the previous one filled up in, so a
// short `limit` does not always serve the same shard.
TEST_F(DeliveryStoreTest, ClaimsTakeTurnsAcrossShards) {
  std::vector<std::string> envs;
  std::set<int> shards;
  for (int i = 0; envs.size() < 3; ++i) {
    std::string env = "env-" + std::to_string(i);
    if (shards.insert(DeliveryStore::shard_of(env)).second) envs.push_back(env);
  }
  for (const auto& env : envs)
    for (int i = 0; i < 4; ++i) {
      Event e = make_event("record:created", env, json::Value::empty_object(), "acc-1");
      ASSERT_EQ(schedule(e, {"w-" + env}).size(), 1u);
    }
  int64_t now = clock::now_millis() + 1;
  std::set<int> served;
  for (int round = 0; round < 3; ++round) {
    auto r = run(deliveries_->claim_due(now, 1, "c" + std::to_string(round)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    served.insert((*r)[0].shard);
    EXPECT_EQ(get_in((*r)[0]).claim, "c" + std::to_string(round));
  }
  EXPECT_EQ(served, shards) << "three claims of one, three shards";
  auto rest = run(deliveries_->claim_due(now, 100, "rest"));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 9u) << "one claim takes what is due in every shard";
}

// HOOKD_REDIS_WAIT_REPLICAS: the writes that take an event over from Kafka (new deliveries: scheduled, paused, or
// made by a first attempt's record) fail unless a replica confirms them; the test's Redis has none, so they fail,
// after the wait. Attempt records do not wait (a crash that loses one leaves the delivery leased, and it is sent
// again).
TEST_F(DeliveryStoreTest, NewDeliveriesAreStoredOnlyOnceTheirReplicasConfirm) {
  auto ro = store::RedisOptions::from_url(test::redis_url(kDb));
  ASSERT_TRUE(ro.ok());
  ro->wait_replicas = 1;
  ro->wait_timeout = std::chrono::milliseconds(100);
  auto waiting_redis = store::RedisClient::create(redis_.io().get_executor(), test::SlotAudit::on(*ro));
  store::Store waiting_store(waiting_redis);
  DeliveryStore waiting(waiting_store, options_);

  Event e = event();
  std::string text = serialize_event(e);
  std::vector<std::string> webhooks{"w1"};
  auto scheduled = run(waiting.schedule(e, text, webhooks));
  ASSERT_FALSE(scheduled.ok()) << "stored without a replica's confirmation";
  EXPECT_NE(scheduled.error().message.find("replicas"), std::string::npos) << scheduled.error().message;
  auto paused = run(waiting.pause(e, text, std::vector<std::string>{"w2"}));
  ASSERT_FALSE(paused.ok()) << "a paused delivery is stored without a replica's confirmation";
  // A first attempt's record creates its delivery: it waits too.
  Attempt first;
  first.number = 1;
  first.status_code = 200;
  auto sent_first =
      run(waiting.record_first(e, text, "w3", 1, first, true, 0, KafkaPosition{"hookd.events", 0, 1}));
  ASSERT_FALSE(sent_first.ok()) << "a first attempt's record is stored without a replica's confirmation";
  EXPECT_NE(sent_first.error().message.find("replicas"), std::string::npos) << sent_first.error().message;
  // The master has them: written again (the event consumed again), nothing is created twice.
  EXPECT_TRUE(schedule(e, webhooks).empty());

  const std::string id = DeliveryStore::delivery_id(e.id, "w1");
  ASSERT_EQ(claim(clock::now_millis() + 1, 10, "c1"), std::vector<std::string>{id});
  Delivery d = get(id);
  Attempt a;
  a.number = 1;
  a.started_at = clock::now_millis();
  a.status_code = 200;
  auto recorded = run(waiting.record(d, "c1", a, true, 0));
  EXPECT_TRUE(recorded.ok()) << "an attempt's record waited: " << recorded.error().message;
  waiting_redis->close();
}
}  // namespace
}  // namespace hookd::dispatch
