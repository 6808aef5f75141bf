// Deliveries in Redis: one per (event, endpoint), with its attempts, the retry schedule and the dead letters.
// Their keys are built in store/keys.h (the dispatch section); this module is the only one that writes them
// (admin reads deliveries and asks for replays and health resets through DeliveryStore):
//
//   keys::event(s, id)                the event (Kafka record value), kept for retries and replays
//                                     (retention TTL)
//   keys::delivery(s, id)             hash: status, attempts, timestamps, last result, claim token
//   keys::delivery_attempts(s, id)    list of attempt JSON objects, oldest first (not fields of the delivery:
//                                     a value over 64 bytes turns Redis' compact hash encoding into a table
//                                     that takes about three times the memory)
//   keys::schedule(s)                 zset: delivery id -> when it is due (or when its claim's lease runs out)
//   keys::webhook_deliveries(s, id)   zset: delivery id -> created ms (also environment_deliveries, and
//                                     event_deliveries: a set per event)
//   keys::webhook_failed(s, id)       zset: dead-lettered delivery id -> when
//   keys::webhook_health(s, id)       hash: consecutive_failures, failing_since (for auto-disable)
//   keys::webhook_paused(s, id)       zset: paused delivery id -> created ms (at most paused_max_per_endpoint)
//   keys::webhook_pause_state(s, id)  hash: disabled_at, enabled_at, paused_dropped
//
// `s` is the delivery shard of the environment the data belongs to (keys::delivery_shard): every key one
// script touches shares that shard's hash tag, one Redis Cluster slot. So every call names the environment
// (admin has its token's, the dispatcher its event's or the delivery's), or the shard a claim came from.
//
// Disabled endpoints (paused_deliveries.cpp, pause_scripts.h): an event for an endpoint that is disabled
// creates its delivery as `paused` (same id, derived from event and endpoint, so resuming it later is the
// same delivery and consuming the event again creates nothing), listed like any delivery but not scheduled.
// Enabling the endpoint with a replay moves them to the schedule.
//
// Every state change is one Lua script, so it is atomic: scheduling creates each delivery at most once (its
// id is derived from event and endpoint), claiming moves due entries to "leased" so two dispatchers never
// take the same attempt, and recording an attempt checks the claim token so a dispatcher whose lease ran out
// cannot overwrite the newer claimer's result.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "dispatch/options.h"
#include "dispatch/shard_batchers.h"
#include "store/redis/batched_script.h"
#include "store/store.h"

namespace hookd::dispatch {

// paused: created while its endpoint was disabled; not scheduled until the endpoint is enabled with a replay.
enum class DeliveryStatus { pending, retrying, succeeded, failed, paused };

// What a replay request did to one delivery.
enum class ReplayOutcome {
  // Scheduled now: a new round for a finished delivery, the next attempt now for a retrying one.
  replayed,
  already_due,  // pending: its first attempt is due already
  in_flight,    // a dispatcher is sending it at this moment
};
// "replayed", "already_due", "in_flight".
std::string_view to_string(ReplayOutcome outcome) noexcept;
std::string_view to_string(DeliveryStatus s) noexcept;
std::optional<DeliveryStatus> delivery_status_from(std::string_view s) noexcept;

struct Delivery {
  std::string id;
  std::string event_id;
  std::string webhook_id;
  std::string environment_id;
  std::string event_type;
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;      // in total, across replays
  int attempt_base = 0;  // attempts made before the current round (a replay starts a round)
  int replays = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t next_attempt_at = 0;
  int64_t failed_at = 0;
  // The retry-budget slot this delivery holds (retry_budget.h): when it equals next_attempt_at, the attempt
  // then was paid for already.
  int64_t budget_slot = 0;
  int budget_waits = 0;  // times in a row the retry budget turned it away without a slot
  // An ordered endpoint's delivery: the integrated account whose lane it is in (ordered_lanes.h), and whether
  // it was let go out of order because too many waited behind it.
  std::string lane;
  bool order_skipped = false;
  int last_status_code = 0;
  std::string last_error;
  std::string claim;
  int round_attempts() const noexcept { return attempts - attempt_base; }
};

struct Attempt {
  int number = 0;
  int64_t started_at = 0;
  int status_code = 0;  // 0: no response (timeout, connection error)
  int64_t latency_ms = 0;
  std::string error;     // empty on success
  std::string response;  // the first bytes of the response body
  bool replay = false;
};

json::Value to_json(const Delivery& d);
json::Value to_json(const Attempt& a);

struct DeliveryFilter {
  std::optional<DeliveryStatus> status;
  std::string event_type;
  int64_t since = 0;  // created_at >= since (ms); 0: no bound
  int64_t until = 0;  // created_at < until (ms); 0: no bound
};

struct RecordResult {
  bool lost_claim = false;        // another dispatcher owns it now: nothing was recorded
  bool disable_endpoint = false;  // the failure crossed the auto-disable threshold
  bool order_skipped = false;     // an ordered lane's first, let go out of order (ordered_lanes.h)
  bool existed = false;           // record_first: the delivery existed already; the attempt joined it
  DeliveryStatus status = DeliveryStatus::pending;
};

// Where a consumed event came from in Kafka.
struct KafkaPosition {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// A delivery taken from a shard's schedule.
struct ClaimedDelivery {
  int shard = 0;
  std::string id;
};

class DeliveryStore {
 public:
  DeliveryStore(store::Store& store, const DispatchOptions& options);

  static std::string delivery_id(std::string_view event_id, std::string_view webhook_id);
  static int shard_of(std::string_view environment_id) noexcept;

  // Creates the deliveries of `event` to `webhook_ids` (those that do not exist yet), due now; those to the
  // first `claimed_count` endpoints are leased to `claim` instead (the caller sends their first attempt at
  // once). Returns the ids created.
  awaitable<Result<std::vector<std::string>>> schedule(const Event& event, std::string_view event_json,
                                                       std::span<const std::string> webhook_ids,
                                                       std::string_view claim = {}, size_t claimed_count = 0);
  // Takes up to `limit` due deliveries from the shards' schedules, leasing them to `claim` until now + lease.
  // Reads every shard's due ids in one round trip, then claims with one script per shard that has some; each
  // call starts at another shard, so a busy shard does not keep the others waiting when `limit` is short.
  awaitable<Result<std::vector<ClaimedDelivery>>> claim_due(int64_t now, size_t limit,
                                                            std::string_view claim);
  awaitable<Result<Delivery>> get(int shard, std::string_view id);
  awaitable<Result<Delivery>> get(std::string_view environment_id, std::string_view id);
  awaitable<Result<std::string>> event_json(std::string_view environment_id, std::string_view event_id);
  awaitable<Result<std::vector<Attempt>>> attempts(std::string_view environment_id, std::string_view id);
  // The attempts of each of `ids` (in their order), read in one round trip.
  awaitable<Result<std::vector<std::vector<Attempt>>>> attempts_of(std::string_view environment_id,
                                                                   std::vector<std::string> ids);
  // Records one attempt. `next_due` 0 means no further attempt (success, or the round is exhausted).
  awaitable<Result<RecordResult>> record(const Delivery& d, std::string_view claim, const Attempt& attempt,
                                         bool delivered, int64_t next_due);
  // --- First attempts sent before their delivery was written (first_attempt_records.cpp) ---
  // Creates the delivery of `event` (consumed at `from`) to `webhook_id`, created at `created_at`, with its
  // first attempt, made already, and its outcome; raises the shard's mark of the partition to the offset. When
  // the delivery exists already (the event was consumed twice), the attempt joins it and the result says
  // `existed`. Durable like schedule (HOOKD_REDIS_WAIT_REPLICAS): it takes the event over from Kafka.
  awaitable<Result<RecordResult>> record_first(const Event& event, std::string_view event_json,
                                               std::string_view webhook_id, int64_t created_at,
                                               const Attempt& attempt, bool delivered, int64_t next_due,
                                               const KafkaPosition& from);
  // Raises the mark of the partition `from` names in `environment_id`'s shard to its offset: the event's
  // deliveries were created before their attempts (they exist: consumed again, nothing is sent first).
  awaitable<Status> raise_mark(std::string_view environment_id, const KafkaPosition& from);
  // The highest offset of `partition` of `topic` whose first attempts record_first recorded, by any
  // dispatcher in the retention; -1 when none.
  awaitable<Result<int64_t>> recorded_through(std::string_view topic, int32_t partition);

  // Dead-letters without an attempt (the endpoint was deleted or disabled).
  awaitable<Status> fail_without_attempt(const Delivery& d, std::string_view claim, std::string_view reason);
  // Sends a delivery again, now: a finished one (succeeded or failed) starts a new round of attempts; a
  // retrying one has its next attempt moved to now, in the same round. A pending delivery, or one whose
  // attempt is in flight, is left alone (it is going out anyway). Error not_found for an unknown id.
  awaitable<Result<ReplayOutcome>> replay(const Delivery& d, int64_t now);

  // Newest first. Index: deliveries of a webhook, of an environment or of an event (`owner`), all of
  // environment `environment_id`.
  enum class Index { webhook, environment, event };
  awaitable<Result<store::Page<Delivery>>> list(Index index, std::string_view environment_id,
                                                std::string_view owner, const DeliveryFilter& filter,
                                                std::string_view cursor, size_t limit);
  // Ids of an endpoint's dead-lettered deliveries, oldest first.
  awaitable<Result<std::vector<std::string>>> failed_ids(std::string_view environment_id,
                                                         std::string_view webhook_id);
  // Forgets an endpoint's run of failures (when it is enabled again, or the next failure would disable it at
  // once).
  awaitable<Status> reset_health(std::string_view environment_id, std::string_view webhook_id);

  // --- Disabled endpoints (paused_deliveries.cpp) ---
  struct PauseResult {
    std::vector<std::string> paused;     // delivery ids created paused
    std::vector<std::string> scheduled;  // created due now: the endpoint was enabled meanwhile
    std::vector<std::string> dropped;    // webhook ids whose delivery was not recorded (over the bound)
  };
  // Creates the deliveries of `event` to the disabled endpoints `webhook_ids` (those that do not exist yet) as
  // paused, at most options.paused_max_per_endpoint per endpoint.
  awaitable<Result<PauseResult>> pause(const Event& event, std::string_view event_json,
                                       std::span<const std::string> webhook_ids);
  struct PauseState {
    // ms, when the last disabled period began (kept after an enable); 0: unknown (disabled before hookd
    // recorded it)
    int64_t disabled_at = 0;
    int64_t enabled_at = 0;      // ms; set while enabled after having been disabled
    int64_t paused_dropped = 0;  // events not recorded over the bound since it was disabled
    int64_t paused = 0;          // paused deliveries now
  };
  // The endpoint calls below take the endpoint's environment and id.
  awaitable<Result<PauseState>> pause_state(std::string_view env, std::string_view webhook_id);
  // The endpoint was disabled at `now` (if it was disabled already, its disabled_at is kept): its events are
  // paused from now on.
  awaitable<Status> mark_disabled(std::string_view env, std::string_view webhook_id, int64_t now);
  // The endpoint was enabled: returns the state as it was, and forgets paused_dropped (keeps disabled_at).
  awaitable<Result<PauseState>> mark_enabled(std::string_view env, std::string_view webhook_id, int64_t now);
  // Moves the endpoint's paused deliveries to the schedule, due now. Returns how many.
  awaitable<Result<size_t>> resume_paused(std::string_view env, std::string_view webhook_id, int64_t now);
  // Ids of an endpoint's dead-lettered deliveries failed at or after `since` (ms), oldest first.
  awaitable<Result<std::vector<std::string>>> failed_ids_since(std::string_view env,
                                                               std::string_view webhook_id, int64_t since);

 private:
  // A script call's reply to one item, as Store::run maps it: a transport error is `unavailable`.
  static Result<store::RedisReply> item_result(error_code ec, store::RedisReply reply);
  // The reply of record_attempt or record_first_attempt: {status, disable(0/1)[, 'order_skipped']}, or
  // {'lost'} / {'exists'}.
  static RecordResult record_result(const store::RedisReply& reply);
  // Appends what both record scripts take about an attempt's outcome, in their order: now, delivered (1/0),
  // attempt_json, status_code, error, next_due, disable_failures, disable_after_ms.
  store::RedisCommand& outcome_args(store::RedisCommand& args, const Attempt& attempt, bool delivered,
                                    int64_t next_due) const;

  store::Store& store_;
  const DispatchOptions& options_;
  // Schedules and attempt records are written in batches (group commit): the hot path's Redis writes.
  ShardBatchers schedules_;
  ShardBatchers records_;
  ShardBatchers first_records_;
  // Where the next claim_due starts (only the dispatcher's scheduler claims: one caller at a time).
  int next_claim_shard_ = 0;
};

}  // namespace hookd::dispatch
