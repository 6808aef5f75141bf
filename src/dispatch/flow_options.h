// The settings of per-endpoint flow control (endpoint_flow.h) and of the fleet-wide retry budget
// (retry_budget.h), apart so that DispatchOptions can hold them without including either.
#pragma once

#include <chrono>
#include <cstddef>

namespace hookd::dispatch {

// Per node and endpoint: the adaptive concurrency limit and the circuit breaker (endpoint_flow.h).
struct EndpointFlowOptions {
  size_t initial_limit = 16;
  size_t max_limit = 256;
  std::chrono::milliseconds latency_target{5'000};
  double decrease = 0.5;
  std::chrono::milliseconds decrease_interval{1'000};
  int breaker_failures = 20;
  std::chrono::milliseconds breaker_cooldown{5'000};
  std::chrono::milliseconds breaker_cooldown_max{300'000};
  // How long a denied attempt waits when only the concurrency limit stood in the way (jittered by the caller).
  std::chrono::milliseconds busy_retry{250};
};

// Per endpoint, across the fleet: the pacing of retries and replays (retry_budget.h).
struct RetryBudgetOptions {
  double initial_rate = 10;  // retries per second of an endpoint with no history
  double min_rate = 1;
  double max_rate = 10'000;
  double increase = 0.5;  // added to the rate per successful retry
  double decrease = 0.5;  // the rate is multiplied by this on a failure
  std::chrono::milliseconds decrease_interval{1'000};
  std::chrono::milliseconds horizon{2'000};
  std::chrono::milliseconds idle{10 * 60'000};
};

}  // namespace hookd::dispatch
