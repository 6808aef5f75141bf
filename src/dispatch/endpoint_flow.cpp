#include "dispatch/endpoint_flow.h"

#include <algorithm>

namespace hookd::dispatch {

namespace {

constexpr size_t kPruneAbove = 4096;
constexpr int64_t kIdleMs = 10 * 60 * 1000;

}  // namespace

std::string_view to_string(BreakerState s) noexcept {
  switch (s) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "closed";
}

std::string_view to_string(Admission::Verdict v) noexcept {
  switch (v) {
    case Admission::Verdict::admitted:
      return "admitted";
    case Admission::Verdict::busy:
      return "busy";
    case Admission::Verdict::open:
      return "breaker_open";
    case Admission::Verdict::probing:
      return "probing";
  }
  return "admitted";
}

namespace {

EndpointFlowOptions bounded(EndpointFlowOptions o) {
  o.max_limit = std::max<size_t>(1, o.max_limit);
  o.initial_limit = std::clamp<size_t>(o.initial_limit, 1, o.max_limit);
  return o;
}

}  // namespace

EndpointFlows::EndpointFlows(EndpointFlowOptions options) : options_(bounded(std::move(options))) {}

EndpointFlows::Flow& EndpointFlows::flow(std::string_view webhook_id, int64_t now) {
  auto it = flows_.find(webhook_id);
  if (it == flows_.end()) {
    if (flows_.size() >= kPruneAbove) prune(now);
    Flow f;
    f.limit = static_cast<double>(options_.initial_limit);
    f.slow_start_until = static_cast<double>(options_.max_limit);
    it = flows_.emplace(std::string(webhook_id), f).first;
  }
  it->second.last_used = now;
  return it->second;
}

Admission EndpointFlows::admit(std::string_view webhook_id, int64_t now) {
  std::lock_guard lock(mu_);
  Flow& f = flow(webhook_id, now);
  Admission a;
  if (f.breaker == BreakerState::open) {
    if (now < f.open_until) {
      ++f.denied;
      return {Admission::Verdict::open, f.open_until};
    }
    f.breaker = BreakerState::half_open;
  }
  if (f.breaker == BreakerState::half_open) {
    // One probe at a time; the others wait for its answer (at most a cooldown).
    if (f.probe_in_flight) {
      ++f.denied;
      return {Admission::Verdict::probing, now + f.cooldown.count()};
    }
    f.probe_in_flight = true;
  } else if (static_cast<double>(f.in_flight) + 1 > f.limit) {
    ++f.denied;
    return {Admission::Verdict::busy, now + options_.busy_retry.count()};
  }
  ++f.in_flight;
  ++f.admitted;
  return a;
}

void EndpointFlows::decrease(Flow& f, int64_t now) {
  if (now - f.last_decrease < options_.decrease_interval.count()) return;
  f.last_decrease = now;
  f.limit = std::max(1.0, f.limit * options_.decrease);
  f.slow_start_until = f.limit;  // from here on, grow by one per round of `limit` successes
}

void EndpointFlows::open(Flow& f, int64_t now) {
  f.breaker = BreakerState::open;
  auto base = options_.breaker_cooldown;
  f.cooldown = f.cooldown.count() == 0 ? base : std::min(f.cooldown * 2, options_.breaker_cooldown_max);
  f.open_until = now + f.cooldown.count();
}

EndpointFlows::Change EndpointFlows::finished(std::string_view webhook_id, FlowOutcome outcome,
                                              std::chrono::milliseconds latency, int64_t now) {
  std::lock_guard lock(mu_);
  Flow& f = flow(webhook_id, now);
  if (f.in_flight) --f.in_flight;
  bool probe = f.breaker == BreakerState::half_open && f.probe_in_flight;
  if (probe) f.probe_in_flight = false;
  if (outcome == FlowOutcome::success) {
    f.consecutive_failures = 0;
    if (f.breaker != BreakerState::closed) {
      // The endpoint is back: closed again, from one attempt at a time, growing as it keeps succeeding.
      f.breaker = BreakerState::closed;
      f.cooldown = std::chrono::milliseconds(0);
      f.limit = 1;
      f.slow_start_until = static_cast<double>(options_.max_limit);
      return Change::closed;
    }
    if (latency > options_.latency_target) {
      decrease(f, now);
      return Change::none;
    }
    double max = static_cast<double>(options_.max_limit);
    f.limit = std::min(max, f.limit < f.slow_start_until ? f.limit + 1 : f.limit + 1 / f.limit);
    return Change::none;
  }
  ++f.consecutive_failures;
  decrease(f, now);
  if (probe || (f.breaker == BreakerState::closed && f.consecutive_failures >= options_.breaker_failures)) {
    open(f, now);
    return Change::opened;
  }
  return Change::none;
}

void EndpointFlows::abandoned(std::string_view webhook_id) {
  std::lock_guard lock(mu_);
  auto it = flows_.find(webhook_id);
  if (it == flows_.end()) return;
  Flow& f = it->second;
  if (f.in_flight) --f.in_flight;
  if (f.breaker == BreakerState::half_open) f.probe_in_flight = false;
}

EndpointFlowState EndpointFlows::state(std::string_view webhook_id, int64_t now) const {
  std::lock_guard lock(mu_);
  EndpointFlowState s;
  auto it = flows_.find(webhook_id);
  if (it == flows_.end()) {
    s.limit = static_cast<double>(options_.initial_limit);
    return s;
  }
  const Flow& f = it->second;
  s.breaker = f.breaker == BreakerState::open && now >= f.open_until ? BreakerState::half_open : f.breaker;
  s.limit = f.limit;
  s.in_flight = f.in_flight;
  s.consecutive_failures = f.consecutive_failures;
  s.open_until = f.breaker == BreakerState::open ? f.open_until : 0;
  s.admitted = f.admitted;
  s.denied = f.denied;
  return s;
}

size_t EndpointFlows::open_breakers(int64_t) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(
      flows_.begin(), flows_.end(), [](const auto& e) { return e.second.breaker != BreakerState::closed; }));
}

void EndpointFlows::prune(int64_t now) {
  for (auto it = flows_.begin(); it != flows_.end();) {
    const Flow& f = it->second;
    bool idle = f.in_flight == 0 && f.breaker == BreakerState::closed && now - f.last_used > kIdleMs;
    it = idle ? flows_.erase(it) : std::next(it);
  }
}

}  // namespace hookd::dispatch
