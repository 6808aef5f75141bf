// Ordered delivery, opt-in per endpoint (`ordering: "per_account"`): at most one delivery in flight per
// (endpoint, integrated account), in Kafka order, later ones waiting behind one that is failing.
//
// Each (endpoint, account) has a lane in Redis: a sorted set of its unfinished deliveries scored by their
// event's Kafka offset (one account's events share a partition, so offsets are the order they were published
// in). A delivery takes its place in its lane before it is created, in consumption order; before each attempt, admit() lets it go only when it is
// first in its lane. One that is not first is parked: taken out of the schedule (its claim given up), so
// nothing claims it again and again while it waits. When the first is done (succeeded or dead-lettered) it
// leaves the lane in the same script that records it (delivery_scripts.h), and the next, if parked, comes
// due at once.
//
// The bound: when the first fails an attempt while more than `ordering_max_waiting` deliveries wait behind it,
// it is let go out of order (in the script that records that attempt: it leaves the lane, keeps its own
// retries, and is marked `order_skipped`), and the next takes its place.
// Deliveries of events without an account, replays of finished deliveries, and paused deliveries resumed
// when their endpoint is enabled are not ordered.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/asio.h"
#include "core/result.h"
#include "dispatch/delivery_store.h"
#include "store/store.h"

namespace hookd::dispatch {

class OrderedLanes {
 public:
  OrderedLanes(store::Store& store, const DispatchOptions& options);

  // Puts a delivery in its lane at `position` (its event's Kafka offset), before the delivery is created:
  // the dispatcher reserves in consumption order (partition_turns.h), so that a later event of the account can
  // never be first in the lane while an earlier one is still being fanned out. Idempotent; a finished or
  // paused delivery is not put in.
  // (All of environment `env`, whose delivery shard holds the lane.)
  awaitable<Status> reserve(std::string_view env, std::string_view delivery_id, std::string_view webhook_id,
                            std::string_view account_id, int64_t position);
  // Once created: names the lane on the delivery (for the attempts that read it back) and, with `release`,
  // hands a delivery leased to `claim` to the schedule, due now.
  awaitable<Status> settle(std::string_view env, std::string_view delivery_id, std::string_view account_id,
                           std::string_view claim, bool release, int64_t now);

  // Whether `d`, claimed by `claim`, may be sent now (first in its lane, or in none); when not, it is parked
  // (out of the schedule).
  awaitable<Result<bool>> admit(const Delivery& d, std::string_view claim);

 private:
  store::Store& store_;
  const DispatchOptions& options_;
};

}  // namespace hookd::dispatch
