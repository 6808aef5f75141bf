#include "dispatch/delivery_store.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "dispatch/delivery_scripts.h"
#include "dispatch/redis_fields.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;
using store::StoreErrc;

namespace keys = store::keys;

namespace {

Result<Delivery> delivery_from_hash(const RedisReply& r) {
  if (!r.is_array() || r.size() == 0) return make_error(StoreErrc::not_found, "delivery not found");
  Delivery d;
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    std::string_view k = r[i].str(), v = r[i + 1].str();
    if (k == "id")
      d.id = v;
    else if (k == "event_id")
      d.event_id = v;
    else if (k == "webhook_id")
      d.webhook_id = v;
    else if (k == "environment_id")
      d.environment_id = v;
    else if (k == "event_type")
      d.event_type = v;
    else if (k == "status")
      d.status = delivery_status_from(v).value_or(DeliveryStatus::pending);
    else if (k == "attempts")
      d.attempts = static_cast<int>(field_int(v));
    else if (k == "attempt_base")
      d.attempt_base = static_cast<int>(field_int(v));
    else if (k == "replays")
      d.replays = static_cast<int>(field_int(v));
    else if (k == "created_at")
      d.created_at = field_int(v);
    else if (k == "updated_at")
      d.updated_at = field_int(v);
    else if (k == "next_attempt_at")
      d.next_attempt_at = field_int(v);
    else if (k == "budget_slot")
      d.budget_slot = field_int(v);
    else if (k == "budget_waits")
      d.budget_waits = static_cast<int>(field_int(v));
    else if (k == "lane")
      d.lane = std::string(v);
    else if (k == "order_skipped")
      d.order_skipped = v == "1";
    else if (k == "failed_at")
      d.failed_at = field_int(v);
    else if (k == "last_status_code")
      d.last_status_code = static_cast<int>(field_int(v));
    else if (k == "last_error")
      d.last_error = v;
    else if (k == "claim")
      d.claim = v;
  }
  if (d.id.empty()) return make_error(StoreErrc::corrupt_record, "delivery record lacks an id");
  return d;
}

Result<Attempt> attempt_from_json(std::string_view text) {
  json::Value v;
  if (!json::parse(text, v) || !v.is_object())
    return make_error(StoreErrc::corrupt_record, "attempt is not a JSON object");
  Attempt a;
  a.number = static_cast<int>(v.get("attempt").number_or(0));
  a.started_at = clock::parse_iso8601(v.get("started_at").string_or("")).value_or(0);
  a.status_code = static_cast<int>(v.get("status_code").number_or(0));
  a.latency_ms = static_cast<int64_t>(v.get("latency_ms").number_or(0));
  a.error = std::string(v.get("error").string_or(""));
  a.response = std::string(v.get("response").string_or(""));
  a.replay = v.get("replay").bool_or(false);
  return a;
}

std::string index_key(DeliveryStore::Index index, int shard, std::string_view owner) {
  switch (index) {
    case DeliveryStore::Index::webhook:
      return keys::webhook_deliveries(shard, owner);
    case DeliveryStore::Index::environment:
      return keys::environment_deliveries(shard, owner);
    case DeliveryStore::Index::event:
      return keys::event_deliveries(shard, owner);
  }
  return {};
}

}  // namespace

std::string_view to_string(DeliveryStatus s) noexcept {
  switch (s) {
    case DeliveryStatus::pending:
      return "pending";
    case DeliveryStatus::retrying:
      return "retrying";
    case DeliveryStatus::succeeded:
      return "succeeded";
    case DeliveryStatus::failed:
      return "failed";
    case DeliveryStatus::paused:
      return "paused";
  }
  return "pending";
}

std::optional<DeliveryStatus> delivery_status_from(std::string_view s) noexcept {
  for (auto st : {DeliveryStatus::pending, DeliveryStatus::retrying, DeliveryStatus::succeeded,
                  DeliveryStatus::failed, DeliveryStatus::paused})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

json::Value to_json(const Delivery& d) {
  json::ObjectBuilder b(16);
  b.set("id", d.id).set("event_id", d.event_id).set("webhook_id", d.webhook_id);
  b.set("environment_id", d.environment_id).set("event", d.event_type);
  b.set("status", json::Value(to_string(d.status)))
      .set("attempt_count", d.attempts)
      .set("replays", d.replays);
  b.set("last_status_code", d.last_status_code ? json::Value(d.last_status_code) : json::Value(nullptr));
  b.set("last_error", d.last_error.empty() ? json::Value(nullptr) : json::Value(d.last_error));
  b.set("next_attempt_at",
        d.next_attempt_at && (d.status == DeliveryStatus::pending || d.status == DeliveryStatus::retrying)
            ? json::Value(clock::iso8601(d.next_attempt_at))
            : json::Value(nullptr));
  b.set("failed_at", d.failed_at ? json::Value(clock::iso8601(d.failed_at)) : json::Value(nullptr));
  b.set("created_at", clock::iso8601(d.created_at)).set("updated_at", clock::iso8601(d.updated_at));
  if (d.order_skipped) b.set("order_skipped", true);
  return std::move(b).build();
}

json::Value to_json(const Attempt& a) {
  json::ObjectBuilder b(7);
  b.set("attempt", a.number).set("started_at", clock::iso8601(a.started_at));
  b.set("status_code", a.status_code ? json::Value(a.status_code) : json::Value(nullptr));
  b.set("latency_ms", json::Value(a.latency_ms));
  b.set("error", a.error.empty() ? json::Value(nullptr) : json::Value(a.error));
  b.set("response", a.response).set("replay", a.replay);
  return std::move(b).build();
}

DeliveryStore::DeliveryStore(store::Store& store, const DispatchOptions& options)
    : store_(store),
      options_(options),
      // New deliveries take the event over from Kafka (its offset is committed once they exist): they must
      // survive their master's crash (HOOKD_REDIS_WAIT_REPLICAS). Attempt records need not: one a crash loses
      // leaves the delivery leased, and it is sent again when the lease runs out.
      schedules_(store.redis_ptr(), scripts::schedule(), ShardBatchers::Durability::replicated),
      records_(store.redis_ptr(), scripts::record_attempt()),
      // Like a schedule, a first attempt's record takes the event over from Kafka.
      first_records_(store.redis_ptr(), scripts::record_first_attempt(),
                     ShardBatchers::Durability::replicated) {}

int DeliveryStore::shard_of(std::string_view environment_id) noexcept {
  return keys::delivery_shard(environment_id);
}

Result<RedisReply> DeliveryStore::item_result(error_code ec, RedisReply reply) {
  if (ec) return store::unavailable(ec);
  if (reply.is_error())
    return make_error(StoreErrc::redis_error, "redis script: " + std::string(reply.str()));
  return reply;
}

std::string DeliveryStore::delivery_id(std::string_view event_id, std::string_view webhook_id) {
  return ids::uuid_from_name(std::string(event_id) + "/" + std::string(webhook_id));
}

awaitable<Result<std::vector<std::string>>> DeliveryStore::schedule(const Event& event,
                                                                    std::string_view event_json,
                                                                    std::span<const std::string> webhook_ids,
                                                                    std::string_view claim,
                                                                    size_t claimed_count) {
  int64_t now = clock::now_millis();
  int shard = shard_of(event.environment_id);
  RedisCommand script_keys{keys::event(shard, event.id), keys::event_deliveries(shard, event.id),
                           keys::schedule(shard), keys::environment_deliveries(shard, event.environment_id)};
  RedisCommand args{event.id,
                    event_json,
                    static_cast<int64_t>(options_.event_retention.count()),
                    now,
                    event.environment_id,
                    event.type,
                    claim,
                    now + options_.lease.count(),
                    static_cast<int64_t>(claim.empty() ? 0 : claimed_count)};
  for (const auto& wid : webhook_ids) {
    std::string id = delivery_id(event.id, wid);
    script_keys.arg(keys::delivery(shard, id)).arg(keys::webhook_deliveries(shard, wid));
    args.arg(id).arg(wid);
  }
  error_code ec;
  RedisReply reply =
      co_await schedules_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  std::vector<std::string> ids;
  for (const auto& e : r->elements())
    ids.emplace_back(e.str());
  co_return ids;
}

awaitable<Result<std::vector<ClaimedDelivery>>> DeliveryStore::claim_due(int64_t now, size_t limit,
                                                                         std::string_view claim) {
  // Two steps, so that each script is given every delivery key it touches: read what is due in every shard
  // (one pipelined round trip), then lease those still due, one script per shard (the script checks each
  // again; a concurrent claimer may have taken some).
  std::vector<ClaimedDelivery> out;
  if (limit == 0) co_return out;
  std::vector<RedisCommand> reads;
  reads.reserve(keys::kDeliveryShards);
  for (int s = 0; s < keys::kDeliveryShards; ++s)
    reads.push_back(RedisCommand{"ZRANGEBYSCORE", keys::schedule(s), "-inf", now, "LIMIT", 0,
                                 static_cast<int64_t>(limit)});
  auto due = co_await store_.pipeline(std::move(reads));
  if (!due.ok()) co_return due.error();
  if (due->size() != static_cast<size_t>(keys::kDeliveryShards))
    co_return make_error(StoreErrc::redis_error, "claim: unexpected schedule reply");
  int first = next_claim_shard_;
  next_claim_shard_ = (first + 1) % keys::kDeliveryShards;
  for (int i = 0; i < keys::kDeliveryShards && out.size() < limit; ++i) {
    int shard = (first + i) % keys::kDeliveryShards;
    const RedisReply& ids = (*due)[static_cast<size_t>(shard)];
    if (ids.is_error() || ids.elements().empty()) continue;
    size_t take = std::min(ids.size(), limit - out.size());
    RedisCommand script_keys{keys::schedule(shard)};
    RedisCommand args{now, now + options_.lease.count(), claim};
    for (size_t j = 0; j < take; ++j) {
      script_keys.arg(keys::delivery(shard, ids[j].str()));
      args.arg(ids[j].str());
    }
    auto r = co_await store_.run(scripts::claim_due(), std::move(script_keys), std::move(args));
    if (!r.ok()) {
      // What was claimed already is ours to send; the rest stays due for the next round.
      if (out.empty()) co_return r.error();
      break;
    }
    for (const auto& e : r->elements())
      out.push_back(ClaimedDelivery{shard, std::string(e.str())});
    // Out of room: the next call starts after the shard that filled it, not at the same one again.
    if (out.size() == limit) next_claim_shard_ = (shard + 1) % keys::kDeliveryShards;
  }
  co_return out;
}

awaitable<Result<Delivery>> DeliveryStore::get(int shard, std::string_view id) {
  RedisCommand query{"HGETALL", keys::delivery(shard, id)};
  auto r = co_await store_.command(std::move(query));
  if (!r.ok()) co_return r.error();
  co_return delivery_from_hash(*r);
}

awaitable<Result<Delivery>> DeliveryStore::get(std::string_view environment_id, std::string_view id) {
  co_return co_await get(shard_of(environment_id), id);
}

awaitable<Result<std::string>> DeliveryStore::event_json(std::string_view environment_id,
                                                         std::string_view event_id) {
  RedisCommand query{"GET", keys::event(shard_of(environment_id), event_id)};
  auto r = co_await store_.command(std::move(query));
  if (!r.ok()) co_return r.error();
  if (r->is_nil())
    co_return make_error(StoreErrc::not_found,
                         "event " + std::string(event_id) + " has expired or never existed");
  co_return std::string(r->str());
}

awaitable<Result<std::vector<Attempt>>> DeliveryStore::attempts(std::string_view environment_id,
                                                                std::string_view id) {
  RedisCommand query{"LRANGE", keys::delivery_attempts(shard_of(environment_id), id), 0, -1};
  auto r = co_await store_.command(std::move(query));
  if (!r.ok()) co_return r.error();
  std::vector<Attempt> out;
  for (const auto& e : r->elements())
    if (auto a = attempt_from_json(e.str()); a.ok()) out.push_back(std::move(a).value());
  co_return out;
}

awaitable<Result<std::vector<std::vector<Attempt>>>> DeliveryStore::attempts_of(
    std::string_view environment_id, std::vector<std::string> ids) {
  std::vector<std::vector<Attempt>> out(ids.size());
  if (ids.empty()) co_return out;
  int shard = shard_of(environment_id);
  std::vector<RedisCommand> reads;
  reads.reserve(ids.size());
  for (const std::string& id : ids)
    reads.push_back(RedisCommand{"LRANGE", keys::delivery_attempts(shard, id), 0, -1});
  auto r = co_await store_.pipeline(std::move(reads));
  if (!r.ok()) co_return r.error();
  const auto& lists = r->elements();
  for (size_t i = 0; i < lists.size() && i < out.size(); ++i)
    for (const auto& e : lists[i].elements())
      if (auto a = attempt_from_json(e.str()); a.ok()) out[i].push_back(std::move(a).value());
  co_return out;
}

awaitable<Result<RecordResult>> DeliveryStore::record(const Delivery& d, std::string_view claim,
                                                      const Attempt& attempt, bool delivered,
                                                      int64_t next_due) {
  RedisCommand args{d.id, claim};
  outcome_args(args, attempt, delivered, next_due)
      .arg(static_cast<int64_t>(options_.event_retention.count()))
      .arg(d.webhook_id)
      .arg(static_cast<int64_t>(options_.ordering_max_waiting));
  int shard = shard_of(d.environment_id);
  RedisCommand script_keys{keys::delivery(shard, d.id), keys::delivery_attempts(shard, d.id),
                           keys::schedule(shard), keys::webhook_health(shard, d.webhook_id),
                           keys::webhook_failed(shard, d.webhook_id)};
  if (!d.lane.empty()) script_keys.arg(keys::webhook_lane(shard, d.webhook_id, d.lane));
  error_code ec;
  RedisReply reply =
      co_await records_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  co_return record_result(*r);
}

RedisCommand& DeliveryStore::outcome_args(RedisCommand& args, const Attempt& attempt, bool delivered,
                                          int64_t next_due) const {
  return args.arg(clock::now_millis())
      .arg(delivered ? "1" : "0")
      .arg(json::dump(to_json(attempt)))
      .arg(static_cast<int64_t>(attempt.status_code))
      .arg(attempt.error)
      .arg(next_due)
      .arg(static_cast<int64_t>(options_.disable_after_failures))
      .arg(static_cast<int64_t>(options_.disable_after.count()));
}

RecordResult DeliveryStore::record_result(const RedisReply& r) {
  RecordResult out;
  std::string_view status = r.size() > 0 ? r[0].str() : "lost";
  if (status == "lost") {
    out.lost_claim = true;
    return out;
  }
  if (status == "exists") {
    out.existed = true;
    return out;
  }
  out.status = delivery_status_from(status).value_or(DeliveryStatus::pending);
  out.disable_endpoint = r.size() > 1 && r[1].integer() == 1;
  out.order_skipped = r.size() > 2 && r[2].str() == "order_skipped";
  return out;
}

awaitable<Status> DeliveryStore::fail_without_attempt(const Delivery& d, std::string_view claim,
                                                      std::string_view reason) {
  int shard = shard_of(d.environment_id);
  RedisCommand script_keys{keys::delivery(shard, d.id), keys::schedule(shard),
                           keys::webhook_failed(shard, d.webhook_id)};
  if (!d.lane.empty()) script_keys.arg(keys::webhook_lane(shard, d.webhook_id, d.lane));
  RedisCommand args{d.id, claim, clock::now_millis(), reason, d.webhook_id};
  auto r = co_await store_.run(scripts::fail_without_attempt(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

std::string_view to_string(ReplayOutcome outcome) noexcept {
  switch (outcome) {
    case ReplayOutcome::replayed:
      return "replayed";
    case ReplayOutcome::already_due:
      return "already_due";
    case ReplayOutcome::in_flight:
      return "in_flight";
  }
  return "replayed";
}

awaitable<Result<ReplayOutcome>> DeliveryStore::replay(const Delivery& d, int64_t now) {
  int shard = shard_of(d.environment_id);
  RedisCommand script_keys{keys::delivery(shard, d.id), keys::schedule(shard),
                           keys::webhook_failed(shard, d.webhook_id),
                           keys::webhook_paused(shard, d.webhook_id)};
  RedisCommand args{d.id, now, d.webhook_id};
  auto r = co_await store_.run(scripts::replay(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  switch (r->integer()) {
    case 0:
      co_return ReplayOutcome::already_due;
    case 1:
      co_return ReplayOutcome::replayed;
    case 2:
      co_return ReplayOutcome::in_flight;
    default:
      co_return make_error(StoreErrc::not_found, "delivery not found");
  }
}

awaitable<Result<store::Page<Delivery>>> DeliveryStore::list(Index index, std::string_view environment_id,
                                                             std::string_view owner,
                                                             const DeliveryFilter& filter,
                                                             std::string_view cursor, size_t limit) {
  // Delivery ids are hashes, not time-ordered, so the cursor carries the last item's creation time and id:
  // base64url("<created ms>:<id>").
  int64_t max_score = filter.until ? filter.until - 1 : INT64_MAX;
  std::string after_id;
  if (!cursor.empty()) {
    auto raw = crypto::from_base64(cursor);
    size_t colon = raw ? raw->find(':') : std::string::npos;
    if (colon == std::string::npos)
      co_return make_error(StoreErrc::invalid_cursor, "not one this API returned", "cursor");
    max_score = std::min(max_score, field_int(raw->substr(0, colon)));
    after_id = raw->substr(colon + 1);
  }
  std::string min = filter.since ? std::to_string(filter.since) : "-inf";
  std::string max = max_score == INT64_MAX ? "+inf" : std::to_string(max_score);
  int shard = shard_of(environment_id);
  std::string key = index_key(index, shard, owner);

  store::Page<Delivery> page;
  constexpr int64_t kBatch = 200;
  int64_t offset = 0;
  for (;;) {
    // Built outside the co_await: GCC 12 mishandles a conditional's temporaries inside one.
    RedisCommand query = index == Index::event ? RedisCommand{"SMEMBERS", key}
                                               : RedisCommand{"ZREVRANGEBYSCORE", key,     max,    min,
                                                              "WITHSCORES",       "LIMIT", offset, kBatch};
    auto r = co_await store_.command(std::move(query));
    if (!r.ok()) co_return r.error();
    std::vector<std::string> ids;
    std::vector<int64_t> scores;
    const auto& el = r->elements();
    if (index == Index::event) {
      for (const auto& e : el)
        ids.emplace_back(e.str());
    } else {
      for (size_t i = 0; i + 1 < el.size(); i += 2) {
        ids.emplace_back(el[i].str());
        scores.push_back(field_int(el[i + 1].str()));
      }
    }
    // The batch's records in one round trip.
    std::vector<RedisCommand> reads;
    reads.reserve(ids.size());
    for (const std::string& id : ids)
      reads.push_back(RedisCommand{"HGETALL", keys::delivery(shard, id)});
    auto records = co_await store_.pipeline(std::move(reads));
    if (!records.ok()) co_return records.error();
    const auto& hashes = records->elements();
    std::vector<Delivery> batch;
    for (size_t i = 0; i < ids.size() && i < hashes.size(); ++i) {
      if (!cursor.empty() && !scores.empty() && scores[i] == max_score && ids[i] >= after_id) continue;
      auto d = delivery_from_hash(hashes[i]);
      if (!d.ok()) continue;  // expired
      if (filter.status && d->status != *filter.status) continue;
      if (!filter.event_type.empty() && d->event_type != filter.event_type) continue;
      if (filter.since && d->created_at < filter.since) continue;
      if (filter.until && d->created_at >= filter.until) continue;
      batch.push_back(std::move(d).value());
    }
    if (index == Index::event)
      std::sort(batch.begin(), batch.end(),
                [](const Delivery& a, const Delivery& b) { return a.created_at > b.created_at; });
    for (auto& d : batch) {
      if (page.items.size() == limit) {
        const auto& last = page.items.back();
        page.next_cursor = crypto::base64(std::to_string(last.created_at) + ":" + last.id, true, false);
        co_return page;
      }
      page.items.push_back(std::move(d));
    }
    if (index == Index::event || static_cast<int64_t>(ids.size()) < kBatch) break;
    offset += kBatch;
  }
  co_return page;
}

awaitable<Result<std::vector<std::string>>> DeliveryStore::failed_ids(std::string_view environment_id,
                                                                      std::string_view webhook_id) {
  RedisCommand query{"ZRANGE", keys::webhook_failed(shard_of(environment_id), webhook_id), 0, -1};
  auto r = co_await store_.command(std::move(query));
  if (!r.ok()) co_return r.error();
  std::vector<std::string> ids;
  for (const auto& e : r->elements())
    ids.emplace_back(e.str());
  co_return ids;
}

awaitable<Status> DeliveryStore::reset_health(std::string_view environment_id, std::string_view webhook_id) {
  RedisCommand command{"DEL", keys::webhook_health(shard_of(environment_id), webhook_id)};
  auto r = co_await store_.command(std::move(command));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

}  // namespace hookd::dispatch
