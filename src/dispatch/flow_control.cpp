// The dispatcher's flow control around each attempt (endpoint_flow.h, retry_budget.h): admit before sending,
// feed the outcome back after.
#include <random>

#include "core/clock.h"
#include "core/log.h"
#include "dispatch/dispatch_stats.h"
#include "dispatch/dispatcher.h"

namespace hookd::dispatch {

namespace {

// Up to `spread` ms later than `at`, so that the deliveries one verdict sent back do not all come due together.
int64_t jittered(int64_t at, int64_t spread) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  if (spread <= 0) return at;
  return at + static_cast<int64_t>(rng() % static_cast<uint64_t>(spread));
}

metrics::Counter& deferred_counter(Admission::Verdict v) {
  switch (v) {
    case Admission::Verdict::open:
      return dispatch_stats().deferred_open;
    case Admission::Verdict::probing:
      return dispatch_stats().deferred_probing;
    default:
      return dispatch_stats().deferred_busy;
  }
}

// Retries and replays are paced by the fleet's budget; a first attempt is not (only the node's flow limits it).
bool paced(const Delivery& d) {
  return d.attempts > 0;
}

awaitable<void> feed_budget(std::shared_ptr<Dispatcher> self, std::string env, std::string webhook_id,
                            bool success, int64_t now) {
  Status s = co_await self->retry_budget().feedback(env, webhook_id, success, now);
  if (!s.ok())
    log::debug("dispatch.retry_budget_feedback_failed",
               {{"webhook_id", webhook_id}, {"error", s.error().message}});
}

awaitable<void> report_breaker(std::shared_ptr<Dispatcher> self, std::string env, std::string webhook_id,
                               bool open, int64_t until, int64_t now) {
  Status s = co_await self->retry_budget().report_breaker(env, webhook_id, open, until, now);
  if (!s.ok())
    log::debug("dispatch.breaker_report_failed", {{"webhook_id", webhook_id}, {"error", s.error().message}});
}

}  // namespace

awaitable<bool> Dispatcher::admit(const Delivery& d, const std::string& claim) {
  int64_t now = clock::now_millis();
  if (!d.lane.empty()) {
    // Ordered: only the first of its lane goes; the others are parked until their turn (ordered_lanes.h).
    auto go = co_await lanes_.admit(d, claim);
    if (!go.ok()) {
      log::warn("dispatch.lane_unavailable", {{"delivery_id", d.id}, {"error", go.error().message}});
      co_return false;  // not sent: its lease runs out and it is claimed again
    }
    if (!*go) {
      dispatch_stats().deferred_ordering.inc();
      co_return false;
    }
  }
  // A delivery the budget let through already, deferred since by this check, keeps its paid slot.
  bool holds_slot = d.budget_slot != 0 && d.budget_slot == d.next_attempt_at;
  Admission a = flows_.admit(d.webhook_id, now);
  if (!a.admitted()) {
    deferred_counter(a.verdict).inc();
    // Spread over the wait itself: what an open breaker held back comes back over a cooldown, not at once.
    int64_t due = jittered(a.retry_at, std::max<int64_t>(a.retry_at - now, 50));
    auto deferred = co_await budget_.defer(d, claim, due, holds_slot ? due : 0, now, d.budget_waits);
    if (!deferred.ok())
      log::warn("dispatch.defer_failed", {{"delivery_id", d.id}, {"error", deferred.error().message}});
    co_return false;  // not deferred: the lease runs out and it is claimed again
  }
  if (!paced(d) || holds_slot) co_return true;
  auto slot = co_await budget_.take(d.environment_id, d.webhook_id, now);
  if (!slot.ok()) {
    // The budget is a brake, not a gate: without Redis the attempt's record fails anyway and it is retried.
    log::warn("dispatch.retry_budget_unavailable",
              {{"webhook_id", d.webhook_id}, {"error", slot.error().message}});
    co_return true;
  }
  if (slot->now) co_return true;
  flows_.abandoned(d.webhook_id);
  dispatch_stats().deferred_budget.inc();
  // A slot beyond the horizon is not reserved: the delivery asks again later, by when the rate may have grown
  // with the endpoint's successes. The first time within the horizon; each time it is turned away again, up to
  // twice as long (at most 64 horizons): the asks of a large backlog thin out instead of churning through
  // the schedule at a rate that grows with the backlog.
  int64_t wait = options_.retry_budget.horizon.count() << std::min(d.budget_waits, 6);
  int waits = slot->reserved ? 0 : d.budget_waits + 1;
  int64_t due = slot->reserved ? slot->at : jittered(now + wait / 4, wait - wait / 4);
  auto deferred = co_await budget_.defer(d, claim, due, slot->reserved ? due : 0, now, waits);
  if (!deferred.ok())
    log::warn("dispatch.defer_failed", {{"delivery_id", d.id}, {"error", deferred.error().message}});
  co_return false;
}

bool Dispatcher::admit_first(const std::string& webhook_id, int64_t now) {
  Admission a = flows_.admit(webhook_id, now);
  if (a.admitted()) return true;
  deferred_counter(a.verdict).inc();
  return false;
}

void Dispatcher::flow_finished(const Delivery& d, const SentAttempt& sent) {
  int64_t now = clock::now_millis();
  FlowOutcome outcome = sent.delivered   ? FlowOutcome::success
                        : sent.throttled ? FlowOutcome::throttled
                                         : FlowOutcome::failure;
  auto change =
      flows_.finished(d.webhook_id, outcome, std::chrono::milliseconds(sent.attempt.latency_ms), now);
  if (change != EndpointFlows::Change::none) {
    bool opened = change == EndpointFlows::Change::opened;
    (opened ? dispatch_stats().breaker_opened : dispatch_stats().breaker_closed).inc();
    dispatch_stats().open_breakers.set(static_cast<int64_t>(flows_.open_breakers(now)));
    EndpointFlowState s = flows_.state(d.webhook_id, now);
    if (opened)
      log::warn("dispatch.breaker_opened", {{"webhook_id", d.webhook_id},
                                            {"consecutive_failures", s.consecutive_failures},
                                            {"open_until", clock::iso8601(s.open_until)}});
    else
      log::info("dispatch.breaker_closed", {{"webhook_id", d.webhook_id}});
    asio::co_spawn(
        ex_, report_breaker(shared_from_this(), d.environment_id, d.webhook_id, opened, s.open_until, now),
        asio::detached);
  }
  if (!paced(d)) return;
  // Best effort and off the attempt's path: a lost feedback leaves the rate where it was.
  asio::co_spawn(ex_, feed_budget(shared_from_this(), d.environment_id, d.webhook_id, sent.delivered, now),
                 asio::detached);
}

}  // namespace hookd::dispatch
