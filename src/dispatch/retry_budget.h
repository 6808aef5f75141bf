// The fleet-wide retry budget of each endpoint, in Redis, so that every dispatcher together sends an endpoint's
// retries (and replays) at a rate the endpoint has shown it can take: after an outage its backlog drains as
// fast as it keeps succeeding, not in one burst when it comes back.
//
// The budget is a rate (retries per second) with a pacing clock (GCRA: the "theoretical arrival time" of the
// next retry). A retry asks for a slot: now when the clock allows, else the next free moment, reserved for it;
// the delivery waits in the schedule until then, marked with its slot so it does not ask again (budget_slot).
// A moment beyond `horizon` is not reserved (the rate will have changed by then): the delivery asks again
// later. Outcomes of retries move the rate: each success adds `increase` (so a rate of r that keeps
// succeeding grows by r * increase every second), a failure cuts it by `decrease` (at most once per
// `decrease_interval`), within [min_rate, max_rate]. An endpoint whose retries go unused for `idle` forgets
// its budget and starts again from `initial_rate`.
//
// First attempts of new events are not paced here (the per-node flow control, endpoint_flow.h, limits them):
// the budget is for the traffic that failure creates.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/asio.h"
#include "core/result.h"
#include "dispatch/delivery_store.h"
#include "dispatch/shard_batchers.h"
#include "dispatch/flow_options.h"
#include "store/redis/batched_script.h"
#include "store/store.h"

namespace hookd::dispatch {

struct RetrySlot {
  // Go now; otherwise wait until `at` (reserved: the delivery holds that slot and goes then without asking).
  bool now = false;
  bool reserved = false;
  int64_t at = 0;
};

// What the admin API shows of an endpoint's flow across the fleet: its retry budget (rate 0: no budget state,
// the initial rate applies) and its circuit breaker as the last dispatcher whose breaker changed reported it.
struct EndpointFlowRecord {
  double rate = 0;
  int64_t next_slot = 0;  // the pacing clock; in the past when retries may go at once
  std::string breaker;    // "open" or "closed"; empty when no dispatcher reported one
  int64_t breaker_until = 0;
  int64_t breaker_at = 0;
};
// (Of endpoint `webhook_id` in environment `env`, whose delivery shard holds the record.)
awaitable<Result<EndpointFlowRecord>> read_endpoint_flow(store::Store& store, std::string_view env,
                                                         std::string_view webhook_id);

class RetryBudget {
 public:
  RetryBudget(store::Store& store, RetryBudgetOptions options);

  // Each of endpoint `webhook_id` in environment `env` (its delivery shard holds the budget).
  awaitable<Result<RetrySlot>> take(std::string_view env, std::string_view webhook_id, int64_t now);
  awaitable<Status> feedback(std::string_view env, std::string_view webhook_id, bool success, int64_t now);
  // A breaker's change on this node, for the record read_endpoint_flow shows (best effort).
  awaitable<Status> report_breaker(std::string_view env, std::string_view webhook_id, bool open,
                                   int64_t until, int64_t now);

  // Puts a claimed delivery back in the schedule at `due` without an attempt (the flow control said not
  // now). `budget_slot`, when non-zero, is the retry slot it holds; `budget_waits` how many times in a row the
  // budget turned it away (its next ask waits longer). False when the claim is not ours any more.
  awaitable<Result<bool>> defer(const Delivery& d, std::string_view claim, int64_t due, int64_t budget_slot,
                                int64_t now, int budget_waits = 0);

  const RetryBudgetOptions& options() const noexcept { return options_; }

 private:
  store::Store& store_;
  RetryBudgetOptions options_;
  ShardBatchers takes_;
  ShardBatchers feedbacks_;
  ShardBatchers defers_;
};

}  // namespace hookd::dispatch
