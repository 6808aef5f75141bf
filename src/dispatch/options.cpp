#include "dispatch/options.h"

namespace hookd::dispatch {

namespace {

Error bad(const char* field, std::string problem) {
  return make_error(DispatchErrc::invalid_config, std::move(problem), field);
}

}  // namespace

Status DispatchOptions::validate() const {
  if (retry_schedule.empty()) return bad("retry_schedule", "needs at least one duration");
  for (auto d : retry_schedule)
    if (d.count() < 0) return bad("retry_schedule", "durations cannot be negative");
  if (max_attempts < 1 || max_attempts > 1000) return bad("max_attempts", "must be from 1 to 1000");
  if (!(jitter >= 0 && jitter <= 1)) return bad("jitter", "must be a number from 0 to 1");
  if (!(throttled_factor >= 1 && throttled_factor <= 100))
    return bad("throttled_factor", "must be a number from 1 to 100");
  if (retry_after_max.count() < 0) return bad("retry_after_max", "cannot be negative");
  if (poll_interval.count() <= 0) return bad("poll_interval", "must be positive");
  if (max_concurrent_attempts < 1) return bad("max_concurrent_attempts", "must be at least 1");
  if (!(retry_share >= 0 && retry_share < 1)) return bad("retry_share", "must be a number from 0 to below 1");
  if (disable_after_failures < 1) return bad("disable_after_failures", "must be at least 1");
  if (paused_max_per_endpoint < 1 || paused_max_per_endpoint > 10'000'000)
    return bad("paused_max_per_endpoint", "must be from 1 to 10000000");
  if (event_retention < std::chrono::seconds(60)) return bad("event_retention", "must be at least 60s");
  if (flow.initial_limit < 1 || flow.initial_limit > flow.max_limit)
    return bad("flow.initial_limit", "must be from 1 to the endpoint concurrency maximum");
  if (flow.latency_target.count() <= 0) return bad("flow.latency_target", "must be positive");
  if (flow.breaker_failures < 1) return bad("flow.breaker_failures", "must be at least 1");
  if (flow.breaker_cooldown.count() <= 0) return bad("flow.breaker_cooldown", "must be positive");
  if (flow.breaker_cooldown_max < flow.breaker_cooldown)
    return bad("flow.breaker_cooldown_max", "must be at least the breaker's cooldown");
  const RetryBudgetOptions& b = retry_budget;
  if (!(b.min_rate > 0 && b.min_rate <= b.initial_rate && b.initial_rate <= b.max_rate))
    return bad("retry_budget.initial_rate", "needs 0 < minimum <= initial <= maximum retries per second");
  if (!(b.increase >= 0)) return bad("retry_budget.increase", "cannot be negative");
  if (lease < std::chrono::seconds(1))
    return bad("lease",
               "must be at least 1s (it is renewed every third of it while an attempt is in flight)");
  return {};
}

}  // namespace hookd::dispatch
