// DeliveryStore, disabled endpoints: paused deliveries, the endpoint's pause state, resuming (delivery_store.h).
#include "core/clock.h"
#include "dispatch/delivery_store.h"
#include "dispatch/dispatch_stats.h"
#include "dispatch/pause_scripts.h"
#include "dispatch/redis_fields.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;
using store::StoreErrc;

namespace keys = store::keys;

namespace {

// Resumed per script call: bounded, so one enable of an endpoint with many paused deliveries does not hold
// Redis for long.
constexpr int64_t kResumeBatch = 500;

std::vector<std::string> strings(const RedisReply& r) {
  std::vector<std::string> out;
  for (const auto& e : r.elements())
    out.emplace_back(e.str());
  return out;
}

// From HGETALL of the pause state and ZCOUNT of the paused set.
DeliveryStore::PauseState pause_state_from(const RedisReply& hash, const RedisReply& count) {
  DeliveryStore::PauseState st;
  const auto& el = hash.elements();
  for (size_t i = 0; i + 1 < el.size(); i += 2) {
    std::string_view k = el[i].str(), v = el[i + 1].str();
    if (k == "disabled_at")
      st.disabled_at = field_int(v);
    else if (k == "enabled_at")
      st.enabled_at = field_int(v);
    else if (k == "paused_dropped")
      st.paused_dropped = field_int(v);
  }
  st.paused = count.integer();
  return st;
}

}  // namespace

awaitable<Result<DeliveryStore::PauseResult>> DeliveryStore::pause(const Event& event,
                                                                   std::string_view event_json,
                                                                   std::span<const std::string> webhook_ids) {
  int shard = shard_of(event.environment_id);
  RedisCommand script_keys{keys::event(shard, event.id), keys::event_deliveries(shard, event.id),
                           keys::schedule(shard), keys::environment_deliveries(shard, event.environment_id)};
  RedisCommand args{event.id,
                    event_json,
                    static_cast<int64_t>(options_.event_retention.count()),
                    clock::now_millis(),
                    event.environment_id,
                    event.type,
                    static_cast<int64_t>(options_.paused_max_per_endpoint)};
  for (const auto& wid : webhook_ids) {
    script_keys.arg(keys::delivery(shard, delivery_id(event.id, wid)))
        .arg(keys::webhook_deliveries(shard, wid))
        .arg(keys::webhook_paused(shard, wid))
        .arg(keys::webhook_pause_state(shard, wid));
    args.arg(delivery_id(event.id, wid)).arg(wid);
  }
  auto r = co_await store_.run(scripts::pause(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  // Paused deliveries take the event over from Kafka as new ones do (schedule()): durable before it is done.
  if (auto durable = co_await store_.replicated(keys::schedule(shard)); !durable.ok())
    co_return durable.error();
  if (r->elements().size() != 3)
    co_return make_error(StoreErrc::redis_error, "pause script: unexpected reply");
  PauseResult out{strings((*r)[0]), strings((*r)[1]), strings((*r)[2])};
  dispatch_stats().paused.inc(out.paused.size());
  dispatch_stats().paused_dropped.inc(out.dropped.size());
  co_return out;
}

awaitable<Result<DeliveryStore::PauseState>> DeliveryStore::pause_state(std::string_view env,
                                                                        std::string_view webhook_id) {
  int shard = shard_of(env);
  std::string oldest = std::to_string(clock::now_millis() - options_.event_retention.count() * 1000);
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"HGETALL", keys::webhook_pause_state(shard, webhook_id)});
  commands.push_back(RedisCommand{"ZCOUNT", keys::webhook_paused(shard, webhook_id), oldest, "+inf"});
  auto r = co_await store_.transaction(std::move(commands));
  if (!r.ok()) co_return r.error();
  if (r->elements().size() != 2)
    co_return make_error(StoreErrc::redis_error, "pause state: unexpected reply");
  co_return pause_state_from((*r)[0], (*r)[1]);
}

awaitable<Status> DeliveryStore::mark_disabled(std::string_view env, std::string_view webhook_id,
                                               int64_t now) {
  RedisCommand script_keys{keys::webhook_pause_state(shard_of(env), webhook_id)};
  RedisCommand args{now, static_cast<int64_t>(options_.event_retention.count())};
  auto r = co_await store_.run(scripts::mark_disabled(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<DeliveryStore::PauseState>> DeliveryStore::mark_enabled(std::string_view env,
                                                                         std::string_view webhook_id,
                                                                         int64_t now) {
  int shard = shard_of(env);
  std::string state = keys::webhook_pause_state(shard, webhook_id);
  std::string oldest = std::to_string(now - options_.event_retention.count() * 1000);
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"HGETALL", state});
  commands.push_back(RedisCommand{"ZCOUNT", keys::webhook_paused(shard, webhook_id), oldest, "+inf"});
  // enabled_at first: an event fanned out from an endpoint list read before the enable finds it and is
  // scheduled, not paused (pause_scripts.h).
  commands.push_back(RedisCommand{"HSET", state, "enabled_at", now});
  commands.push_back(RedisCommand{"HDEL", state, "paused_dropped"});
  commands.push_back(RedisCommand{"EXPIRE", state, static_cast<int64_t>(options_.event_retention.count())});
  auto r = co_await store_.transaction(std::move(commands));
  if (!r.ok()) co_return r.error();
  if (r->elements().size() != 5) co_return make_error(StoreErrc::redis_error, "enable: unexpected reply");
  co_return pause_state_from((*r)[0], (*r)[1]);
}

awaitable<Result<size_t>> DeliveryStore::resume_paused(std::string_view env, std::string_view webhook_id,
                                                       int64_t now) {
  int shard = shard_of(env);
  size_t resumed = 0;
  // Each call takes the set's first ids and removes every one it was given, resumed or stale, so the loop
  // ends; a delivery paused meanwhile (a stale endpoint list) is taken by a later round.
  for (;;) {
    RedisCommand query{"ZRANGE", keys::webhook_paused(shard, webhook_id), 0, kResumeBatch - 1};
    auto ids = co_await store_.command(std::move(query));
    if (!ids.ok()) co_return ids.error();
    if (ids->elements().empty()) break;
    RedisCommand script_keys{keys::schedule(shard), keys::webhook_paused(shard, webhook_id)};
    RedisCommand args{now, webhook_id};
    for (const auto& e : ids->elements()) {
      script_keys.arg(keys::delivery(shard, e.str()));
      args.arg(e.str());
    }
    auto r = co_await store_.run(scripts::resume(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    resumed += static_cast<size_t>(r->integer());
  }
  dispatch_stats().resumed.inc(resumed);
  co_return resumed;
}

awaitable<Result<std::vector<std::string>>> DeliveryStore::failed_ids_since(std::string_view env,
                                                                            std::string_view webhook_id,
                                                                            int64_t since) {
  RedisCommand query{"ZRANGEBYSCORE", keys::webhook_failed(shard_of(env), webhook_id), since, "+inf"};
  auto r = co_await store_.command(std::move(query));
  if (!r.ok()) co_return r.error();
  co_return strings(*r);
}

}  // namespace hookd::dispatch
