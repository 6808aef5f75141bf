// The Lua scripts behind paused deliveries (delivery_store.h, "Disabled endpoints"): what an event creates for
// an endpoint that is disabled, and how enabling it resumes them. Same rules as delivery_scripts.h: every key
// in KEYS[], one atomic state change per script.
#pragma once

#include "store/redis/script.h"

namespace hookd::dispatch::scripts {

// Records the deliveries of one event to disabled endpoints as `paused`: stored and indexed like any delivery
// but not in the schedule, so nothing is sent until the endpoint is enabled with a replay. Per endpoint at most
// max_paused are kept (the oldest: a newer one over the bound is not recorded, and the endpoint's
// paused_dropped counts it), so a long-disabled endpoint cannot fill Redis. An endpoint whose pause state says
// it was enabled meanwhile (the caller read a stale endpoint list) gets its delivery due now instead.
// Returns {paused ids, scheduled ids, webhook ids whose delivery was dropped}.
//   KEYS: event, event's deliveries set, schedule, environment's deliveries index,
//         then per webhook: delivery, webhook's deliveries index, webhook's paused set, webhook's pause state
//   ARGV: event_id, event_json, retention_s, now, environment_id, event_type, max_paused,
//         then per webhook: delivery_id, webhook_id (in the order of KEYS)
inline const store::RedisScript& pause() {
  static const store::RedisScript s(R"lua(
local event_id, ttl, now, env, etype = ARGV[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local max_paused = tonumber(ARGV[7])
local oldest = string.format('(%d', tonumber(now) - tonumber(ttl) * 1000)
local function index(key, id)
  redis.call('ZADD', key, now, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', oldest)
  redis.call('EXPIRE', key, ttl)
end
local paused, scheduled, dropped = {}, {}, {}
local k = 5
for i = 8, #ARGV, 2 do
  local id, wid = ARGV[i], ARGV[i + 1]
  local key, webhook_index, paused_set, state = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  k = k + 4
  if redis.call('EXISTS', key) == 0 then
    local enabled = redis.call('HEXISTS', state, 'enabled_at') == 1
    local status = 'paused'
    if not enabled then
      redis.call('ZREMRANGEBYSCORE', paused_set, '-inf', oldest)
      if redis.call('ZCARD', paused_set) >= max_paused then status = nil end
    else
      status = 'pending'
    end
    if not status then
      redis.call('HINCRBY', state, 'paused_dropped', 1)
      redis.call('EXPIRE', state, ttl)
      dropped[#dropped + 1] = wid
    else
      redis.call('HSET', key, 'id', id, 'event_id', event_id, 'webhook_id', wid, 'environment_id', env,
        'event_type', etype, 'status', status, 'attempts', '0', 'attempt_base', '0', 'replays', '0',
        'created_at', now, 'updated_at', now, 'next_attempt_at', enabled and now or '0', 'claim', '')
      redis.call('EXPIRE', key, ttl)
      if enabled then
        redis.call('ZADD', KEYS[3], now, id)
        scheduled[#scheduled + 1] = id
      else
        index(paused_set, id)
        paused[#paused + 1] = id
      end
      index(webhook_index, id)
      index(KEYS[4], id)
      redis.call('SADD', KEYS[2], id)
    end
  end
end
if #paused + #scheduled > 0 then
  -- NX: an event published again with the same id keeps the copy its deliveries were made from.
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'NX')
  redis.call('EXPIRE', KEYS[2], ttl)
end
return {paused, scheduled, dropped}
)lua");
  return s;
}

// Moves paused deliveries of one endpoint to the schedule, due now: the first attempt of their first round,
// status pending (not a replay: they were never sent). Ids that are no longer paused (expired, resumed by a
// concurrent call, replayed one by one) only leave the paused set. Returns how many were resumed.
//   KEYS: schedule, webhook's paused set, then per delivery: delivery
//   ARGV: now, webhook_id (the webhook KEYS 2 belongs to), then the delivery ids (in the order of KEYS)
inline const store::RedisScript& resume() {
  static const store::RedisScript s(R"lua(
local now, wid = ARGV[1], ARGV[2]
local resumed = 0
for i = 3, #ARGV do
  local id, key = ARGV[i], KEYS[i]
  local held = redis.call('HMGET', key, 'status', 'webhook_id')
  if held[1] == 'paused' and held[2] == wid then
    redis.call('HSET', key, 'status', 'pending', 'next_attempt_at', now, 'updated_at', now)
    redis.call('ZADD', KEYS[1], now, id)
    resumed = resumed + 1
  end
  redis.call('ZREM', KEYS[2], id)
end
return resumed
)lua");
  return s;
}

// The endpoint was disabled: events are paused from now on. disabled_at is when this disabled period began:
// kept if it is disabled already, set anew after an enable. (An enable keeps disabled_at, so that an enable's
// replay repeated later still starts from the same time.)
//   KEYS: webhook's pause state
//   ARGV: now, retention_s
inline const store::RedisScript& mark_disabled() {
  static const store::RedisScript s(R"lua(
local state = KEYS[1]
if redis.call('HEXISTS', state, 'enabled_at') == 1 or redis.call('HEXISTS', state, 'disabled_at') == 0 then
  redis.call('HSET', state, 'disabled_at', ARGV[1])
  redis.call('HDEL', state, 'paused_dropped')
end
redis.call('HDEL', state, 'enabled_at')
redis.call('EXPIRE', state, ARGV[2])
return 1
)lua");
  return s;
}

}  // namespace hookd::dispatch::scripts
