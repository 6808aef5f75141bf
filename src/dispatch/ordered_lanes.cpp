#include "dispatch/ordered_lanes.h"

#include "store/keys.h"
#include "store/redis/script.h"

namespace hookd::dispatch {

using store::RedisCommand;

namespace keys = store::keys;

namespace {

// KEYS: delivery, lane. ARGV: id, position, account, retention_s. Returns 1 when it is in the lane.
const store::RedisScript& join_script() {
  static const store::RedisScript s(R"lua(
local st = redis.call('HGET', KEYS[1], 'status')
if not st or st == 'succeeded' or st == 'failed' or st == 'paused' then return 0 end
redis.call('HSET', KEYS[1], 'lane', ARGV[3])
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
)lua");
  return s;
}

// KEYS: lane, schedule, delivery. ARGV: id, claim, max_waiting, now.
// Returns {'go' | 'wait', skipped ids...}.
const store::RedisScript& admit_script() {
  static const store::RedisScript s(R"lua(
local lane, schedule, id = KEYS[1], KEYS[2], ARGV[1]
local skipped = {'go'}
if not redis.call('ZSCORE', lane, id) then return skipped end
while true do
  local first = redis.call('ZRANGE', lane, 0, 0)[1]
  if first == id then return skipped end
  if redis.call('ZCARD', lane) - 1 <= tonumber(ARGV[3]) then
    -- Parked: out of the schedule until the first leaves the lane (or is let go) and brings it back.
    if redis.call('HGET', KEYS[3], 'claim') == ARGV[2] then
      redis.call('HSET', KEYS[3], 'claim', '', 'next_attempt_at', '0')
      redis.call('ZREM', schedule, id)
    end
    skipped[1] = 'wait'
    return skipped
  end
  -- Too many wait behind the first: it goes on alone, out of order.
  redis.call('ZREM', lane, first)
  skipped[#skipped + 1] = first
  local nxt = redis.call('ZRANGE', lane, 0, 0)[1]
  if nxt and nxt ~= id and not redis.call('ZSCORE', schedule, nxt) then redis.call('ZADD', schedule, ARGV[4], nxt) end
end
)lua");
  return s;
}

// KEYS: delivery. Marks a delivery let go out of order, if it still exists.
const store::RedisScript& mark_skipped_script() {
  static const store::RedisScript s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'order_skipped', '1')
return 1
)lua");
  return s;
}

}  // namespace

OrderedLanes::OrderedLanes(store::Store& store, const DispatchOptions& options)
    : store_(store), options_(options) {}

awaitable<Status> OrderedLanes::join(std::string_view delivery_id, std::string_view webhook_id,
                                     std::string_view account_id, int64_t position) {
  RedisCommand script_keys{keys::delivery(delivery_id), keys::webhook_lane(webhook_id, account_id)};
  RedisCommand args{delivery_id, position, account_id,
                    static_cast<int64_t>(options_.event_retention.count())};
  auto r = co_await store_.run(join_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<OrderedLanes::Turn>> OrderedLanes::admit(const Delivery& d, std::string_view claim,
                                                          int64_t now) {
  Turn turn;
  if (d.lane.empty()) {
    turn.go = true;
    co_return turn;
  }
  RedisCommand script_keys{keys::webhook_lane(d.webhook_id, d.lane), keys::schedule(), keys::delivery(d.id)};
  RedisCommand args{d.id, claim, static_cast<int64_t>(options_.ordering_max_waiting), now};
  auto r = co_await store_.run(admit_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  if (r->size() == 0) co_return make_error(store::StoreErrc::redis_error, "lane admit: empty reply");
  turn.go = (*r)[0].str() == "go";
  for (size_t i = 1; i < r->size(); ++i) {
    std::string id((*r)[i].str());
    // A marker for operators (GET /delivery shows order_skipped); losing it changes no delivery.
    RedisCommand mark_keys{keys::delivery(id)};
    (void)co_await store_.run(mark_skipped_script(), std::move(mark_keys), RedisCommand{});
    turn.skipped.push_back(std::move(id));
  }
  co_return turn;
}

}  // namespace hookd::dispatch
