// Per-endpoint flow control on one dispatcher node, so that a slow or failing endpoint takes only what it shows
// it can handle and never the slots of the healthy ones.
//
//   concurrency  how many attempts to the endpoint may be in flight at once: adaptive, AIMD. It starts at
//                `initial_limit` and grows by one per success (slow start) up to `max_limit`; a failure, a
//                429, a timeout or a success slower than `latency_target` cuts it by `decrease` (at most once
//                per `decrease_interval`, so one burst of failures is one cut), after which it grows by one
//                per `limit` successes (congestion avoidance).
//   breaker      closed -> open after `breaker_failures` consecutive failures: nothing is sent for
//                `breaker_cooldown` (doubling while it keeps failing, up to `breaker_cooldown_max`) -> half
//                open: one probe -> its success closes the breaker with a concurrency of 1 (slow start
//                again), its failure opens it again.
//
// An attempt the flow does not admit is not made: the dispatcher puts its delivery back in the schedule for
// the moment the flow names (Admission::retry_at), without counting an attempt. The state is per node and
// in memory (a restarted node starts afresh); what must hold across the fleet is the retry budget
// (retry_budget.h).
#pragma once

#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dispatch/flow_options.h"

namespace hookd::dispatch {

enum class BreakerState { closed, open, half_open };
std::string_view to_string(BreakerState s) noexcept;

enum class FlowOutcome {
  success,
  failure,    // an error answer or a connection error
  throttled,  // 429, or no answer in time
};

struct Admission {
  enum class Verdict { admitted, busy, open, probing };
  Verdict verdict = Verdict::admitted;
  int64_t retry_at = 0;  // when not admitted: the earliest moment worth trying again (unix ms)
  bool admitted() const noexcept { return verdict == Verdict::admitted; }
};
std::string_view to_string(Admission::Verdict v) noexcept;

// What an operator sees of one endpoint on this node.
struct EndpointFlowState {
  BreakerState breaker = BreakerState::closed;
  double limit = 0;
  size_t in_flight = 0;
  int consecutive_failures = 0;
  int64_t open_until = 0;  // while open
  uint64_t admitted = 0, denied = 0;
};

class EndpointFlows {
 public:
  explicit EndpointFlows(EndpointFlowOptions options);

  // Asks to send one attempt to `webhook_id` now. An admitted attempt must end in finished() or abandoned().
  Admission admit(std::string_view webhook_id, int64_t now);
  // What an attempt's end did to the breaker.
  enum class Change { none, opened, closed };
  Change finished(std::string_view webhook_id, FlowOutcome outcome, std::chrono::milliseconds latency,
                  int64_t now);
  // Admitted but not sent (the fleet's retry budget said later, the record vanished).
  void abandoned(std::string_view webhook_id);

  EndpointFlowState state(std::string_view webhook_id, int64_t now) const;
  // Endpoints whose breaker is not closed (for the gauge).
  size_t open_breakers(int64_t now) const;
  const EndpointFlowOptions& options() const noexcept { return options_; }

 private:
  struct Flow {
    double limit;
    double slow_start_until;  // grows by one per success below it, by 1/limit above
    size_t in_flight = 0;
    BreakerState breaker = BreakerState::closed;
    int consecutive_failures = 0;
    int64_t open_until = 0;
    std::chrono::milliseconds cooldown{0};
    bool probe_in_flight = false;
    int64_t last_decrease = INT64_MIN / 2;  // never
    int64_t last_used = 0;
    uint64_t admitted = 0, denied = 0;
  };
  Flow& flow(std::string_view webhook_id, int64_t now);
  void decrease(Flow& f, int64_t now);
  void open(Flow& f, int64_t now);
  // Forgets idle endpoints with nothing to remember (closed, full limit) once the table is large.
  void prune(int64_t now);

  const EndpointFlowOptions options_;
  mutable std::mutex mu_;
  // Looked up by string_view without building a string: two lookups per attempt on the hot path.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Flow, Hash, std::equal_to<>> flows_;
};

}  // namespace hookd::dispatch
