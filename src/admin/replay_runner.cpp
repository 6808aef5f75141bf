#include "admin/replay_runner.h"

#include <unistd.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"

namespace hookd::admin {

using dispatch::Delivery;
using dispatch::DeliveryStore;
using store::StoreErrc;

namespace {

struct ReplayStats {
  metrics::Counter& item(std::string_view result) {
    return metrics::registry().counter("hookd_replay_items_total",
                                       "Replay job items by result (replayed, created, skipped).",
                                       "result=\"" + std::string(result) + "\"");
  }
  metrics::Counter& finished(JobState s) {
    return metrics::registry().counter("hookd_replay_jobs_total", "Replay jobs finished, by final state.",
                                       "state=\"" + std::string(to_string(s)) + "\"");
  }
  metrics::Gauge& running =
      metrics::registry().gauge("hookd_replay_jobs_running", "Replay jobs running on this node.");
  metrics::Counter& scanned = metrics::registry().counter("hookd_replay_kafka_records_scanned_total",
                                                          "Kafka records read by replay jobs.");
  metrics::Counter& lost =
      metrics::registry().counter("hookd_replay_jobs_lost_total",
                                  "Replay jobs this node marked failed because their node stopped renewing.");
};

ReplayStats& stats() {
  static ReplayStats s;
  return s;
}

std::string node_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + ids::uuid_v4().substr(0, 8);
}

dispatch::DeliveryFilter delivery_filter(const ReplaySpec& spec) {
  dispatch::DeliveryFilter f;
  if (!spec.filters.status.empty()) f.status = dispatch::delivery_status_from(spec.filters.status);
  f.event_type = spec.filters.event_type;
  f.since = spec.filters.since;
  f.until = spec.filters.until;
  return f;
}

}  // namespace

void ReplayRunner::stats_scanned(int64_t records) {
  if (records > 0) stats().scanned.inc(static_cast<uint64_t>(records));
}

ReplayRunner::ReplayRunner(asio::any_io_executor ex, store::Store& store, DeliveryStore& deliveries,
                           std::shared_ptr<dispatch::Dispatcher> dispatcher, ReplayOptions options)
    : ex_(ex),
      store_(store),
      deliveries_(deliveries),
      dispatcher_(std::move(dispatcher)),
      options_(std::move(options)),
      jobs_(store, options_.retention),
      node_(node_name()),
      sweep_timer_(ex) {}

ReplayRunner::~ReplayRunner() {
  blocking_.join();
}

void ReplayRunner::start() {
  asio::co_spawn(
      ex_, [self = shared_from_this()] { return self->sweep(); }, asio::detached);
}

void ReplayRunner::stop() {
  stopped_ = true;
  asio::post(sweep_timer_.get_executor(), [self = shared_from_this()] { self->sweep_timer_.cancel(); });
}

awaitable<void> ReplayRunner::sweep() {
  auto period = std::max(options_.lease / 3, std::chrono::milliseconds(500));
  while (!stopped_) {
    auto failed = co_await jobs_.fail_expired(clock::now_millis());
    if (failed.ok() && *failed) {
      stats().lost.inc(*failed);
      log::warn("replay.jobs_lost", {{"count", json::Value(*failed)}});
    }
    sweep_timer_.expires_after(period);
    error_code ec;
    co_await sweep_timer_.async_wait(redirect(ec));
  }
}

awaitable<Result<ReplayJob>> ReplayRunner::submit(std::string environment_id, ReplaySpec spec) {
  auto r = std::make_shared<Running>();
  ReplayJob& j = r->job;
  j.id = ids::uuid_v7();
  j.environment_id = std::move(environment_id);
  j.spec = std::move(spec);
  j.owner = node_;
  j.created_at = j.updated_at = clock::now_millis();
  j.lease_until = j.created_at + options_.lease.count();
  if (Status s = co_await jobs_.create(j); !s.ok()) co_return s.error();
  {
    std::lock_guard lock(mu_);
    running_[j.id] = r;
  }
  stats().running.add(1);
  log::info("replay.job_created", {{"job_id", j.id},
                                   {"environment_id", j.environment_id},
                                   {"scope", j.spec.scope},
                                   {"source", j.spec.source},
                                   {"rate_per_second", j.spec.rate_per_second}});
  ReplayJob copy = j;
  asio::co_spawn(
      ex_, [self = shared_from_this(), r] { return self->run(r); }, asio::detached);
  co_return copy;
}

void ReplayRunner::cancel_local(const std::string& id) {
  std::lock_guard lock(mu_);
  if (auto it = running_.find(id); it != running_.end()) it->second->cancel = true;
}

awaitable<Result<ReplayJob>> ReplayRunner::wait(std::string env, std::string id,
                                                std::chrono::milliseconds wait) {
  RunningPtr r;
  {
    std::lock_guard lock(mu_);
    if (auto it = running_.find(id); it != running_.end()) r = it->second;
  }
  auto deadline = std::chrono::steady_clock::now() + wait;
  asio::steady_timer timer(ex_);
  while (r && !r->done && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    error_code ec;
    co_await timer.async_wait(redirect(ec));
  }
  co_return co_await jobs_.get(env, id);
}

awaitable<void> ReplayRunner::run(RunningPtr r) {
  ReplayJob& j = r->job;
  j.state = JobState::running;
  j.started_at = clock::now_millis();
  r->next_token = std::chrono::steady_clock::now();
  Status result;
  if (co_await checkpoint(*r, true)) {
    if (j.spec.source == "kafka")
      result = co_await run_kafka(*r);
    else
      result = co_await run_redis(*r);
  }
  if (!result.ok())
    finish(*r, JobState::failed, result.error().message);
  else
    finish(*r,
           r->cancel               ? JobState::cancelled
           : (r->lost || stopped_) ? JobState::failed
                                   : JobState::succeeded,
           stopped_ && !r->cancel ? "the admin node stopped" : "");
  if (!r->lost) (void)co_await checkpoint(*r, true);
  stats().finished(j.state).inc();
  stats().running.add(-1);
  log::info("replay.job_finished", {{"job_id", j.id},
                                    {"state", std::string(to_string(j.state))},
                                    {"selected", json::Value(j.selected)},
                                    {"replayed", json::Value(j.replayed)},
                                    {"error", j.error}});
  r->done = true;
  std::lock_guard lock(mu_);
  running_.erase(j.id);
}

void ReplayRunner::finish(Running& r, JobState state, std::string error) {
  r.job.state = state;
  r.job.error = std::move(error);
  r.job.finished_at = clock::now_millis();
}

awaitable<bool> ReplayRunner::checkpoint(Running& r, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - r.last_write < options_.progress_interval) co_return !r.cancel && !stopped_;
  r.last_write = now;
  r.job.updated_at = clock::now_millis();
  if (!finished(r.job.state)) r.job.lease_until = r.job.updated_at + options_.lease.count();
  auto w = co_await jobs_.write(r.job);
  if (!w.ok()) {
    // Redis is down: keep going; the lease covers a few missed writes, and the next one retries.
    log::warn("replay.progress_not_written", {{"job_id", r.job.id}, {"error", w.error().message}});
  } else if (*w == WriteResult::lost) {
    r.lost = true;
    if (!finished(r.job.state)) log::warn("replay.job_lost", {{"job_id", r.job.id}});
  } else if (*w == WriteResult::cancel_requested) {
    r.cancel = true;
  }
  co_return !r.cancel && !r.lost && !stopped_;
}

awaitable<bool> ReplayRunner::take_token(Running& r) {
  if (!co_await checkpoint(r)) co_return false;
  auto now = std::chrono::steady_clock::now();
  if (r.next_token > now) {
    asio::steady_timer timer(ex_, r.next_token);
    error_code ec;
    co_await timer.async_wait(redirect(ec));
  }
  // A burst of one: after a pause the bucket holds a single token, never a backlog.
  r.next_token = std::max(r.next_token, std::chrono::steady_clock::now()) +
                 std::chrono::microseconds(static_cast<int64_t>(1e6 / r.job.spec.rate_per_second));
  co_return !r.cancel && !stopped_;
}

awaitable<Result<std::vector<Delivery>>> ReplayRunner::select(const std::string& env,
                                                              const ReplaySpec& spec) {
  std::vector<Delivery> selected;
  // Pending deliveries are due now already: replaying them would change nothing, so they are not selected.
  auto keep = [&](const Delivery& d) {
    return d.environment_id == env && d.status != dispatch::DeliveryStatus::pending;
  };
  if (spec.scope == "delivery") {
    auto d = co_await deliveries_.get(env, spec.delivery_id);
    if (!d.ok() && d.error().code != StoreErrc::not_found) co_return d.error();
    if (d.ok() && keep(*d)) selected.push_back(std::move(d).value());
    co_return selected;
  }
  auto index = spec.scope == "webhook" ? DeliveryStore::Index::webhook : DeliveryStore::Index::environment;
  std::string owner = spec.scope == "webhook" ? spec.webhook_id : env;
  dispatch::DeliveryFilter f = delivery_filter(spec);
  std::string cursor;
  do {
    auto page = co_await deliveries_.list(index, env, owner, f, cursor, 200);
    if (!page.ok()) co_return page.error();
    for (auto& d : page->items) {
      if (!keep(d)) continue;
      if (!spec.filters.integrated_account_id.empty()) {
        // Deliveries do not carry the account: their event does.
        auto text = co_await deliveries_.event_json(env, d.event_id);
        if (!text.ok()) continue;
        auto rec = read_event_record(*text);
        if (!rec.ok() || rec->header.integrated_account_id != spec.filters.integrated_account_id) continue;
      }
      selected.push_back(std::move(d));
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  co_return selected;
}

awaitable<Result<int64_t>> ReplayRunner::count(std::string env, ReplaySpec spec) {
  if (spec.source != "kafka") {
    auto selected = co_await select(env, spec);
    if (!selected.ok()) co_return selected.error();
    co_return static_cast<int64_t>(selected->size());
  }
  int64_t n = 0;
  PairHandler count_pair = [&n](const Event&, const std::string&, const store::Webhook&) -> awaitable<bool> {
    ++n;
    co_return true;
  };
  if (Status s = co_await scan_kafka(env, spec, count_pair, nullptr); !s.ok()) co_return s.error();
  co_return n;
}

awaitable<Status> ReplayRunner::run_redis(Running& r) {
  ReplayJob& j = r.job;
  auto selected = co_await select(j.environment_id, j.spec);
  if (!selected.ok()) co_return selected.error();
  j.selected = static_cast<int64_t>(selected->size());
  if (!co_await checkpoint(r, true)) co_return Status{};
  for (const Delivery& d : *selected) {
    if (!co_await take_token(r)) break;
    // Past the retention the event itself is gone: nothing could be sent (a Kafka replay can bring it back).
    auto stored = co_await deliveries_.event_json(d.environment_id, d.event_id);
    if (!stored.ok() && stored.error().code != StoreErrc::not_found) co_return stored.error();
    std::string reason;
    if (!stored.ok()) {
      reason = "event_expired";
    } else {
      auto outcome = co_await deliveries_.replay(d, clock::now_millis());
      if (!outcome.ok() && outcome.error().code != StoreErrc::not_found) co_return outcome.error();
      reason = !outcome.ok() ? "not_found" : std::string(dispatch::to_string(*outcome));
    }
    if (reason == "replayed") {
      ++j.replayed;
      stats().item("replayed").inc();
      if (dispatcher_) dispatcher_->wake();
    } else {
      ++j.skipped[reason];
      stats().item("skipped").inc();
    }
  }
  co_return Status{};
}

awaitable<Status> ReplayRunner::run_kafka(Running& r) {
  PairHandler each = [this, &r](const Event& e, const std::string& text,
                                const store::Webhook& w) -> awaitable<bool> {
    ++r.job.selected;
    if (!co_await take_token(r)) co_return false;
    Status s = co_await replay_from_log(r, e, text, w);
    if (!s.ok()) {
      ++r.job.skipped["redis_error"];
      log::warn("replay.item_failed",
                {{"job_id", r.job.id}, {"event_id", e.id}, {"error", s.error().message}});
    }
    co_return true;
  };
  co_return co_await scan_kafka(r.job.environment_id, r.job.spec, each, &r);
}

awaitable<Status> ReplayRunner::replay_from_log(Running& r, const Event& e, const std::string& event_json,
                                                const store::Webhook& w) {
  ReplayJob& j = r.job;
  std::string id = DeliveryStore::delivery_id(e.id, w.id);
  auto d = co_await deliveries_.get(e.environment_id, id);
  if (!d.ok() && d.error().code != StoreErrc::not_found) co_return d.error();
  std::vector<std::string> one{w.id};
  // Creates the delivery when it is missing; when it exists, only stores the event copy again if it expired.
  auto created = co_await deliveries_.schedule(e, event_json, one);
  if (!created.ok()) co_return created.error();
  if (!created->empty()) {
    ++j.replayed;
    ++j.created;
    stats().item("created").inc();
    if (dispatcher_) dispatcher_->wake();
    co_return Status{};
  }
  if (!d.ok()) co_return Status{};  // created by someone else meanwhile: it is going out
  if (!j.spec.filters.status.empty() && dispatch::to_string(d->status) != j.spec.filters.status) {
    ++j.skipped["status_mismatch"];
    stats().item("skipped").inc();
    co_return Status{};
  }
  auto outcome = co_await deliveries_.replay(*d, clock::now_millis());
  if (!outcome.ok()) co_return outcome.error();
  if (*outcome == dispatch::ReplayOutcome::replayed) {
    ++j.replayed;
    stats().item("replayed").inc();
    if (dispatcher_) dispatcher_->wake();
  } else {
    ++j.skipped[std::string(dispatch::to_string(*outcome))];
    stats().item("skipped").inc();
  }
  co_return Status{};
}

}  // namespace hookd::admin
