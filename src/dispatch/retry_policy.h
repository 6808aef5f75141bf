// When to try a failed delivery again, from how it failed.
//
//   an error (5xx, a refused connection, a broken response): the retry schedule (HOOKD_RETRY_SCHEDULE)
//   throttled (429 Too Many Requests, or no answer within the delivery timeout): the schedule's delay times
//     throttled_factor (default 3): an endpoint that is overloaded gets more room than one that is broken
//   a Retry-After in a 429 or 503 answer (seconds or an HTTP date): the next attempt waits at least that long,
//     capped at retry_after_max (default 1 h)
//   gone (410): no retry; the endpoint is disabled at once (disable_on_gone, default on)
//
// Every delay is jittered by ±jitter so that the deliveries of one outage do not come back together.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "dispatch/options.h"

namespace hookd::dispatch {

enum class FailureKind { error, throttled, gone };

struct Failure {
  FailureKind kind = FailureKind::error;
  std::optional<std::chrono::milliseconds> retry_after;  // what the endpoint asked for, uncapped
};

// How an attempt failed: `status` 0 when there was no response (`timed_out` when for want of one in time).
Failure classify_failure(unsigned status, bool timed_out, std::optional<std::string_view> retry_after,
                         int64_t now_ms);
// A Retry-After value: delay-seconds or an HTTP date (IMF-fixdate, RFC 850 or asctime), as a delay from
// `now_ms` (0 for a date in the past); nothing when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, int64_t now_ms);

class RetryPolicy {
 public:
  explicit RetryPolicy(const DispatchOptions& options) : options_(options) {}
  // After `failed_attempts` failures in this round (>= 1), the last of them `failure`: the delay before the next
  // attempt, or nothing when there is none (the round is exhausted, or the endpoint is gone). `unit` in [0,1)
  // picks the jitter (random in production, fixed in tests).
  std::optional<std::chrono::milliseconds> next_delay(int failed_attempts, const Failure& failure,
                                                      double unit) const;
  std::optional<std::chrono::milliseconds> next_delay(int failed_attempts, const Failure& failure = {}) const;

 private:
  const DispatchOptions& options_;
};

}  // namespace hookd::dispatch
