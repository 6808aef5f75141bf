#include "admin/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace hookd::admin {

bool RateLimiter::allow(const std::string& key, std::chrono::steady_clock::time_point now,
                        std::chrono::milliseconds* retry_after) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100'000) buckets_.clear();  // bounded memory; a reset only forgives past bursts
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = std::max(b.at, now);
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after)
    *retry_after = std::chrono::milliseconds(static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_ * 1000)));
  return false;
}

}  // namespace hookd::admin
