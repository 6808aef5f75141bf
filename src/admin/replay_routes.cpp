#include "admin/replay_routes.h"

#include "core/clock.h"

namespace hookd::admin {

namespace {

// "2026-11-26T09:00:00Z", or unix milliseconds as a number or a string of digits.
std::optional<int64_t> time_value(const json::Value& v) {
  if (v.is_number() && v.as_number() >= 0 && v.as_number() < 1e15) return static_cast<int64_t>(v.as_number());
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  if (auto t = clock::parse_iso8601(s)) return t;
  if (s.empty() || s.size() > 15) return std::nullopt;
  int64_t n = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

std::optional<http::Response> optional_string(const json::Value& body, std::string_view name,
                                              std::string& out, std::string_view field) {
  const json::Value& v = body.get(name);
  if (v.is_undefined() || v.is_null()) return std::nullopt;
  if (!v.is_string() || v.as_string().empty()) return validation_error(field, "must be a non-empty string");
  out = v.as_string();
  return std::nullopt;
}

std::optional<http::Response> read_filters(const json::Value& f, ReplayFilters& out) {
  if (f.is_undefined() || f.is_null()) return std::nullopt;
  if (!f.is_object()) return validation_error("filters", "must be an object");
  for (const auto& m : f.members()) {
    std::string_view n = m.name();
    if (n != "status" && n != "event_type" && n != "integrated_account_id" && n != "since" && n != "until")
      return validation_error("filters." + std::string(n), "unknown filter");
  }
  if (auto bad = optional_string(f, "status", out.status, "filters.status")) return bad;
  if (!out.status.empty() && !dispatch::delivery_status_from(out.status))
    return validation_error("filters.status", "must be one of pending, retrying, succeeded, failed");
  if (auto bad = optional_string(f, "event_type", out.event_type, "filters.event_type")) return bad;
  if (!out.event_type.empty() && !is_event_type(out.event_type))
    return validation_error("filters.event_type", "unknown event type '" + out.event_type + "'");
  if (auto bad = optional_string(f, "integrated_account_id", out.integrated_account_id,
                                 "filters.integrated_account_id"))
    return bad;
  for (const char* name : {"since", "until"}) {
    const json::Value& v = f.get(name);
    if (v.is_undefined() || v.is_null()) continue;
    auto t = time_value(v);
    if (!t)
      return validation_error("filters." + std::string(name),
                              "must be an ISO 8601 time with a zone, or unix milliseconds");
    (std::string_view(name) == "since" ? out.since : out.until) = *t;
  }
  if (out.since && out.until && out.since >= out.until)
    return validation_error("filters.until", "must be after filters.since");
  return std::nullopt;
}

// The request's spec, checked against everything that does not need Redis.
std::optional<http::Response> read_spec(const json::Value& body, const ReplayOptions& o, ReplaySpec& s) {
  const json::Value& scope = body.get("scope");
  if (!scope.is_string()) return validation_error("scope", "is required: delivery, webhook or environment");
  s.scope = scope.as_string();
  if (s.scope != "delivery" && s.scope != "webhook" && s.scope != "environment")
    return validation_error("scope", "must be delivery, webhook or environment");
  if (auto bad = optional_string(body, "delivery_id", s.delivery_id, "delivery_id")) return bad;
  if (auto bad = optional_string(body, "webhook_id", s.webhook_id, "webhook_id")) return bad;
  if (s.scope == "delivery" && s.delivery_id.empty())
    return validation_error("delivery_id", "is required for scope delivery");
  if (s.scope == "webhook" && s.webhook_id.empty())
    return validation_error("webhook_id", "is required for scope webhook");
  if (s.scope != "delivery" && !s.delivery_id.empty())
    return validation_error("delivery_id", "only with scope delivery");
  if (s.scope != "webhook" && !s.webhook_id.empty())
    return validation_error("webhook_id", "only with scope webhook");
  if (auto bad = read_filters(body.get("filters"), s.filters)) return bad;
  const json::Value& rate = body.get("rate_per_second");
  s.rate_per_second = o.default_rate;
  if (!rate.is_undefined() && !rate.is_null()) {
    if (!rate.is_number() || !(rate.as_number() > 0) || rate.as_number() > o.max_rate) {
      std::string max;
      json::write_number(max, o.max_rate);
      return validation_error("rate_per_second", "must be a number above 0 and at most " + max);
    }
    s.rate_per_second = rate.as_number();
  }
  const json::Value& source = body.get("source");
  if (!source.is_undefined() && !source.is_null()) {
    if (!source.is_string() || (source.as_string() != "redis" && source.as_string() != "kafka"))
      return validation_error("source", "must be redis or kafka");
    s.source = source.as_string();
  }
  for (const char* flag : {"dry_run", "include_new_endpoints"}) {
    const json::Value& v = body.get(flag);
    if (!v.is_undefined() && !v.is_bool()) return validation_error(flag, "must be true or false");
  }
  s.include_new_endpoints = body.get("include_new_endpoints").bool_or(false);
  if (s.source == "kafka") {
    if (s.scope == "delivery")
      return validation_error("scope", "source kafka replays a webhook or an environment");
    if (!s.filters.since || !s.filters.until)
      return validation_error("filters.since",
                              "source kafka needs a time range: filters.since and filters.until");
  } else {
    if (s.include_new_endpoints) return validation_error("include_new_endpoints", "only with source kafka");
    // As the older routes: an endpoint's or environment's replay takes the failed deliveries unless told.
    if (s.scope != "delivery" && s.filters.status.empty()) s.filters.status = "failed";
  }
  return std::nullopt;
}

http::Response job_response(http::Status status, const ReplayJob& job) {
  return http::json_response(status, to_json(job));
}

}  // namespace

std::optional<http::Response> replay_unavailable(const AdminContext& c) {
  if (c.replay) return std::nullopt;
  return http::error_response(http::Status::service_unavailable, "replay_unavailable",
                              "this node runs no replay jobs");
}

awaitable<http::Response> route_create_replay(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  if (auto no = replay_unavailable(c)) co_return *no;
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  ReplaySpec spec;
  if (auto bad = read_spec(*body, c.replay->options(), spec)) co_return *bad;
  if (spec.scope == "webhook") {
    auto w = co_await load_webhook(c, spec.webhook_id, p, err);
    if (!w) co_return err;
  }
  if (spec.scope == "delivery") {
    auto d = co_await c.deliveries.get(p.environment_id, spec.delivery_id);
    if (!d.ok() || d->environment_id != p.environment_id)
      co_return !d.ok() && d.error().code != store::StoreErrc::not_found
          ? http::error_response(d.error())
          : not_found("delivery", spec.delivery_id);
  }
  if (body->get("dry_run").bool_or(false)) {
    auto n = co_await c.replay->count(p.environment_id, spec);
    if (!n.ok()) co_return http::error_response(n.error());
    ReplayJob preview;
    preview.environment_id = p.environment_id;
    preview.spec = spec;
    preview.selected = *n;
    json::ObjectBuilder out(to_json(preview));
    out.set("dry_run", true).set("id", json::Value::null()).set("state", json::Value::null());
    co_return http::json_response(http::Status::ok, std::move(out).build());
  }
  auto job = co_await c.replay->submit(p.environment_id, std::move(spec));
  if (!job.ok()) co_return http::error_response(job.error());
  co_return job_response(http::Status::accepted, *job);
}

awaitable<http::Response> route_list_replays(AdminContext& c, http::RequestContext& req, const Principal& p) {
  if (auto no = replay_unavailable(c)) co_return *no;
  http::Response err;
  auto limit = page_limit(req, 20, 100, err);
  if (!limit) co_return err;
  const std::string* cursor = req.query_value("cursor");
  std::string after = cursor ? *cursor : "";
  auto page = co_await c.replay->jobs().list(p.environment_id, after, *limit);
  if (!page.ok()) co_return http::error_response(page.error());
  std::vector<json::Value> items;
  for (const auto& j : page->items)
    items.push_back(to_json(j));
  co_return page_response(std::move(items), page->next_cursor);
}

awaitable<http::Response> route_get_replay(AdminContext& c, http::RequestContext& req, const Principal& p) {
  if (auto no = replay_unavailable(c)) co_return *no;
  std::string id(req.param("id"));
  auto job = co_await c.replay->jobs().get(p.environment_id, id);
  if (!job.ok() && job.error().code == store::StoreErrc::not_found) co_return not_found("replay job", id);
  if (!job.ok()) co_return http::error_response(job.error());
  co_return job_response(http::Status::ok, *job);
}

awaitable<http::Response> route_cancel_replay(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  if (auto no = replay_unavailable(c)) co_return *no;
  std::string id(req.param("id"));
  auto job = co_await c.replay->jobs().request_cancel(p.environment_id, id);
  if (!job.ok() && job.error().code == store::StoreErrc::not_found) co_return not_found("replay job", id);
  if (!job.ok() && job.error().code == store::StoreErrc::conflict)
    co_return http::error_response(http::Status::conflict, "job_finished",
                                   "the replay job has finished already");
  if (!job.ok()) co_return http::error_response(job.error());
  c.replay->cancel_local(id);
  co_return job_response(http::Status::accepted, *job);
}

awaitable<std::optional<ReplayJob>> run_compat_job(AdminContext& c, const Principal& p, ReplaySpec spec,
                                                   http::Response& error) {
  if (auto no = replay_unavailable(c)) {
    error = *no;
    co_return std::nullopt;
  }
  spec.rate_per_second = c.replay->options().default_rate;
  auto job = co_await c.replay->submit(p.environment_id, std::move(spec));
  if (!job.ok()) {
    error = http::error_response(job.error());
    co_return std::nullopt;
  }
  auto done = co_await c.replay->wait(p.environment_id, job->id, c.replay->options().compat_wait);
  co_return done.ok() ? std::move(done).value() : std::move(job).value();
}

}  // namespace hookd::admin
