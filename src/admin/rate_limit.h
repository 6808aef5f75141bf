// Per-token request rate limit for the admin API (a token bucket per API token, on this node). A client over
// its rate gets 429 with Retry-After instead of starving the node's other tenants. Vendor webhooks are never
// limited here: refusing a vendor loses nothing only if it retries, and many do not.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hookd::admin {

class RateLimiter {
 public:
  // `per_second` requests per second with bursts up to `burst`; 0 disables the limit.
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // True if `key` may make a request now; otherwise how long until it may (rounded up to whole seconds by
  // callers).
  bool allow(const std::string& key, std::chrono::milliseconds* retry_after = nullptr) {
    return allow(key, std::chrono::steady_clock::now(), retry_after);
  }
  // The same at a given instant (tests pass their own clock, so that no pause of the machine changes the
  // answer).
  bool allow(const std::string& key, std::chrono::steady_clock::time_point now,
             std::chrono::milliseconds* retry_after = nullptr);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace hookd::admin
