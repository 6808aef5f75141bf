// The Lua scripts behind DeliveryStore: each state change of a delivery is one atomic script. Every key a
// script touches comes in KEYS[] (built by store/keys.h; Redis Cluster needs them declared); where a script
// used to derive a key from what it read (a delivery's webhook), the caller passes the key and the id it was
// built from, and the script checks that id against the record.
#pragma once

#include <string>

#include "store/redis/batched_script.h"
#include "store/redis/script.h"

namespace hookd::dispatch::scripts {

namespace fragments {

// index(key, id, now, ttl): lists a new delivery in an index (zset: id -> created ms). Index entries older
// than the retention point at expired records: trimmed once per call and key, not per delivery.
inline constexpr const char* kIndex = R"lua(
local function index(key, id, now, ttl)
  redis.call('ZADD', key, now, id)
  local trimmed = batch.trimmed
  if not trimmed then
    trimmed = {}
    batch.trimmed = trimmed
  end
  if not trimmed[key] then
    trimmed[key] = true
    redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('(%d', tonumber(now) - tonumber(ttl) * 1000))
    redis.call('EXPIRE', key, ttl)
  end
end
)lua";

// note_health(health, delivered, now, disable_failures, disable_after_ms) -> 1 when the endpoint is to be
// disabled, else 0. Health records a run of failures; a success ends it: deleted once per call and endpoint,
// unless a failure of that endpoint in this call started a run again.
inline constexpr const char* kHealth = R"lua(
local function note_health(health, delivered, now, disable_failures, disable_after_ms)
  local healthy = batch.healthy
  if not healthy then
    healthy = {}
    batch.healthy = healthy
  end
  if delivered then
    if not healthy[health] then
      healthy[health] = true
      redis.call('DEL', health)
    end
    return 0
  end
  healthy[health] = nil
  local fails = redis.call('HINCRBY', health, 'consecutive_failures', 1)
  redis.call('HSETNX', health, 'failing_since', now)
  local since = tonumber(redis.call('HGET', health, 'failing_since'))
  if fails >= tonumber(disable_failures) and tonumber(now) - since >= tonumber(disable_after_ms) then return 1 end
  return 0
end
)lua";

}  // namespace fragments

// Creates each delivery that does not exist yet, due now, or (the first `claimed_count` webhooks) leased to
// `claim` until lease_until. Returns the new ids. Batched: one call carries the events consumed meanwhile.
//   KEYS: event, event's deliveries set, schedule, environment's deliveries index,
//         then per webhook: delivery, webhook's deliveries index
//   ARGV: event_id, event_json, retention_s, now, environment_id, event_type, claim, lease_until,
//         claimed_count, then per webhook: delivery_id, webhook_id (in the order of KEYS)
inline const store::BatchedScript& schedule() {
  static const store::BatchedScript s("schedule", std::string(fragments::kIndex) + R"lua(
-- Numbers stay strings where Redis only passes them on: a Lua number given to redis.call is formatted with
-- printf, a measurable share of this script's time.
local event_id, now, env, etype, ttl = ARGV[1], ARGV[4], ARGV[5], ARGV[6], ARGV[3]
local claim, lease_until, claimed_count = ARGV[7], ARGV[8], tonumber(ARGV[9])
-- NX: an event published again with the same id (a vendor's retry) keeps the copy its deliveries were made from.
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'NX')
local created = {}
local k = 5
local n = 0
for i = 10, #ARGV, 2 do
  local id, wid = ARGV[i], ARGV[i + 1]
  local key, webhook_index = KEYS[k], KEYS[k + 1]
  k = k + 2
  n = n + 1
  if redis.call('EXISTS', key) == 0 then
    -- Leased at once to the dispatcher that consumed the event, which sends the first attempt without
    -- claiming it from the schedule; if it dies, the lease runs out and any dispatcher takes it.
    local leased = n <= claimed_count
    redis.call('HSET', key, 'id', id, 'event_id', event_id, 'webhook_id', wid, 'environment_id', env,
      'event_type', etype, 'status', 'pending', 'attempts', '0', 'attempt_base', '0', 'replays', '0',
      'created_at', now, 'updated_at', now, 'next_attempt_at', now, 'claim', leased and claim or '')
    redis.call('EXPIRE', key, ttl)
    redis.call('ZADD', KEYS[3], leased and lease_until or now, id)
    index(webhook_index, id, now, ttl)
    index(KEYS[4], id, now, ttl)
    redis.call('SADD', KEYS[2], id)
    created[#created + 1] = id
  end
end
if #created > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
return created
)lua");
  return s;
}

// Leases those of the given deliveries that are still due (the caller read them from the schedule just
// before; another dispatcher may have taken some meanwhile) until lease_until and stamps the claim. Returns
// the ids claimed.
//   KEYS: schedule, then per delivery: delivery
//   ARGV: now, lease_until, claim, then the delivery ids (in the order of KEYS)
inline const store::RedisScript& claim_due() {
  static const store::RedisScript s(R"lua(
local claimed = {}
for i = 4, #ARGV do
  local id, key = ARGV[i], KEYS[i - 2]
  local due = redis.call('ZSCORE', KEYS[1], id)
  if due and tonumber(due) <= tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    if redis.call('EXISTS', key) == 1 then
      redis.call('HSET', key, 'claim', ARGV[3])
      claimed[#claimed + 1] = id
    else
      redis.call('ZREM', KEYS[1], id)  -- expired record: nothing left to deliver
    end
  end
end
return claimed
)lua");
  return s;
}

// Records an attempt of a claimed delivery. Returns {status, disable(0/1)} or {'lost', 0}. Batched: one call
// carries the attempts finished meanwhile.
//   KEYS: delivery, delivery's attempts, schedule, webhook's health, webhook's dead letters
//   ARGV: id, claim, now, delivered (1/0), attempt_json, status_code, error, next_due, disable_failures,
//         disable_after_ms, retention_s, webhook_id (the webhook KEYS 4 and 5 belong to), ordering_max_waiting
inline const store::BatchedScript& record_attempt() {
  static const store::BatchedScript s("record_attempt", std::string(fragments::kHealth) + R"lua(
local id, now, ttl = ARGV[1], ARGV[3], ARGV[11]
local key, health, failed = KEYS[1], KEYS[4], KEYS[5]
local held = redis.call('HMGET', key, 'claim', 'webhook_id')
if held[1] ~= ARGV[2] then return {'lost', 0} end
if held[2] ~= ARGV[12] then
  return redis.error_reply('delivery ' .. id .. ' is not a delivery to webhook ' .. ARGV[12])
end
redis.call('HINCRBY', key, 'attempts', 1)
-- An ordered delivery that is done leaves its lane; the next in it, if parked, comes due now
-- (ordered_lanes.h). KEYS[6], the lane, only for ordered deliveries.
local function leave_lane()
  local lane = KEYS[6]
  if not lane then return end
  redis.call('ZREM', lane, id)
  local nxt = redis.call('ZRANGE', lane, 0, 0)[1]
  if nxt and not redis.call('ZSCORE', KEYS[3], nxt) then redis.call('ZADD', KEYS[3], now, nxt) end
end
-- The list lives as long as the delivery: its retention counts from the first attempt (or the first after it
-- expired), not again from each.
if redis.call('RPUSH', KEYS[2], ARGV[5]) == 1 then redis.call('EXPIRE', KEYS[2], ttl) end
if ARGV[4] == '1' then
  redis.call('HSET', key, 'updated_at', now, 'last_status_code', ARGV[6], 'last_error', ARGV[7], 'claim', '',
    'status', 'succeeded', 'next_attempt_at', '0')
  redis.call('ZREM', KEYS[3], id)
  leave_lane()
  note_health(health, true, now, ARGV[9], ARGV[10])
  return {'succeeded', 0}
end
local disable = note_health(health, false, now, ARGV[9], ARGV[10])
if tonumber(ARGV[8]) > 0 then
  redis.call('HSET', key, 'updated_at', now, 'last_status_code', ARGV[6], 'last_error', ARGV[7], 'claim', '',
    'status', 'retrying', 'next_attempt_at', ARGV[8])
  redis.call('ZADD', KEYS[3], ARGV[8], id)
  -- The first of an ordered lane failing with too many waiting behind it is let go out of order.
  local lane = KEYS[6]
  if lane and redis.call('ZRANGE', lane, 0, 0)[1] == id and redis.call('ZCARD', lane) - 1 > tonumber(ARGV[13]) then
    redis.call('HSET', key, 'order_skipped', '1')
    leave_lane()
    return {'retrying', disable, 'order_skipped'}
  end
  return {'retrying', disable}
end
redis.call('HSET', key, 'updated_at', now, 'last_status_code', ARGV[6], 'last_error', ARGV[7], 'claim', '',
  'status', 'failed', 'next_attempt_at', '0', 'failed_at', now)
redis.call('ZREM', KEYS[3], id)
leave_lane()
redis.call('ZADD', failed, now, id)
redis.call('ZREMRANGEBYSCORE', failed, '-inf', string.format('(%d', tonumber(now) - tonumber(ttl) * 1000))
return {'failed', disable}
)lua");
  return s;
}

// Creates a delivery whose first attempt was sent already, with that attempt's outcome (Dispatcher::
// deliver_first: nothing is written before the attempt, one call after it, and the event's Kafka offset stays
// uncommitted until then). Returns {status, disable(0/1)} like record_attempt, or {'exists', 0} when the
// delivery exists already (the event was consumed twice): the attempt joins its record, and a success ends a
// delivery nobody holds. Raises the shard's mark of the event's Kafka partition to its offset, once per call
// (keys::recorded_offset). Batched.
//   KEYS: event, event's deliveries set, schedule, environment's deliveries index, delivery, webhook's
//         deliveries index, delivery's attempts, webhook's health, webhook's dead letters, the partition's mark
//   ARGV: event_id, event_json, retention_s, created_at, environment_id, event_type, delivery_id, webhook_id,
//         now, delivered (1/0), attempt_json, status_code, error, next_due (0: none), disable_failures,
//         disable_after_ms, kafka_offset
inline const store::BatchedScript& record_first_attempt() {
  static const store::BatchedScript s("record_first_attempt",
                                      std::string(fragments::kIndex) + fragments::kHealth + R"lua(
local id, ttl, now, delivered = ARGV[7], ARGV[3], ARGV[9], ARGV[10] == '1'
local key = KEYS[5]
local marks = batch.marks
if not marks then
  marks = {}
  batch.marks = marks
  batch.finally = function()
    for mark, offset in pairs(marks) do
      local held = tonumber(redis.call('GET', mark) or '-1')
      if offset > held then redis.call('SET', mark, string.format('%d', offset), 'EX', ttl) end
    end
  end
end
local offset = tonumber(ARGV[17])
if not marks[KEYS[10]] or marks[KEYS[10]] < offset then marks[KEYS[10]] = offset end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'NX')
if redis.call('EXISTS', key) == 1 then
  redis.call('HINCRBY', key, 'attempts', 1)
  if redis.call('RPUSH', KEYS[7], ARGV[11]) == 1 then redis.call('EXPIRE', KEYS[7], ttl) end
  if delivered then
    local held = redis.call('HMGET', key, 'status', 'claim')
    if (held[1] == 'pending' or held[1] == 'retrying') and (held[2] or '') == '' then
      redis.call('HSET', key, 'status', 'succeeded', 'next_attempt_at', '0', 'updated_at', now,
        'last_status_code', ARGV[12], 'last_error', ARGV[13])
      redis.call('ZREM', KEYS[3], id)
    end
  end
  return {'exists', 0}
end
local next_due = ARGV[14]
local status = delivered and 'succeeded' or (tonumber(next_due) > 0 and 'retrying' or 'failed')
redis.call('HSET', key, 'id', id, 'event_id', ARGV[1], 'webhook_id', ARGV[8], 'environment_id', ARGV[5],
  'event_type', ARGV[6], 'status', status, 'attempts', '1', 'attempt_base', '0', 'replays', '0',
  'created_at', ARGV[4], 'updated_at', now, 'next_attempt_at', status == 'retrying' and next_due or '0',
  'claim', '', 'last_status_code', ARGV[12], 'last_error', ARGV[13])
redis.call('EXPIRE', key, ttl)
redis.call('RPUSH', KEYS[7], ARGV[11])
redis.call('EXPIRE', KEYS[7], ttl)
index(KEYS[6], id, ARGV[4], ttl)
index(KEYS[4], id, ARGV[4], ttl)
redis.call('SADD', KEYS[2], id)
redis.call('EXPIRE', KEYS[2], ttl)
local disable = note_health(KEYS[8], delivered, now, ARGV[15], ARGV[16])
if status == 'retrying' then
  redis.call('ZADD', KEYS[3], next_due, id)
elseif status == 'failed' then
  redis.call('HSET', key, 'failed_at', now)
  redis.call('ZADD', KEYS[9], now, id)
  redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', string.format('(%d', tonumber(now) - tonumber(ttl) * 1000))
end
return {status, disable}
)lua");
  return s;
}

// Raises a partition's mark (keys::recorded_offset) to an offset whose deliveries were created before their
// attempts (the checked path), so that a later consumer of the event does not send it first again either.
//   KEYS: the mark   ARGV: offset, retention_s
inline const store::RedisScript& raise_mark() {
  static const store::RedisScript s(R"lua(
local held = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > held then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1
)lua");
  return s;
}

// Dead-letters a claimed delivery without an attempt. Returns 1, or 0 when the claim is not the holder's.
//   KEYS: delivery, schedule, webhook's dead letters, and for an ordered delivery its lane
//   ARGV: id, claim, now, reason, webhook_id (the webhook KEYS 3 belongs to)
inline const store::RedisScript& fail_without_attempt() {
  static const store::RedisScript s(R"lua(
local key = KEYS[1]
if redis.call('HGET', key, 'claim') ~= ARGV[2] then return 0 end
if redis.call('HGET', key, 'webhook_id') ~= ARGV[5] then
  return redis.error_reply('delivery ' .. ARGV[1] .. ' is not a delivery to webhook ' .. ARGV[5])
end
redis.call('HSET', key, 'status', 'failed', 'next_attempt_at', 0, 'failed_at', ARGV[3], 'updated_at', ARGV[3],
  'last_error', ARGV[4], 'claim', '')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
if KEYS[4] then
  redis.call('ZREM', KEYS[4], ARGV[1])
  local nxt = redis.call('ZRANGE', KEYS[4], 0, 0)[1]
  if nxt and not redis.call('ZSCORE', KEYS[2], nxt) then redis.call('ZADD', KEYS[2], ARGV[3], nxt) end
end
return 1
)lua");
  return s;
}

// Returns -1 unknown, 0 pending (its first attempt is due already), 2 an attempt is in flight (a dispatcher
// holds the claim), 1 replayed: a finished delivery starts a new round of attempts now; a retrying one has its
// next attempt moved to now, in the same round (if it fails, the retry schedule goes on where it was). A paused
// one (its endpoint was disabled when the event came) leaves the paused set and is sent now.
//   KEYS: delivery, schedule, webhook's dead letters, webhook's paused set
//   ARGV: id, now, webhook_id (the webhook KEYS 3 belongs to)
inline const store::RedisScript& replay() {
  static const store::RedisScript s(R"lua(
local key = KEYS[1]
local st = redis.call('HGET', key, 'status')
if not st then return -1 end
if redis.call('HGET', key, 'webhook_id') ~= ARGV[3] then
  return redis.error_reply('delivery ' .. ARGV[1] .. ' is not a delivery to webhook ' .. ARGV[3])
end
local claim = redis.call('HGET', key, 'claim')
if claim and claim ~= '' then return 2 end
if st == 'pending' then return 0 end
redis.call('HINCRBY', key, 'replays', 1)
if st == 'retrying' then
  redis.call('HSET', key, 'next_attempt_at', ARGV[2], 'updated_at', ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  return 1
end
if st == 'paused' then redis.call('ZREM', KEYS[4], ARGV[1]) end
redis.call('HSET', key, 'status', 'pending', 'next_attempt_at', ARGV[2], 'updated_at', ARGV[2],
  'attempt_base', redis.call('HGET', key, 'attempts'), 'failed_at', 0)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
)lua");
  return s;
}

}  // namespace hookd::dispatch::scripts
