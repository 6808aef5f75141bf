// When to try a failed delivery again.
#pragma once

#include <cstdint>
#include <chrono>
#include <optional>
#include <random>

#include "dispatch/options.h"

namespace hookd::dispatch {

class RetryPolicy {
 public:
  explicit RetryPolicy(const DispatchOptions& options) : options_(options) {}
  // After `failed_attempts` failures in this round (>= 1): the delay before the next attempt, or nothing when
  // the round is exhausted (dead-letter). `unit` in [0,1) picks the jitter (random in production, fixed in
  // tests).
  std::optional<std::chrono::milliseconds> next_delay(int failed_attempts, double unit) const;
  std::optional<std::chrono::milliseconds> next_delay(int failed_attempts) const;

 private:
  const DispatchOptions& options_;
};

}  // namespace hookd::dispatch
