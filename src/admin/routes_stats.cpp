// Endpoint health and delivery charts (environment token), computed when asked from what dispatch keeps in Redis
// anyway (the delivery indexes, each delivery's attempts, the endpoint's health hash): nothing is added to the
// dispatch path, and every answer reads a bounded number of deliveries (newest first), saying when it stopped
// short (`truncated`).
//
//   GET /webhook/{id}/stats   ?limit= (recent deliveries to read, default 200, at most 1000)
//       -> { webhook_id, state: active | failing | disabled, disabled_reason?, consecutive_failures,
//            failing_since, window: {deliveries, limit, truncated, oldest_created_at, newest_created_at},
//            deliveries: {succeeded, failed, retrying, pending, paused}, success_rate (null: none finished),
//            attempts: {total, succeeded, failed}, latency_ms: {p50, p95, p99, max} (null: no attempt) }
//   GET /stats/deliveries     ?webhook_id= (default: the whole environment) &minutes= (1..1440, default 60)
//                             &limit= (deliveries to read, default 1000, at most 5000)
//       -> { webhook_id, minutes, from, to, deliveries_read, truncated,
//            buckets: [{ minute, succeeded, failed, retrying, pending, paused, attempts,
//                        latency_ms: {p50, p95, p99} | null }] }   one per minute, oldest first, zeros included
//
// A delivery counts in the minute it was created, by its status now; an attempt in the minute it started.
// "failing": the endpoint is active but its last attempts failed (dispatch's consecutive failure count, which
// a success resets, is above zero).
#include <algorithm>

#include "admin/routes.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "dispatch/redis_fields.h"
#include "store/keys.h"

namespace hookd::admin {

namespace {

using dispatch::Attempt;
using dispatch::Delivery;
using dispatch::DeliveryStatus;
using dispatch::DeliveryStore;

constexpr int64_t kMinute = 60'000;

metrics::Counter& deliveries_read() {
  static metrics::Counter& c = metrics::registry().counter(
      "hookd_admin_stats_deliveries_read_total",
      "Deliveries read (with their attempts) to answer the endpoint health and chart routes.");
  return c;
}

struct Sample {
  Delivery delivery;
  std::vector<Attempt> attempts;
};

struct Samples {
  std::vector<Sample> items;  // newest first
  bool truncated = false;     // more deliveries matched than were read
};

// The newest `limit` deliveries of an index created at or after `since` (0: any time), with their attempts.
awaitable<Result<Samples>> read_samples(AdminContext& c, const std::string& env, DeliveryStore::Index index,
                                        std::string owner, int64_t since, size_t limit) {
  dispatch::DeliveryFilter filter;
  filter.since = since;
  const std::string first_page;
  auto page = co_await c.deliveries.list(index, env, owner, filter, first_page, limit);
  if (!page.ok()) co_return page.error();
  Samples out;
  out.truncated = !page->next_cursor.empty();
  // Their attempts in one round trip per chunk, not one per delivery.
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < page->items.size(); start += kChunk) {
    size_t end = std::min(page->items.size(), start + kChunk);
    std::vector<std::string> ids;
    for (size_t i = start; i < end; ++i)
      ids.push_back(page->items[i].id);
    auto attempts = co_await c.deliveries.attempts_of(env, std::move(ids));
    for (size_t i = start; i < end; ++i) {
      Sample s{std::move(page->items[i]), {}};
      if (attempts.ok()) s.attempts = std::move((*attempts)[i - start]);
      out.items.push_back(std::move(s));
    }
  }
  deliveries_read().inc(out.items.size());
  co_return out;
}

// Nearest-rank percentile of sorted values.
int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

json::Value latency_json(std::vector<int64_t> latencies, bool with_max) {
  if (latencies.empty()) return json::Value(nullptr);
  std::sort(latencies.begin(), latencies.end());
  json::ObjectBuilder b;
  b.set("p50", json::Value(percentile(latencies, 50))).set("p95", json::Value(percentile(latencies, 95)));
  b.set("p99", json::Value(percentile(latencies, 99)));
  if (with_max) b.set("max", json::Value(latencies.back()));
  return std::move(b).build();
}

struct StatusCounts {
  int64_t by_status[5] = {};  // indexed by DeliveryStatus
  void add(DeliveryStatus s) { ++by_status[static_cast<int>(s)]; }
  int64_t of(DeliveryStatus s) const { return by_status[static_cast<int>(s)]; }
  void write(json::ObjectBuilder& b) const {
    for (DeliveryStatus s : {DeliveryStatus::succeeded, DeliveryStatus::failed, DeliveryStatus::retrying,
                             DeliveryStatus::pending, DeliveryStatus::paused})
      b.set(dispatch::to_string(s), json::Value(of(s)));
  }
};

// Dispatch's record of the endpoint's current run of failures (keys::webhook_health; absent when healthy).
struct Health {
  int64_t consecutive_failures = 0;
  int64_t failing_since = 0;
};

awaitable<Result<Health>> read_health(AdminContext& c, const store::Webhook& w) {
  store::RedisCommand query{"HMGET",
                            store::keys::webhook_health(store::keys::delivery_shard(w.environment_id), w.id),
                            "consecutive_failures", "failing_since"};
  auto r = co_await c.store.command(std::move(query));
  if (!r.ok()) co_return r.error();
  Health h;
  const auto& el = r->elements();
  if (el.size() == 2) {
    h.consecutive_failures = el[0].is_nil() ? 0 : dispatch::field_int(el[0].str());
    h.failing_since = el[1].is_nil() ? 0 : dispatch::field_int(el[1].str());
  }
  co_return h;
}

std::string_view state_of(const store::Webhook& w, const Health& h) {
  if (!w.is_active) return "disabled";
  return h.consecutive_failures > 0 ? "failing" : "active";
}

json::Value time_or_null(int64_t ms) {
  return ms > 0 ? json::Value(clock::iso8601(ms)) : json::Value(nullptr);
}

json::Value health_json(const store::Webhook& w, const Health& h, const Samples& samples, size_t limit) {
  StatusCounts counts;
  std::vector<int64_t> latencies;
  int64_t attempts_ok = 0, attempts_failed = 0;
  for (const Sample& s : samples.items) {
    counts.add(s.delivery.status);
    for (const Attempt& a : s.attempts) {
      latencies.push_back(a.latency_ms);
      (a.error.empty() && a.status_code >= 200 && a.status_code < 300 ? attempts_ok : attempts_failed)++;
    }
  }
  json::ObjectBuilder out;
  out.set("webhook_id", w.id).set("state", std::string(state_of(w, h)));
  if (!w.disabled_reason.empty()) out.set("disabled_reason", w.disabled_reason);
  out.set("consecutive_failures", json::Value(h.consecutive_failures));
  out.set("failing_since", time_or_null(h.failing_since));
  json::ObjectBuilder window;
  window.set("deliveries", json::Value(samples.items.size())).set("limit", json::Value(limit));
  window.set("truncated", samples.truncated);
  window.set("oldest_created_at",
             time_or_null(samples.items.empty() ? 0 : samples.items.back().delivery.created_at));
  window.set("newest_created_at",
             time_or_null(samples.items.empty() ? 0 : samples.items.front().delivery.created_at));
  out.set("window", std::move(window).build());
  json::ObjectBuilder by_status;
  counts.write(by_status);
  out.set("deliveries", std::move(by_status).build());
  int64_t finished = counts.of(DeliveryStatus::succeeded) + counts.of(DeliveryStatus::failed);
  out.set("success_rate", finished ? json::Value(static_cast<double>(counts.of(DeliveryStatus::succeeded)) /
                                                 static_cast<double>(finished))
                                   : json::Value(nullptr));
  json::ObjectBuilder attempts;
  attempts.set("total", json::Value(attempts_ok + attempts_failed))
      .set("succeeded", json::Value(attempts_ok));
  attempts.set("failed", json::Value(attempts_failed));
  out.set("attempts", std::move(attempts).build());
  out.set("latency_ms", latency_json(std::move(latencies), true));
  return std::move(out).build();
}

// `name` as an integer in [lo, hi] (def when absent), or the 400 in `error`.
std::optional<int64_t> int_param(const http::RequestContext& req, std::string_view name, int64_t def,
                                 int64_t lo, int64_t hi, http::Response& error) {
  const std::string* v = req.query_value(name);
  if (!v) return def;
  int64_t n = 0;
  bool digits = !v->empty() && v->size() <= 9 && v->find_first_not_of("0123456789") == std::string::npos;
  if (digits) n = dispatch::field_int(*v);
  if (!digits || n < lo || n > hi) {
    error =
        validation_error(name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return std::nullopt;
  }
  return n;
}

awaitable<http::Response> route_webhook_stats(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  http::Response err;
  auto limit = int_param(req, "limit", 200, 1, 1000, err);
  if (!limit) co_return err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  auto health = co_await read_health(c, *w);
  if (!health.ok()) co_return http::error_response(health.error());
  auto samples = co_await read_samples(c, p.environment_id, DeliveryStore::Index::webhook, w->id, 0,
                                       static_cast<size_t>(*limit));
  if (!samples.ok()) co_return http::error_response(samples.error());
  co_return http::json_response(http::Status::ok,
                                health_json(*w, *health, *samples, static_cast<size_t>(*limit)));
}

struct Bucket {
  StatusCounts counts;
  std::vector<int64_t> latencies;
};

json::Value buckets_json(const Samples& samples, int64_t from, int64_t minutes) {
  std::vector<Bucket> buckets(static_cast<size_t>(minutes));
  auto slot = [&](int64_t t) -> Bucket* {
    if (t < from) return nullptr;
    size_t i = static_cast<size_t>((t - from) / kMinute);
    return i < buckets.size() ? &buckets[i] : nullptr;
  };
  for (const Sample& s : samples.items) {
    if (Bucket* b = slot(s.delivery.created_at)) b->counts.add(s.delivery.status);
    for (const Attempt& a : s.attempts)
      if (Bucket* b = slot(a.started_at)) b->latencies.push_back(a.latency_ms);
  }
  std::vector<json::Value> out;
  for (size_t i = 0; i < buckets.size(); ++i) {
    json::ObjectBuilder b;
    b.set("minute", clock::iso8601(from + static_cast<int64_t>(i) * kMinute));
    buckets[i].counts.write(b);
    b.set("attempts", json::Value(buckets[i].latencies.size()));
    b.set("latency_ms", latency_json(std::move(buckets[i].latencies), false));
    out.push_back(std::move(b).build());
  }
  return json::Value::array(std::move(out));
}

awaitable<http::Response> route_delivery_stats(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto minutes = int_param(req, "minutes", 60, 1, 1440, err);
  if (!minutes) co_return err;
  auto limit = int_param(req, "limit", 1000, 1, 5000, err);
  if (!limit) co_return err;
  std::string owner = p.environment_id;
  DeliveryStore::Index index = DeliveryStore::Index::environment;
  if (const std::string* id = req.query_value("webhook_id"); id && !id->empty()) {
    auto w = co_await load_webhook(c, *id, p, err);
    if (!w) co_return err;
    owner = w->id;
    index = DeliveryStore::Index::webhook;
  }
  // Whole minutes, the current one last (partly elapsed).
  int64_t now = clock::now_millis();
  int64_t from = (now / kMinute - (*minutes - 1)) * kMinute;
  auto samples = co_await read_samples(c, p.environment_id, index, owner, from, static_cast<size_t>(*limit));
  if (!samples.ok()) co_return http::error_response(samples.error());
  json::ObjectBuilder out;
  out.set("webhook_id", index == DeliveryStore::Index::webhook ? json::Value(owner) : json::Value(nullptr));
  out.set("minutes", json::Value(*minutes)).set("from", clock::iso8601(from)).set("to", clock::iso8601(now));
  out.set("deliveries_read", json::Value(samples->items.size())).set("truncated", samples->truncated);
  out.set("buckets", buckets_json(*samples, from, *minutes));
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

constexpr Route routes[] = {
    {http::Verb::get, "/webhook/{id}/stats", Access::environment, route_webhook_stats},
    {http::Verb::get, "/stats/deliveries", Access::environment, route_delivery_stats},
};

}  // namespace

std::span<const Route> stats_routes() {
  return routes;
}

}  // namespace hookd::admin
