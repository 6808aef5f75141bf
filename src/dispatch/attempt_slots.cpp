#include "dispatch/attempt_slots.h"

#include <algorithm>

namespace hookd::dispatch {

AttemptSlots::AttemptSlots(size_t limit, size_t direct_limit)
    : limit_(std::max<size_t>(limit, 1)), direct_limit_(std::clamp<size_t>(direct_limit, 1, limit_)) {}

size_t AttemptSlots::try_take(size_t wanted, size_t bound) noexcept {
  size_t cur = in_flight_.load(std::memory_order_relaxed);
  for (;;) {
    size_t room = cur < bound ? bound - cur : 0;
    size_t n = std::min(wanted, room);
    if (n == 0) return 0;
    if (in_flight_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed)) return n;
  }
}

void AttemptSlots::wait(std::unique_ptr<Waiter> waiter) {
  std::lock_guard lock(mu_);
  if (closed_) return waiter->wake(false);
  // Under the lock, so that a slot given back meanwhile is either seen here or hands itself to this waiter.
  if (waiters_.empty() && try_take(1, direct_limit_) == 1) return waiter->wake(true);
  waiters_.push_back(std::move(waiter));
}

bool AttemptSlots::give_back(size_t n) noexcept {
  if (n == 0) return false;
  std::lock_guard lock(mu_);
  size_t before = in_flight_.fetch_sub(n, std::memory_order_relaxed);
  size_t now = before - n;
  while (!waiters_.empty() && now < direct_limit_) {
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    ++now;
    waiters_.front()->wake(true);
    waiters_.pop_front();
  }
  return before >= limit_ && in_flight() < limit_;
}

void AttemptSlots::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& w : waiters_)
    w->wake(false);
  waiters_.clear();
}

}  // namespace hookd::dispatch
