// ReplayRunner's reading of the log (source kafka): the blocking librdkafka calls run on the runner's own
// thread, the items on the I/O threads.
#include "admin/replay_runner.h"

#include "bus/log_reader.h"
#include "core/log.h"

namespace hookd::admin {

namespace {

// The endpoints that get `e` in a replay from the log (the dispatcher's rule, newer endpoints on request).
bool covers(const store::Webhook& w, const Event& e, const ReplaySpec& spec) {
  if (!spec.webhook_id.empty() && w.id != spec.webhook_id) return false;
  if (!e.target_webhook_id.empty()) return w.id == e.target_webhook_id;  // a test event: its one endpoint
  return w.is_active && w.wants(e.type) && (spec.include_new_endpoints || w.created_at <= e.created_at);
}

bool event_matches(const Event& e, const std::string& env, const ReplayFilters& f) {
  if (e.environment_id != env) return false;
  if (!f.event_type.empty() && e.type != f.event_type) return false;
  if (!f.integrated_account_id.empty() && e.integrated_account_id != f.integrated_account_id) return false;
  if (f.since && e.created_at < f.since) return false;
  return !(f.until && e.created_at >= f.until);
}

std::string partitions_json(const bus::LogReader& reader, int64_t& scanned) {
  json::ObjectBuilder b;
  scanned = 0;
  for (const auto& [p, pp] : reader.progress()) {
    json::ObjectBuilder one;
    one.set("start_offset", json::Value(pp.start)).set("end_offset", json::Value(pp.end));
    one.set("scanned", json::Value(pp.scanned)).set("done", pp.done);
    b.set(std::to_string(p), std::move(one).build());
    scanned += pp.scanned;
  }
  return json::dump(std::move(b).build());
}

}  // namespace

awaitable<Status> ReplayRunner::scan_kafka(const std::string& env, const ReplaySpec& spec,
                                           const PairHandler& on_pair, Running* job) {
  auto endpoints = co_await store_.list_webhooks(env);
  if (!endpoints.ok()) co_return endpoints.error();
  std::unique_ptr<bus::LogReader> reader;
  Status opened;
  auto open = [&]() -> awaitable<void> {
    auto r =
        bus::LogReader::open(options_.kafka, spec.filters.since, spec.filters.until, options_.kafka_timeout);
    if (r.ok())
      reader = std::move(r).value();
    else
      opened = r.error();
    co_return;
  };
  co_await asio::co_spawn(blocking_, open(), asio::use_awaitable);
  if (!opened.ok()) co_return opened;

  Status result = co_await read_log(*reader, env, spec, *endpoints, on_pair, job);
  // Closing the reader may wait on the broker too: not on an I/O thread.
  auto close = [&]() -> awaitable<void> {
    reader.reset();
    co_return;
  };
  co_await asio::co_spawn(blocking_, close(), asio::use_awaitable);
  co_return result;
}

awaitable<Status> ReplayRunner::read_log(bus::LogReader& reader, const std::string& env,
                                         const ReplaySpec& spec, const std::vector<store::Webhook>& endpoints,
                                         const PairHandler& on_pair, Running* job) {
  int64_t before = 0;
  while (!reader.done() && !stopped_) {
    Result<std::vector<bus::LogRecord>> batch = std::vector<bus::LogRecord>{};
    auto read = [&]() -> awaitable<void> {
      batch = reader.next(100, std::chrono::milliseconds(500));
      co_return;
    };
    co_await asio::co_spawn(blocking_, read(), asio::use_awaitable);
    if (!batch.ok()) co_return batch.error();
    int64_t scanned = 0;
    std::string partitions = partitions_json(reader, scanned);
    stats_scanned(scanned - before);
    before = scanned;
    if (job) {
      job->job.partitions = std::move(partitions);
      job->job.scanned = scanned;
      // A range with few matches still reports its scan, and still hears a cancel.
      if (!co_await checkpoint(*job)) co_return Status{};
    }
    for (const auto& rec : *batch) {
      auto e = parse_event(rec.value);
      if (!e.ok()) {
        log::warn("replay.unreadable_record",
                  {{"partition", rec.partition}, {"offset", json::Value(rec.offset)}});
        continue;
      }
      if (!event_matches(*e, env, spec.filters)) continue;
      for (const auto& w : endpoints) {
        if (!covers(w, *e, spec)) continue;
        if (!co_await on_pair(*e, rec.value, w)) co_return Status{};
      }
    }
  }
  co_return Status{};
}

}  // namespace hookd::admin
