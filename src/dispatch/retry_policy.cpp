#include "dispatch/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace hookd::dispatch {

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int failed_attempts, double unit) const {
  if (failed_attempts >= options_.max_attempts || options_.retry_schedule.empty()) return std::nullopt;
  size_t i =
      std::min(static_cast<size_t>(std::max(failed_attempts, 1) - 1), options_.retry_schedule.size() - 1);
  double base = static_cast<double>(options_.retry_schedule[i].count());
  // Jitter spreads the retries of many deliveries that failed together (an endpoint outage) over time.
  double factor = 1.0 + options_.jitter * (2.0 * unit - 1.0);
  return std::chrono::milliseconds(std::max<int64_t>(0, std::llround(base * factor)));
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int failed_attempts) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return next_delay(failed_attempts, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

}  // namespace hookd::dispatch
