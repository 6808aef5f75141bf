#include "store/inbound.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/log.h"
#include "core/metrics.h"
#include "store/errc.h"
#include "store/keys.h"
#include "store/redis/slots.h"

namespace hookd::store {

namespace {

// One record: stored in its account's hash, listed in its account's newest-first zset, indexed by vendor
// delivery id and event ids in the day's index hashes. The account's records beyond the retention or the newest
// N go (hash field and zset member together; by count in chunks, so an account may hold up to an eighth more
// than N for a while; by age and the expiries once per call and account, after its last record: a busy
// account's records share calls).
// A day's index hash lives until a retention after that day ends; an index field keeps at most 20 records.
//   KEYS[1] records hash  KEYS[2] recent zset  KEYS[3] index days zset  KEYS[4..] index hashes (of the day)
//   ARGV[1] id  ARGV[2] JSON  ARGV[3] received_at ms  ARGV[4] retention ms  ARGV[5] max per account
//   ARGV[6] index member ("<account>/<id>")  ARGV[7] day  ARGV[8] when the day's index hashes expire (ms)
//   ARGV[9..] the field of each index hash
const BatchedScript& record_script() {
  static const BatchedScript s("inbound_record", R"lua(
local now, retention, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
local seen, count, accounts = batch.seen, batch.count, batch.accounts
if not seen then
  seen, count, accounts = {}, {}, {}
  batch.seen, batch.count, batch.accounts = seen, count, accounts
  -- Once per call and account, after its last record: what is older than the retention goes (as of the
  -- newest record of the call), and the expiries move on.
  batch.finally = function()
    for records_key, a in pairs(accounts) do
      local old = redis.call('ZRANGEBYSCORE', a.recent, '-inf', '(' .. (a.now - a.retention), 'LIMIT', 0, 1000)
      if #old > 0 then
        redis.call('HDEL', records_key, unpack(old))
        redis.call('ZREM', a.recent, unpack(old))
      end
      redis.call('PEXPIRE', records_key, a.retention)
      redis.call('PEXPIRE', a.recent, a.retention)
    end
  end
end
-- The account's count is read once per call (ids are new: each record adds one).
local account = accounts[KEYS[1]]
if not account then
  accounts[KEYS[1]] = {recent = KEYS[2], now = now, retention = retention}
  count[KEYS[2]] = redis.call('ZCARD', KEYS[2])
else
  if now > account.now then account.now = now end
  count[KEYS[2]] = count[KEYS[2]] + 1
end
local over = count[KEYS[2]] - max
if over > math.floor(max / 8) then
  local ids = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(ids))
  count[KEYS[2]] = count[KEYS[2]] - redis.call('ZREM', KEYS[2], unpack(ids))
end
local expires = tonumber(ARGV[8])
if #KEYS > 3 and not seen[KEYS[3] .. ARGV[7]] then
  seen[KEYS[3] .. ARGV[7]] = true
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(ARGV[7]) - math.ceil(retention / 86400000) - 1))
  redis.call('PEXPIREAT', KEYS[3], expires)
end
for i = 4, #KEYS do
  local field = ARGV[i + 5]
  -- Usually a new field (an event id is new with its request): one command. A vendor's retry adds to it.
  if redis.call('HSETNX', KEYS[i], field, ARGV[6]) == 0 then
    local value = redis.call('HGET', KEYS[i], field) .. ' ' .. ARGV[6]
    -- At most 20 records per field (a vendor retrying one delivery for days): the oldest go.
    local _, spaces = value:gsub(' ', '')
    while spaces >= 20 do
      value = value:sub(value:find(' ') + 1)
      spaces = spaces - 1
    end
    redis.call('HSET', KEYS[i], field, value)
  end
  if not seen[KEYS[i]] then
    seen[KEYS[i]] = true
    redis.call('PEXPIREAT', KEYS[i], expires)
  end
end
return 1
)lua");
  return s;
}

constexpr int64_t kDayMs = 86'400'000;

metrics::Counter& record_failures() {
  static metrics::Counter& c = metrics::registry().counter(
      "hookd_inbound_record_failures_total",
      "Inbound request records (lineage) that could not be written; the requests themselves were answered.");
  return c;
}

std::string as_text(const json::Value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

int64_t as_int(const json::Value& v, int64_t fallback) {
  return v.is_number() ? static_cast<int64_t>(v.as_number()) : fallback;
}

}  // namespace

namespace {

// The record's JSON, written straight into one string: it is written for every request a vendor sends, and
// building its tree first (then taking it down) cost more than the writing.
class RecordText {
 public:
  explicit RecordText(size_t reserve) { out_.reserve(reserve); }
  RecordText& text(std::string_view name, std::string_view value) {
    key(name);
    json::write_string(out_, value);
    return *this;
  }
  RecordText& text_or_null(std::string_view name, std::string_view value) {
    return value.empty() ? null(name) : text(name, value);
  }
  RecordText& integer(std::string_view name, int64_t value) {
    key(name);
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out_.append(buf, end);
    return *this;
  }
  RecordText& integer_or_null(std::string_view name, int64_t value) {
    return value < 0 ? null(name) : integer(name, value);
  }
  RecordText& null(std::string_view name) {
    key(name);
    out_ += "null";
    return *this;
  }
  void open(std::string_view name, char bracket) {
    key(name);
    out_.push_back(bracket);
    first_ = true;
  }
  void open(char bracket) {
    if (!first_) out_.push_back(',');
    out_.push_back(bracket);
    first_ = true;
  }
  void close(char bracket) {
    out_.push_back(bracket);
    first_ = false;
  }
  std::string take() && { return std::move(out_); }

 private:
  void key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    json::write_string(out_, name);
    out_.push_back(':');
  }
  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string to_json_text(const InboundRecord& r) {
  RecordText t(384 + r.error.size() + r.vendor_delivery_id.size() + r.events.size() * 96);
  t.open('{');
  t.text("id", r.id)
      .integer("received_at", r.received_at)
      .text("environment_id", r.environment_id)
      .text("integrated_account_id", r.integrated_account_id)
      .text("environment_integration_id", r.environment_integration_id)
      .text("integration", r.integration)
      .text("method", r.method)
      .text("verdict", r.verdict)
      .integer("status_code", r.status_code)
      .text_or_null("error", r.error)
      .text_or_null("vendor_delivery_id", r.vendor_delivery_id)
      .integer_or_null("transform_result_bytes", r.transform_result_bytes);
  t.open("events", '[');
  for (const InboundEvent& e : r.events) {
    t.open('{');
    t.text("id", e.id)
        .text("event", e.type)
        .integer_or_null("partition", e.partition)
        .integer_or_null("offset", e.offset);
    t.close('}');
  }
  t.close(']');
  t.close('}');
  return std::move(t).take();
}

json::Value to_json(const InboundRecord& r) {
  // One layout, the stored one: the admin API's answers embed the record as the tree of its text.
  json::Value v;
  json::parse(to_json_text(r), v);
  return v;
}

Result<InboundRecord> inbound_record_from_json(std::string_view text) {
  json::Value v;
  if (!json::parse(text, v) || !v.is_object())
    return make_error(StoreErrc::corrupt_record, "inbound record is not a JSON object");
  InboundRecord r;
  r.id = as_text(v.get("id"));
  r.received_at = as_int(v.get("received_at"), 0);
  r.environment_id = as_text(v.get("environment_id"));
  r.integrated_account_id = as_text(v.get("integrated_account_id"));
  r.environment_integration_id = as_text(v.get("environment_integration_id"));
  r.integration = as_text(v.get("integration"));
  r.method = as_text(v.get("method"));
  r.verdict = as_text(v.get("verdict"));
  r.status_code = static_cast<int>(as_int(v.get("status_code"), 0));
  r.error = as_text(v.get("error"));
  r.vendor_delivery_id = as_text(v.get("vendor_delivery_id"));
  r.transform_result_bytes = as_int(v.get("transform_result_bytes"), -1);
  const json::Value& events = v.get("events");
  if (events.is_array())
    for (const json::Value& e : events.as_array())
      r.events.push_back({as_text(e.get("id")), as_text(e.get("event")),
                          static_cast<int32_t>(as_int(e.get("partition"), -1)), as_int(e.get("offset"), -1)});
  return r;
}

ScriptBatcher& InboundStore::writer_for(std::string_view records_key) {
  uint16_t slot = key_slot(records_key);
  std::lock_guard lock(writers_mu_);
  auto& writer = writers_[slot];
  if (!writer) writer = ScriptBatcher::create(store_.redis_ptr(), record_script());
  return *writer;
}

void InboundStore::record(const InboundRecord& r, const InboundLimits& limits) {
  const std::string& env = r.environment_id;
  const int64_t day = r.received_at / kDayMs;
  std::string records_key = keys::inbound_records(env, r.integrated_account_id);
  ScriptBatcher& writer = writer_for(records_key);
  RedisCommand keys(std::move(records_key), keys::inbound_recent(env, r.integrated_account_id),
                    keys::inbound_index_days(env));
  RedisCommand args(r.id, to_json_text(r), r.received_at, static_cast<int64_t>(limits.retention.count()),
                    static_cast<int64_t>(limits.max_per_account), r.integrated_account_id + "/" + r.id, day,
                    (day + 1) * kDayMs + static_cast<int64_t>(limits.retention.count()));
  if (!r.vendor_delivery_id.empty()) {
    keys.arg(keys::inbound_by_vendor_delivery(env, day));
    args.arg(keys::detail::bounded_id(r.vendor_delivery_id));
  }
  for (const InboundEvent& e : r.events) {
    keys.arg(keys::inbound_by_event(env, day));
    args.arg(e.id);
  }
  writer.async_run(std::move(keys), std::move(args), [id = r.id](error_code ec, RedisReply reply) {
    if (!ec && !reply.is_error()) return;
    record_failures().inc();
    log::warn("inbound.record_failed", {{"id", id}, {"error", ec ? ec.message() : std::string(reply.str())}});
  });
}

awaitable<Result<std::vector<InboundRecord>>> InboundStore::from_index(std::string env, IndexKind kind,
                                                                       std::string field,
                                                                       std::string_view account_id) {
  // The field in every day's index hash, in one round trip: the days that have one, then a HGET in each.
  auto days = co_await store_.command(RedisCommand("ZRANGE", keys::inbound_index_days(env), 0, -1));
  if (!days.ok()) co_return days.error();
  std::vector<RedisCommand> reads;
  for (const RedisReply& d : days->elements()) {
    int64_t day = 0;
    std::string_view text = d.str();
    std::from_chars(text.data(), text.data() + text.size(), day);
    std::string key = kind == IndexKind::vendor_delivery ? keys::inbound_by_vendor_delivery(env, day)
                                                         : keys::inbound_by_event(env, day);
    reads.push_back(RedisCommand("HGET", std::move(key), field));
  }
  std::vector<std::string> found;
  if (!reads.empty()) {
    // Reads only (one environment's slot anyway): pipelined, not a transaction.
    auto values = co_await store_.pipeline(std::move(reads));
    if (!values.ok()) co_return values.error();
    for (const RedisReply& v : values->elements()) {
      if (!v.is_string()) continue;
      std::string_view list = v.str();
      for (size_t start = 0; start <= list.size();) {
        size_t space = list.find(' ', start);
        if (space == std::string_view::npos) space = list.size();
        if (space > start) found.emplace_back(list.substr(start, space - start));
        start = space + 1;
      }
    }
  }
  // Newest first (record ids are time-ordered), at most 200.
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return a.substr(a.find('/') + 1) > b.substr(b.find('/') + 1);
  });
  if (found.size() > 200) found.resize(200);
  // "<account>/<id>" -> the account's hash, one HMGET per account (usually one).
  std::map<std::string, std::vector<std::string>> by_account;
  for (const std::string& m : found) {
    std::string_view member = m;
    size_t slash = member.find('/');
    if (slash == std::string_view::npos) continue;
    std::string account(member.substr(0, slash));
    if (!account_id.empty() && account != account_id) continue;
    by_account[account].emplace_back(member.substr(slash + 1));
  }
  std::vector<InboundRecord> out;
  for (auto& [account, ids] : by_account) {
    RedisCommand hmget("HMGET", keys::inbound_records(env, account));
    for (const std::string& id : ids)
      hmget.arg(id);
    auto values = co_await store_.command(std::move(hmget));
    if (!values.ok()) co_return values.error();
    for (const RedisReply& v : values->elements()) {
      if (!v.is_string()) continue;  // trimmed (older than the account's newest N) or expired
      auto r = inbound_record_from_json(v.str());
      if (r.ok()) out.push_back(std::move(r).value());
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  co_return out;
}

awaitable<Result<std::vector<InboundRecord>>> InboundStore::by_vendor_delivery_id(
    std::string_view env, std::string_view vendor_id, std::string_view account_id) {
  co_return co_await from_index(std::string(env), IndexKind::vendor_delivery,
                                keys::detail::bounded_id(vendor_id), account_id);
}

awaitable<Result<std::vector<InboundRecord>>> InboundStore::by_event_id(std::string_view env,
                                                                        std::string_view event_id) {
  co_return co_await from_index(std::string(env), IndexKind::event, std::string(event_id), {});
}

awaitable<Result<Page<InboundRecord>>> InboundStore::recent(std::string_view env, std::string_view account_id,
                                                            std::string_view verdict, std::string_view cursor,
                                                            size_t limit) {
  // At most max_per_account ids: read them all, newest first by id (UUID v7: time-ordered).
  auto all = co_await store_.command(RedisCommand("ZRANGE", keys::inbound_recent(env, account_id), 0, -1));
  if (!all.ok()) co_return all.error();
  std::vector<std::string> ids;
  for (const RedisReply& m : all->elements())
    if (cursor.empty() || m.str() < cursor) ids.emplace_back(m.str());
  std::sort(ids.begin(), ids.end(), std::greater<>());
  Page<InboundRecord> page;
  size_t next = 0;
  std::string records_key = keys::inbound_records(env, account_id);
  while (page.items.size() < limit && next < ids.size()) {
    size_t chunk = std::min(ids.size() - next, std::max<size_t>(limit, 50));
    RedisCommand hmget("HMGET", records_key);
    for (size_t i = next; i < next + chunk; ++i)
      hmget.arg(ids[i]);
    auto values = co_await store_.command(std::move(hmget));
    if (!values.ok()) co_return values.error();
    size_t i = next;
    for (const RedisReply& v : values->elements()) {
      ++i;
      if (!v.is_string()) continue;
      auto r = inbound_record_from_json(v.str());
      if (!r.ok() || (!verdict.empty() && r->verdict != verdict)) continue;
      page.items.push_back(std::move(r).value());
      if (page.items.size() == limit) break;
    }
    next = i;
  }
  if (page.items.size() == limit && next < ids.size()) page.next_cursor = page.items.back().id;
  co_return page;
}

}  // namespace hookd::store
