// The migration from the unsharded delivery layout against a real Redis: data written with the old key names
// (spelled out here, as the previous release wrote them) is found under the delivery shards afterwards, due
// deliveries are claimed from their shard's schedule, and running it again changes nothing.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "dispatch/delivery_store.h"
#include "dispatch/schema_migration.h"
#include "redis_store.h"
#include "store/keys.h"

namespace hookd::dispatch {
namespace {

constexpr int kDb = 3;

class SchemaMigrationTest : public ::testing::Test {
 protected:
  void TearDown() override { redis_.stop(); }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }
  void redis(store::RedisCommand c) {
    auto r = run(redis_.store().command(std::move(c)));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  bool exists(const std::string& key) {
    auto r = run(redis_.store().command(store::RedisCommand{"EXISTS", key}));
    return r.ok() && r->integer() == 1;
  }

  DispatchOptions options_;
  test::RedisStore redis_{kDb};
  DeliveryStore deliveries_{redis_.store(), options_};
};

TEST_F(SchemaMigrationTest, OldLayoutDataIsDeliveredFromItsShardAfterTheUpgrade) {
  const std::string env = "env-old", wid = "wh-old", event_id = "ev-old";
  const std::string due_id = DeliveryStore::delivery_id(event_id, wid), failed_id = "del-failed";
  Event e = make_event("record:created", env, json::Value::empty_object(), "acc-1");
  e.id = event_id;
  int64_t now = clock::now_millis();
  // What the previous release wrote (its key names, literally).
  redis(store::RedisCommand{"SET", "hookd:webhook:" + wid,
                            R"({"id":")" + wid + R"(","environment_id":")" + env + R"("})"});
  redis(store::RedisCommand{"SET", "hookd:event:" + event_id, serialize_event(e)});
  redis(store::RedisCommand{"SADD", "hookd:event:" + event_id + ":deliveries", due_id});
  redis(store::RedisCommand{"HSET",
                            "hookd:delivery:" + due_id,
                            "id",
                            due_id,
                            "event_id",
                            event_id,
                            "webhook_id",
                            wid,
                            "environment_id",
                            env,
                            "event_type",
                            "record:created",
                            "status",
                            "retrying",
                            "attempts",
                            "1",
                            "created_at",
                            now,
                            "updated_at",
                            now,
                            "next_attempt_at",
                            now,
                            "claim",
                            ""});
  redis(store::RedisCommand{"RPUSH", "hookd:delivery:" + due_id + ":attempts", R"({"attempt":1})"});
  redis(store::RedisCommand{"HSET", "hookd:delivery:" + failed_id, "id", failed_id, "event_id", event_id,
                            "webhook_id", wid, "environment_id", env, "status", "failed", "created_at", now});
  redis(store::RedisCommand{"ZADD", "hookd:schedule", now, due_id});
  redis(store::RedisCommand{"ZADD", "hookd:webhook:" + wid + ":deliveries", now, due_id});
  redis(store::RedisCommand{"ZADD", "hookd:webhook:" + wid + ":failed", now, failed_id});
  redis(store::RedisCommand{"HSET", "hookd:webhook:" + wid + ":health", "consecutive_failures", "2"});
  redis(store::RedisCommand{"ZADD", "hookd:environment:" + env + ":deliveries", now, due_id});
  redis(store::RedisCommand{"HSET", "hookd:{" + wid + "}:pause_state", "disabled_at", "5"});
  redis(store::RedisCommand{"SADD", "hookd:environment_integration:ei-1:lookup_fields", "team_id"});

  Status migrated = run(migrate_delivery_schema(redis_.store()));
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;

  for (const char* k :
       {"hookd:schedule", "hookd:event:ev-old", "hookd:webhook:wh-old:deliveries",
        "hookd:webhook:wh-old:failed", "hookd:webhook:wh-old:health", "hookd:{wh-old}:pause_state",
        "hookd:environment:env-old:deliveries", "hookd:environment_integration:ei-1:lookup_fields"})
    EXPECT_FALSE(exists(k)) << k << " is left under its old name";
  EXPECT_FALSE(exists("hookd:delivery:" + due_id));
  EXPECT_TRUE(exists("hookd:webhook:" + wid)) << "config records keep their names";

  // Due: claimed from its shard's schedule, then readable with its attempts and its event.
  auto claimed = run(deliveries_.claim_due(now + 1, 10, "after-upgrade"));
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, due_id);
  EXPECT_EQ((*claimed)[0].shard, DeliveryStore::shard_of(env));
  auto d = run(deliveries_.get((*claimed)[0].shard, due_id));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->claim, "after-upgrade");
  EXPECT_EQ(run(deliveries_.attempts(env, due_id))->size(), 1u);
  EXPECT_EQ(*run(deliveries_.event_json(env, event_id)), serialize_event(e));
  EXPECT_EQ(*run(deliveries_.failed_ids(env, wid)), std::vector<std::string>{failed_id});
  const DeliveryFilter all;
  auto listed = run(deliveries_.list(DeliveryStore::Index::webhook, env, wid, all, "", 10));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(run(deliveries_.pause_state(env, wid))->disabled_at, 5);

  auto schema = run(redis_.store().command(store::RedisCommand{"GET", "hookd:schema"}));
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->str(), kDeliverySchema);
  // Again (another dispatcher starting): nothing to do.
  EXPECT_TRUE(run(migrate_delivery_schema(redis_.store())).ok());
  EXPECT_TRUE(run(deliveries_.get(env, due_id)).ok());
}

TEST_F(SchemaMigrationTest, ADispatcherWaitsWhileAnotherHoldsTheMigrationLock) {
  redis(store::RedisCommand{"SET", "hookd:schema:lock", "another-node", "PX", 60000});
  Status s = run(migrate_delivery_schema(redis_.store()));
  EXPECT_FALSE(s.ok()) << "the caller tries again until the other dispatcher is done";
  redis(store::RedisCommand{"DEL", "hookd:schema:lock"});
  EXPECT_TRUE(run(migrate_delivery_schema(redis_.store())).ok());
}

}  // namespace
}  // namespace hookd::dispatch
