// How the dispatcher retries, leases and gives up. Defaults suit production; tests shrink the times.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "core/result.h"
#include "dispatch/errc.h"
#include "dispatch/flow_options.h"

namespace hookd::dispatch {

struct DispatchOptions {
  // Wait before attempt 2, 3, ...; the last entry repeats until max_attempts. Each wait is jittered by
  // ±jitter.
  std::vector<std::chrono::milliseconds> retry_schedule = {
      std::chrono::seconds(5),  std::chrono::seconds(30), std::chrono::minutes(2), std::chrono::minutes(10),
      std::chrono::minutes(30), std::chrono::hours(1),    std::chrono::hours(2),   std::chrono::hours(4),
      std::chrono::hours(8),    std::chrono::hours(12)};
  int max_attempts = 11;  // per round; a replay starts a new round
  double jitter = 0.2;
  // 429 and timeouts wait this many times the schedule's delay (retry_policy.h).
  double throttled_factor = 3.0;
  // The longest a Retry-After from an endpoint may hold its next attempt back.
  std::chrono::milliseconds retry_after_max{std::chrono::hours(1)};
  // A 410 Gone disables the endpoint at once, and the delivery is not retried.
  bool disable_on_gone = true;
  // A claimed delivery is the claimer's for this long, renewed every third of it while its attempt is in
  // flight (lease_keeper.h): a dispatcher that dies gives its deliveries up to the others within one lease.
  std::chrono::milliseconds lease{10'000};
  std::chrono::milliseconds poll_interval{250};  // how often due retries are looked for
  size_t max_concurrent_attempts = 256;
  // The share of those attempt slots that new events may not take: kept for the scheduler (retries, replays),
  // so a backlog of new events never starves them.
  double retry_share = 0.25;
  size_t new_event_slots() const noexcept {
    size_t reserved = static_cast<size_t>(static_cast<double>(max_concurrent_attempts) * retry_share);
    return reserved < max_concurrent_attempts ? max_concurrent_attempts - reserved : 1;
  }
  // New deliveries are created (leased) before their first attempt is sent, instead of sent first and created
  // with the attempt's outcome in one Redis call (Dispatcher::deliver_first): the admin API then lists a
  // delivery while its first attempt is in flight, for one more Redis call per delivery.
  bool record_before_send = false;
  // An endpoint failing for at least this long AND this many consecutive attempts is disabled.
  std::chrono::milliseconds disable_after{std::chrono::hours(72)};
  int disable_after_failures = 50;
  std::chrono::seconds event_retention{std::chrono::hours(24 * 14)};  // events and deliveries kept for replay
  size_t response_snippet_bytes = 1024;
  // Per-endpoint flow control and the retry budget (flow_options.h).
  EndpointFlowOptions flow;
  RetryBudgetOptions retry_budget;
  // Deliveries kept paused per disabled endpoint; over it, new events for that endpoint are not recorded (and
  // counted: hookd_dispatch_paused_dropped_total, the endpoint's paused_dropped).
  size_t paused_max_per_endpoint = 10'000;
  // An ordered endpoint's deliveries that may wait behind a failing one of the same account before it is let
  // go out of order (ordered_lanes.h).
  size_t ordering_max_waiting = 1'000;

  // Refuses values the dispatcher cannot work with; the error's field names the member.
  Status validate() const;
};

}  // namespace hookd::dispatch
