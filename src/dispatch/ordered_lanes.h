// Ordered delivery, opt-in per endpoint (`ordering: "per_account"`): at most one delivery in flight per
// (endpoint, integrated account), in Kafka order, later ones waiting behind one that is failing.
//
// Each (endpoint, account) has a lane in Redis: a sorted set of its unfinished deliveries scored by their
// event's Kafka offset (one account's events share a partition, so offsets are the order they were published
// in). A delivery joins its lane when it is created; before each attempt, admit() lets it go only when it is
// first in its lane. One that is not first is parked: taken out of the schedule (its claim given up), so
// nothing claims it again and again while it waits. When the first is done (succeeded or dead-lettered) it
// leaves the lane in the same script that records it (delivery_scripts.h), and the next, if parked, comes
// due at once.
//
// The bound: when more than `max_waiting` deliveries wait behind the first, the first is let go out of order
// (it leaves the lane, keeps its own retries, and is marked `order_skipped`), and the next takes its place.
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

  // Puts a delivery in its lane at `position` (its event's Kafka offset) and names the lane on the delivery.
  // Idempotent; a finished or paused delivery is not put in.
  awaitable<Status> join(std::string_view delivery_id, std::string_view webhook_id,
                         std::string_view account_id, int64_t position);

  struct Turn {
    bool go = false;                   // first in its lane (or in none): send it
    std::vector<std::string> skipped;  // firsts let go out of order to make room (already marked)
  };
  // Whether `d`, claimed by `claim`, may be sent now; when not, it is parked (out of the schedule).
  awaitable<Result<Turn>> admit(const Delivery& d, std::string_view claim, int64_t now);

 private:
  store::Store& store_;
  const DispatchOptions& options_;
};

}  // namespace hookd::dispatch
