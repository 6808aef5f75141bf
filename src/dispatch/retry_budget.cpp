#include "dispatch/retry_budget.h"
#include "dispatch/redis_fields.h"

#include <charconv>
#include <cstdio>

#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;

namespace keys = store::keys;

namespace {

// A retry slot. Returns {reserved (1/0), slot ms}.
//   KEYS: the endpoint's budget
//   ARGV: now, initial_rate, horizon_ms, idle_ms
const store::BatchedScript& take_script() {
  static const store::BatchedScript s("retry_budget_take", R"lua(
local now = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'rate', 'tat')
local rate = tonumber(v[1]) or tonumber(ARGV[2])
local tat = tonumber(v[2]) or 0
local t = math.max(now, tat)
if t - now > tonumber(ARGV[3]) then return {0, string.format('%d', t)} end
redis.call('HSET', KEYS[1], 'rate', string.format('%.3f', rate), 'tat', string.format('%.3f', t + 1000 / rate))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, string.format('%d', t)}
)lua");
  return s;
}

// The outcome of a retry moves the rate. Returns the rate as text.
//   KEYS: the endpoint's budget
//   ARGV: now, success (1/0), initial, min, max, increase, decrease, decrease_interval_ms, idle_ms
const store::BatchedScript& feedback_script() {
  static const store::BatchedScript s("retry_budget_feedback", R"lua(
local now = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'rate', 'cut_at')
local rate = tonumber(v[1]) or tonumber(ARGV[3])
local lo, hi = tonumber(ARGV[4]), tonumber(ARGV[5])
if ARGV[2] == '1' then
  rate = math.min(hi, rate + tonumber(ARGV[6]))
else
  if now - (tonumber(v[2]) or 0) < tonumber(ARGV[8]) then return string.format('%.3f', rate) end
  rate = math.max(lo, rate * tonumber(ARGV[7]))
  redis.call('HSET', KEYS[1], 'cut_at', ARGV[1])
end
redis.call('HSET', KEYS[1], 'rate', string.format('%.3f', rate))
redis.call('PEXPIRE', KEYS[1], ARGV[9])
return string.format('%.3f', rate)
)lua");
  return s;
}

// Puts a claimed delivery back in the schedule, without an attempt. Returns 1, or 0 when the claim is gone.
//   KEYS: delivery, schedule
//   ARGV: id, claim, due, budget_slot (0: none), now, budget_waits (times the budget has turned it away in a row)
const store::BatchedScript& defer_script() {
  static const store::BatchedScript s("delivery_defer", R"lua(
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'claim', '', 'next_attempt_at', ARGV[3], 'budget_slot', ARGV[4], 'updated_at', ARGV[5],
  'budget_waits', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
)lua");
  return s;
}

std::string format_rate(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", r);
  return buf;
}

double to_double(std::string_view s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Result<RedisReply> item_result(error_code ec, RedisReply reply) {
  if (ec) return store::unavailable(ec);
  if (reply.is_error())
    return make_error(store::StoreErrc::redis_error, "redis script: " + std::string(reply.str()));
  return reply;
}

}  // namespace

RetryBudget::RetryBudget(store::Store& store, RetryBudgetOptions options)
    : store_(store),
      options_(options),
      takes_(store.redis_ptr(), take_script()),
      feedbacks_(store.redis_ptr(), feedback_script()),
      defers_(store.redis_ptr(), defer_script()) {}

awaitable<Result<RetrySlot>> RetryBudget::take(std::string_view env, std::string_view webhook_id,
                                               int64_t now) {
  int shard = keys::delivery_shard(env);
  RedisCommand script_keys{keys::webhook_retry_budget(shard, webhook_id)};
  RedisCommand args{now, format_rate(options_.initial_rate), static_cast<int64_t>(options_.horizon.count()),
                    static_cast<int64_t>(options_.idle.count())};
  error_code ec;
  RedisReply reply = co_await takes_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  if (r->size() < 2) co_return make_error(store::StoreErrc::unavailable, "redis: unexpected budget reply");
  RetrySlot slot;
  slot.reserved = (*r)[0].integer() == 1;
  slot.at = field_int((*r)[1].str());
  slot.now = slot.reserved && slot.at <= now;
  co_return slot;
}

awaitable<Status> RetryBudget::feedback(std::string_view env, std::string_view webhook_id, bool success,
                                        int64_t now) {
  int shard = keys::delivery_shard(env);
  RedisCommand script_keys{keys::webhook_retry_budget(shard, webhook_id)};
  RedisCommand args{now,
                    success ? "1" : "0",
                    format_rate(options_.initial_rate),
                    format_rate(options_.min_rate),
                    format_rate(options_.max_rate),
                    format_rate(options_.increase),
                    format_rate(options_.decrease),
                    static_cast<int64_t>(options_.decrease_interval.count()),
                    static_cast<int64_t>(options_.idle.count())};
  error_code ec;
  RedisReply reply =
      co_await feedbacks_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> RetryBudget::report_breaker(std::string_view env, std::string_view webhook_id, bool open,
                                              int64_t until, int64_t now) {
  std::string key = keys::webhook_retry_budget(keys::delivery_shard(env), webhook_id);
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"HSET", key, "breaker", open ? "open" : "closed", "breaker_until",
                                  open ? until : 0, "breaker_at", now});
  commands.push_back(RedisCommand{"PEXPIRE", key, static_cast<int64_t>(options_.idle.count())});
  auto r = co_await store_.transaction(std::move(commands));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<EndpointFlowRecord>> read_endpoint_flow(store::Store& store, std::string_view env,
                                                         std::string_view webhook_id) {
  RedisCommand query{"HMGET",     keys::webhook_retry_budget(keys::delivery_shard(env), webhook_id),
                     "rate",      "tat",
                     "breaker",   "breaker_until",
                     "breaker_at"};
  auto r = co_await store.command(std::move(query));
  if (!r.ok()) co_return r.error();
  EndpointFlowRecord s;
  if (r->size() < 5) co_return s;
  if (!(*r)[0].is_nil()) {
    s.rate = to_double((*r)[0].str());
    s.next_slot = static_cast<int64_t>(to_double((*r)[1].str()));
  }
  if (!(*r)[2].is_nil()) {
    s.breaker = std::string((*r)[2].str());
    s.breaker_until = field_int((*r)[3].str());
    s.breaker_at = field_int((*r)[4].str());
  }
  co_return s;
}

awaitable<Result<bool>> RetryBudget::defer(const Delivery& d, std::string_view claim, int64_t due,
                                           int64_t budget_slot, int64_t now, int budget_waits) {
  int shard = keys::delivery_shard(d.environment_id);
  RedisCommand script_keys{keys::delivery(shard, d.id), keys::schedule(shard)};
  RedisCommand args{d.id, claim, due, budget_slot, now, static_cast<int64_t>(budget_waits)};
  error_code ec;
  RedisReply reply = co_await defers_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  co_return r->integer() == 1;
}

}  // namespace hookd::dispatch
