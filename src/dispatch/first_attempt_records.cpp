// DeliveryStore's records of first attempts sent before their delivery was written (Dispatcher::
// deliver_first), and the per-partition marks that tell a dispatcher which consumed events may have been
// delivered that way already (recorded_offsets.h).
#include <algorithm>
#include <charconv>

#include "core/clock.h"
#include "dispatch/delivery_scripts.h"
#include "dispatch/delivery_store.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;

namespace keys = store::keys;

awaitable<Result<RecordResult>> DeliveryStore::record_first(const Event& event, std::string_view event_json,
                                                            std::string_view webhook_id, int64_t created_at,
                                                            const Attempt& attempt, bool delivered,
                                                            int64_t next_due, const KafkaPosition& from) {
  int shard = shard_of(event.environment_id);
  std::string id = delivery_id(event.id, webhook_id);
  RedisCommand script_keys{keys::event(shard, event.id),
                           keys::event_deliveries(shard, event.id),
                           keys::schedule(shard),
                           keys::environment_deliveries(shard, event.environment_id),
                           keys::delivery(shard, id),
                           keys::webhook_deliveries(shard, webhook_id),
                           keys::delivery_attempts(shard, id),
                           keys::webhook_health(shard, webhook_id),
                           keys::webhook_failed(shard, webhook_id),
                           keys::recorded_offset(shard, from.topic, from.partition)};
  RedisCommand args{event.id,
                    event_json,
                    static_cast<int64_t>(options_.event_retention.count()),
                    created_at,
                    event.environment_id,
                    event.type,
                    id,
                    webhook_id};
  outcome_args(args, attempt, delivered, next_due).arg(from.offset);
  error_code ec;
  RedisReply reply =
      co_await first_records_[shard].async_run(std::move(script_keys), std::move(args), redirect(ec));
  auto r = item_result(ec, std::move(reply));
  if (!r.ok()) co_return r.error();
  co_return record_result(*r);
}

awaitable<Status> DeliveryStore::raise_mark(std::string_view environment_id, const KafkaPosition& from) {
  RedisCommand script_keys{keys::recorded_offset(shard_of(environment_id), from.topic, from.partition)};
  RedisCommand args{from.offset, static_cast<int64_t>(options_.event_retention.count())};
  auto r = co_await store_.run(scripts::raise_mark(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<int64_t>> DeliveryStore::recorded_through(std::string_view topic, int32_t partition) {
  std::vector<RedisCommand> reads;
  reads.reserve(keys::kDeliveryShards);
  for (int s = 0; s < keys::kDeliveryShards; ++s)
    reads.push_back(RedisCommand{"GET", keys::recorded_offset(s, topic, partition)});
  auto marks = co_await store_.pipeline(std::move(reads));
  if (!marks.ok()) co_return marks.error();
  if (marks->size() != static_cast<size_t>(keys::kDeliveryShards))
    co_return make_error(store::StoreErrc::redis_error, "recorded offsets: unexpected reply");
  int64_t through = -1;
  for (const RedisReply& mark : marks->elements()) {
    if (mark.is_error())
      co_return make_error(store::StoreErrc::redis_error, "recorded offsets: " + std::string(mark.str()));
    if (mark.is_nil()) continue;
    int64_t offset = 0;
    std::string_view text = mark.str();
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), offset);
    if (err != std::errc() || end != text.data() + text.size())
      co_return make_error(store::StoreErrc::corrupt_record, "recorded offset is not a number");
    through = std::max(through, offset);
  }
  co_return through;
}

}  // namespace hookd::dispatch
