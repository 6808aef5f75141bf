// The Lua scripts behind DeliveryStore: each state change of a delivery is one atomic script.
#pragma once

#include "store/redis/script.h"

namespace hookd::dispatch::scripts {

// ARGV: event_id, event_json, retention_s, now, environment_id, event_type, then webhook ids.
// Creates hookd:delivery:{derived id} for each webhook that has none yet, due now. Returns the new ids.
// The delivery id is passed in pairs after the fixed arguments: (delivery_id, webhook_id)...
inline const store::RedisScript& schedule() {
  static const store::RedisScript s(R"lua(
local event_id, now, env, etype, ttl = ARGV[1], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[3])
-- NX: an event published again with the same id (a vendor's retry) keeps the copy its deliveries were made from.
redis.call('SET', 'hookd:event:' .. event_id, ARGV[2], 'EX', ttl, 'NX')
local created = {}
for i = 7, #ARGV, 2 do
  local id, wid = ARGV[i], ARGV[i + 1]
  local key = 'hookd:delivery:' .. id
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'id', id, 'event_id', event_id, 'webhook_id', wid, 'environment_id', env,
      'event_type', etype, 'status', 'pending', 'attempts', 0, 'attempt_base', 0, 'replays', 0,
      'created_at', now, 'updated_at', now, 'next_attempt_at', now)
    redis.call('EXPIRE', key, ttl)
    redis.call('ZADD', 'hookd:schedule', now, id)
    -- Index entries older than the retention point at expired records: drop them as new ones arrive.
    local horizon = tonumber(now) - ttl * 1000
    for _, index in ipairs({'hookd:webhook:' .. wid .. ':deliveries', 'hookd:environment:' .. env .. ':deliveries'}) do
      redis.call('ZADD', index, now, id)
      redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. horizon)
      redis.call('EXPIRE', index, ttl)
    end
    redis.call('SADD', 'hookd:event:' .. event_id .. ':deliveries', id)
    redis.call('EXPIRE', 'hookd:event:' .. event_id .. ':deliveries', ttl)
    created[#created + 1] = id
  end
end
return created
)lua");
  return s;
}

// ARGV: now, lease_until, limit, claim. Moves up to `limit` due entries to lease_until and stamps the claim.
inline const store::RedisScript& claim_due() {
  static const store::RedisScript s(R"lua(
local ids = redis.call('ZRANGEBYSCORE', 'hookd:schedule', '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(ids) do
  local key = 'hookd:delivery:' .. id
  redis.call('ZADD', 'hookd:schedule', ARGV[2], id)
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'claim', ARGV[4])
    claimed[#claimed + 1] = id
  else
    redis.call('ZREM', 'hookd:schedule', id)  -- expired record: nothing left to deliver
  end
end
return claimed
)lua");
  return s;
}

// ARGV: id, claim, now, delivered (1/0), attempt_json, status_code, error, next_due, disable_failures,
// disable_after_ms, retention_s. Returns {status, disable(0/1)} or {'lost'}.
inline const store::RedisScript& record_attempt() {
  static const store::RedisScript s(R"lua(
local id, now, ttl = ARGV[1], ARGV[3], tonumber(ARGV[11])
local key = 'hookd:delivery:' .. id
if redis.call('HGET', key, 'claim') ~= ARGV[2] then return {'lost', 0} end
redis.call('HINCRBY', key, 'attempts', 1)
redis.call('RPUSH', key .. ':attempts', ARGV[5])
redis.call('EXPIRE', key .. ':attempts', ttl)
redis.call('HSET', key, 'updated_at', now, 'last_status_code', ARGV[6], 'last_error', ARGV[7], 'claim', '')
local wid = redis.call('HGET', key, 'webhook_id')
local health = 'hookd:webhook:' .. wid .. ':health'
if ARGV[4] == '1' then
  redis.call('HSET', key, 'status', 'succeeded', 'next_attempt_at', 0)
  redis.call('ZREM', 'hookd:schedule', id)
  redis.call('DEL', health)
  return {'succeeded', 0}
end
local fails = redis.call('HINCRBY', health, 'consecutive_failures', 1)
redis.call('HSETNX', health, 'failing_since', now)
local since = tonumber(redis.call('HGET', health, 'failing_since'))
local disable = 0
if fails >= tonumber(ARGV[9]) and tonumber(now) - since >= tonumber(ARGV[10]) then disable = 1 end
if tonumber(ARGV[8]) > 0 then
  redis.call('HSET', key, 'status', 'retrying', 'next_attempt_at', ARGV[8])
  redis.call('ZADD', 'hookd:schedule', ARGV[8], id)
  return {'retrying', disable}
end
redis.call('HSET', key, 'status', 'failed', 'next_attempt_at', 0, 'failed_at', now)
redis.call('ZREM', 'hookd:schedule', id)
redis.call('ZADD', 'hookd:webhook:' .. wid .. ':failed', now, id)
redis.call('ZREMRANGEBYSCORE', 'hookd:webhook:' .. wid .. ':failed', '-inf', '(' .. (tonumber(now) - ttl * 1000))
return {'failed', disable}
)lua");
  return s;
}

// ARGV: id, claim, now, reason. Dead-letters a claimed delivery without an attempt.
inline const store::RedisScript& fail_without_attempt() {
  static const store::RedisScript s(R"lua(
local key = 'hookd:delivery:' .. ARGV[1]
if redis.call('HGET', key, 'claim') ~= ARGV[2] then return 0 end
local wid = redis.call('HGET', key, 'webhook_id')
redis.call('HSET', key, 'status', 'failed', 'next_attempt_at', 0, 'failed_at', ARGV[3], 'updated_at', ARGV[3],
  'last_error', ARGV[4], 'claim', '')
redis.call('ZREM', 'hookd:schedule', ARGV[1])
redis.call('ZADD', 'hookd:webhook:' .. wid .. ':failed', ARGV[3], ARGV[1])
return 1
)lua");
  return s;
}

// ARGV: id, now. Returns -1 unknown, 0 pending (its first attempt is due already), 2 an attempt is in flight
// (a dispatcher holds the claim), 1 replayed: a finished delivery starts a new round of attempts now; a
// retrying one has its next attempt moved to now, in the same round (if it fails, the retry schedule goes on
// where it was).
inline const store::RedisScript& replay() {
  static const store::RedisScript s(R"lua(
local key = 'hookd:delivery:' .. ARGV[1]
local st = redis.call('HGET', key, 'status')
if not st then return -1 end
local claim = redis.call('HGET', key, 'claim')
if claim and claim ~= '' then return 2 end
if st == 'pending' then return 0 end
redis.call('HINCRBY', key, 'replays', 1)
if st == 'retrying' then
  redis.call('HSET', key, 'next_attempt_at', ARGV[2], 'updated_at', ARGV[2])
  redis.call('ZADD', 'hookd:schedule', ARGV[2], ARGV[1])
  return 1
end
local wid = redis.call('HGET', key, 'webhook_id')
redis.call('HSET', key, 'status', 'pending', 'next_attempt_at', ARGV[2], 'updated_at', ARGV[2],
  'attempt_base', redis.call('HGET', key, 'attempts'), 'failed_at', 0)
redis.call('ZREM', 'hookd:webhook:' .. wid .. ':failed', ARGV[1])
redis.call('ZADD', 'hookd:schedule', ARGV[2], ARGV[1])
return 1
)lua");
  return s;
}

}  // namespace hookd::dispatch::scripts
