#include "dispatch/schema_migration.h"

#include <chrono>
#include <functional>

#include "core/ids.h"
#include "core/log.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;
using store::StoreErrc;

namespace keys = store::keys;
namespace old = store::keys::unsharded;

namespace {

constexpr int64_t kLockTtlMs = 30'000;
constexpr int64_t kScanCount = 500;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One migration run, holding the lock.
class Migration {
 public:
  Migration(store::Store& store, std::string token) : store_(store), token_(std::move(token)) {}

  awaitable<Status> run() {
    using Step = awaitable<Status> (Migration::*)(std::string_view);
    // The schedule before the deliveries: its entries find their environment in the old delivery hashes.
    const std::pair<std::string_view, Step> steps[] = {
        {old::kWebhookKeys, &Migration::webhook_key},
        {old::kWebhookTagged, &Migration::webhook_tagged},
        {old::kEnvironmentDeliveries, &Migration::environment_deliveries},
        {old::kEvents, &Migration::event},
        {old::kDeliveries, &Migration::delivery},
        {old::kAccountLookup, &Migration::account_lookup},
    };
    for (size_t i = 0; i < std::size(steps); ++i) {
      if (i == 4) {
        if (Status s = co_await schedule(); !s.ok()) co_return s;
      }
      if (Status s = co_await scan(steps[i].first, steps[i].second); !s.ok()) co_return s;
    }
    log::info("dispatch.schema_migrated", {{"schema", std::string(kDeliverySchema)},
                                           {"keys_moved", json::Value(static_cast<double>(moved_))}});
    co_return Status{};
  }

 private:
  template <typename Step>
  awaitable<Status> scan(std::string_view pattern, Step step) {
    std::string cursor = "0";
    do {
      if (Status s = co_await keep_lock(); !s.ok()) co_return s;
      RedisCommand query{"SCAN", cursor, "MATCH", pattern, "COUNT", kScanCount};
      auto r = co_await store_.command(std::move(query));
      if (!r.ok()) co_return r.error();
      if (r->size() != 2) co_return make_error(StoreErrc::redis_error, "migration: unexpected SCAN reply");
      cursor = std::string((*r)[0].str());
      for (const auto& k : (*r)[1].elements())
        if (Status s = co_await (this->*step)(k.str()); !s.ok()) co_return s;
    } while (cursor != "0");
    log::info("dispatch.schema_migration_progress",
              {{"pattern", std::string(pattern)}, {"keys_moved", json::Value(static_cast<double>(moved_))}});
    co_return Status{};
  }

  // The lock is still ours; extended for another TTL.
  awaitable<Status> keep_lock() {
    RedisCommand get{"GET", keys::delivery_schema_lock()};
    auto r = co_await store_.command(std::move(get));
    if (!r.ok()) co_return r.error();
    if (r->is_nil() || r->str() != token_)
      co_return make_error(StoreErrc::conflict, "migration: the lock was lost (took too long?)");
    RedisCommand extend{"PEXPIRE", keys::delivery_schema_lock(), kLockTtlMs};
    auto e = co_await store_.command(std::move(extend));
    if (!e.ok()) co_return e.error();
    co_return Status{};
  }

  // RENAMENX: a key the new layout has written meanwhile is newer than the old one, which is dropped.
  awaitable<Status> move(std::string from, std::string to) {
    RedisCommand rename{"RENAMENX", from, to};
    auto r = co_await store_.command(std::move(rename));
    if (!r.ok()) {
      if (r.error().message.find("no such key") != std::string::npos)
        co_return Status{};  // expired meanwhile
      co_return r.error();
    }
    if (r->integer() == 0) {
      log::warn("dispatch.schema_migration_kept_new", {{"key", from}, {"new_key", to}});
      RedisCommand drop{"UNLINK", from};
      auto d = co_await store_.command(std::move(drop));
      if (!d.ok()) co_return d.error();
    }
    ++moved_;
    co_return Status{};
  }

  awaitable<std::string> field_of_hash(std::string key, std::string field) {
    RedisCommand get{"HGET", std::move(key), std::move(field)};
    auto r = co_await store_.command(std::move(get));
    co_return r.ok() && r->is_string() ? std::string(r->str()) : std::string();
  }
  awaitable<std::string> field_of_json(std::string key, std::string_view field) {
    RedisCommand get{"GET", std::move(key)};
    auto r = co_await store_.command(std::move(get));
    json::Value v;
    if (!r.ok() || !r->is_string() || !json::parse(r->str(), v)) co_return std::string();
    co_return std::string(v.get(field).string_or(""));
  }

  // A webhook's environment: from its record, or (deleted) from one of its deliveries.
  awaitable<std::string> webhook_env(std::string webhook_id) {
    if (auto it = webhook_env_.find(webhook_id); it != webhook_env_.end()) co_return it->second;
    std::string env = co_await field_of_json(store::keys::webhook(webhook_id), "environment_id");
    for (std::string_view suffix : {"deliveries", "failed"}) {
      if (!env.empty()) break;
      RedisCommand first{"ZRANGE", old::webhook_key(webhook_id, suffix), 0, 0};
      auto r = co_await store_.command(std::move(first));
      if (r.ok() && r->size() > 0)
        env = co_await field_of_hash(old::delivery((*r)[0].str()), "environment_id");
    }
    webhook_env_[webhook_id] = env;
    co_return env;
  }

  // old::webhook_key(id, deliveries | failed | health | retry_budget)
  awaitable<Status> webhook_key(std::string_view key) {
    std::string_view rest = key.substr(old::kWebhookPrefix.size());
    size_t colon = rest.find(':');
    std::string wid(rest.substr(0, colon));
    std::string_view suffix = rest.substr(colon + 1);
    std::string env = co_await webhook_env(wid);
    if (env.empty()) {
      log::warn("dispatch.schema_migration_orphan", {{"key", std::string(key)}});
      co_return Status{};
    }
    int shard = keys::delivery_shard(env);
    std::string to;
    if (suffix == "deliveries") to = keys::webhook_deliveries(shard, wid);
    if (suffix == "failed") to = keys::webhook_failed(shard, wid);
    if (suffix == "health") to = keys::webhook_health(shard, wid);
    if (suffix == "retry_budget") to = keys::webhook_retry_budget(shard, wid);
    if (to.empty()) co_return Status{};
    co_return co_await move(std::string(key), std::move(to));
  }

  // {<webhook id>}:lane:<account> | :paused | :pause_state (not today's {d:..}, {i:..}, or notices)
  awaitable<Status> webhook_tagged(std::string_view key) {
    size_t close = key.find("}:");
    if (close == std::string_view::npos) co_return Status{};
    std::string wid(key.substr(old::kTagPrefix.size(), close - old::kTagPrefix.size()));
    std::string_view suffix = key.substr(close + 2);
    if (wid.starts_with("d:") || wid.starts_with("i:")) co_return Status{};
    bool lane = suffix.starts_with("lane:");
    if (!lane && suffix != "paused" && suffix != "pause_state") co_return Status{};
    std::string env = co_await webhook_env(wid);
    if (env.empty()) {
      log::warn("dispatch.schema_migration_orphan", {{"key", std::string(key)}});
      co_return Status{};
    }
    int shard = keys::delivery_shard(env);
    std::string to = lane                 ? keys::webhook_lane(shard, wid, suffix.substr(5))
                     : suffix == "paused" ? keys::webhook_paused(shard, wid)
                                          : keys::webhook_pause_state(shard, wid);
    co_return co_await move(std::string(key), std::move(to));
  }

  // environment:<env>:deliveries
  awaitable<Status> environment_deliveries(std::string_view key) {
    std::string_view prefix = old::kEnvironmentPrefix, suffix = ":deliveries";
    std::string env(key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()));
    co_return co_await move(std::string(key), keys::environment_deliveries(keys::delivery_shard(env), env));
  }

  // old::event(id) (its record names the environment), with old::event_deliveries(id)
  awaitable<Status> event(std::string_view key) {
    if (ends_with(key, ":deliveries")) co_return Status{};  // moved with its event
    std::string id(key.substr(old::kEventPrefix.size()));
    std::string env = co_await field_of_json(std::string(key), "environment_id");
    if (env.empty()) co_return Status{};  // not an event record
    int shard = keys::delivery_shard(env);
    if (Status s = co_await move(old::event_deliveries(id), keys::event_deliveries(shard, id)); !s.ok())
      co_return s;
    co_return co_await move(std::string(key), keys::event(shard, id));
  }

  // old::delivery(id) (its hash names the environment), with old::delivery_attempts(id)
  awaitable<Status> delivery(std::string_view key) {
    if (ends_with(key, ":attempts")) co_return Status{};  // moved with its delivery
    std::string id(key.substr(old::kDeliveryPrefix.size()));
    std::string env = co_await field_of_hash(std::string(key), "environment_id");
    if (env.empty()) co_return Status{};
    int shard = keys::delivery_shard(env);
    if (Status s = co_await move(old::delivery_attempts(id), keys::delivery_attempts(shard, id)); !s.ok())
      co_return s;
    co_return co_await move(std::string(key), keys::delivery(shard, id));
  }

  // The old lookup index (sets per value, keys tagged by nothing): dropped, rebuilt on the next lookup.
  awaitable<Status> account_lookup(std::string_view key) {
    RedisCommand drop{"UNLINK", key};
    auto r = co_await store_.command(std::move(drop));
    if (!r.ok()) co_return r.error();
    co_return Status{};
  }

  // old::schedule()'s entries to their shards' schedules, a batch at a time (ZADD, then ZREM: a crash between
  // leaves an entry in both, which the next run moves again).
  awaitable<Status> schedule() {
    for (;;) {
      if (Status s = co_await keep_lock(); !s.ok()) co_return s;
      RedisCommand batch{"ZRANGE", old::schedule(), 0, kScanCount - 1, "WITHSCORES"};
      auto r = co_await store_.command(std::move(batch));
      if (!r.ok()) co_return r.error();
      if (r->size() == 0) break;
      for (size_t i = 0; i + 1 < r->size(); i += 2) {
        std::string id((*r)[i].str());
        std::string env = co_await field_of_hash(old::delivery(id), "environment_id");
        if (!env.empty()) {
          RedisCommand add{"ZADD", keys::schedule(keys::delivery_shard(env)), (*r)[i + 1].str(), id};
          auto a = co_await store_.command(std::move(add));
          if (!a.ok()) co_return a.error();
        }  // else its record expired: nothing left to deliver
        RedisCommand rem{"ZREM", old::schedule(), id};
        auto d = co_await store_.command(std::move(rem));
        if (!d.ok()) co_return d.error();
        ++moved_;
      }
    }
    co_return Status{};
  }

  store::Store& store_;
  std::string token_;
  size_t moved_ = 0;
  std::unordered_map<std::string, std::string> webhook_env_;
};

}  // namespace

awaitable<Status> migrate_delivery_schema(store::Store& store) {
  RedisCommand get{"GET", keys::delivery_schema()};
  auto current = co_await store.command(std::move(get));
  if (!current.ok()) co_return current.error();
  if (current->is_string() && current->str() == kDeliverySchema) co_return Status{};
  std::string token = ids::uuid_v4();
  RedisCommand lock{"SET", keys::delivery_schema_lock(), token, "NX", "PX", kLockTtlMs};
  auto locked = co_await store.command(std::move(lock));
  if (!locked.ok()) co_return locked.error();
  if (locked->is_nil())
    co_return make_error(StoreErrc::contended, "the delivery layout is being migrated by another dispatcher");
  log::info("dispatch.schema_migration_started", {{"schema", std::string(kDeliverySchema)}});
  Migration m(store, token);
  Status s = co_await m.run();
  if (s.ok()) {
    RedisCommand done{"SET", keys::delivery_schema(), kDeliverySchema};
    auto r = co_await store.command(std::move(done));
    if (!r.ok()) s = r.error();
  }
  RedisCommand unlock{"DEL", keys::delivery_schema_lock()};
  (void)co_await store.command(std::move(unlock));
  co_return s;
}

}  // namespace hookd::dispatch
