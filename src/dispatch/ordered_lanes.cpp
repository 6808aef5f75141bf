#include "dispatch/ordered_lanes.h"

#include "store/keys.h"
#include "store/redis/script.h"

namespace hookd::dispatch {

using store::RedisCommand;

namespace keys = store::keys;

namespace {

// KEYS: delivery, lane. ARGV: id, position, retention_s. Returns 1 when it is in the lane. Runs before the
// delivery is created (or again, for an event consumed twice): a finished or paused one is not put back.
const store::RedisScript& reserve_script() {
  static const store::RedisScript s(R"lua(
local st = redis.call('HGET', KEYS[1], 'status')
if st == 'succeeded' or st == 'failed' or st == 'paused' then return 0 end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
)lua");
  return s;
}

// KEYS: delivery, schedule. ARGV: id, account, claim, release (1/0), now. Names the lane on the delivery and,
// with release, hands it from `claim` to the schedule, due now.
const store::RedisScript& settle_script() {
  static const store::RedisScript s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lane', ARGV[2])
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'claim') == ARGV[3] then
  redis.call('HSET', KEYS[1], 'claim', '', 'next_attempt_at', ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
end
return 1
)lua");
  return s;
}

// KEYS: lane, schedule, delivery. ARGV: id, claim. Returns 'go' or 'wait'.
const store::RedisScript& admit_script() {
  static const store::RedisScript s(R"lua(
local lane, schedule, id = KEYS[1], KEYS[2], ARGV[1]
if not redis.call('ZSCORE', lane, id) then return 'go' end
if redis.call('ZRANGE', lane, 0, 0)[1] == id then return 'go' end
-- Parked: out of the schedule until the first leaves the lane (or is let go) and brings it back.
if redis.call('HGET', KEYS[3], 'claim') == ARGV[2] then
  redis.call('HSET', KEYS[3], 'claim', '', 'next_attempt_at', '0')
  redis.call('ZREM', schedule, id)
end
return 'wait'
)lua");
  return s;
}

}  // namespace

OrderedLanes::OrderedLanes(store::Store& store, const DispatchOptions& options)
    : store_(store), options_(options) {}

awaitable<Status> OrderedLanes::reserve(std::string_view env, std::string_view delivery_id,
                                        std::string_view webhook_id, std::string_view account_id,
                                        int64_t position) {
  int shard = keys::delivery_shard(env);
  RedisCommand script_keys{keys::delivery(shard, delivery_id),
                           keys::webhook_lane(shard, webhook_id, account_id)};
  RedisCommand args{delivery_id, position, static_cast<int64_t>(options_.event_retention.count())};
  auto r = co_await store_.run(reserve_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> OrderedLanes::settle(std::string_view env, std::string_view delivery_id,
                                       std::string_view account_id, std::string_view claim, bool release,
                                       int64_t now) {
  int shard = keys::delivery_shard(env);
  RedisCommand script_keys{keys::delivery(shard, delivery_id), keys::schedule(shard)};
  RedisCommand args{delivery_id, account_id, claim, release ? "1" : "0", now};
  auto r = co_await store_.run(settle_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<bool>> OrderedLanes::admit(const Delivery& d, std::string_view claim) {
  if (d.lane.empty()) co_return true;
  int shard = keys::delivery_shard(d.environment_id);
  RedisCommand script_keys{keys::webhook_lane(shard, d.webhook_id, d.lane), keys::schedule(shard),
                           keys::delivery(shard, d.id)};
  RedisCommand args{d.id, claim};
  auto r = co_await store_.run(admit_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return r->str() == "go";
}

}  // namespace hookd::dispatch
