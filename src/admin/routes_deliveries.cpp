// Deliveries and replays (environment token).
//
//   GET  /webhook/{id}/deliveries   ?status= &event= &since= &until= &limit= &cursor=   newest first, with attempts
//   GET  /delivery                  same filters over the environment; ?event_id= for one event's deliveries
//   GET  /delivery/{id}             one delivery with its attempts
//   POST /delivery/{id}/replay      {dry_run?}
//   POST /webhook/{id}/replay       {status? (default "failed"), event?, since?, until?, dry_run?}
//   POST /delivery/replay           the same filters over the whole environment
//
// A replay sends the same delivery again, now: same event id, same body, marked as a replay (X-Hookd-Replay,
// and `replay: true` on its attempts). A finished delivery (succeeded or failed) starts a new round of
// attempts; a retrying one is sent now instead of at its next scheduled attempt (same round: if it fails, the
// schedule goes on). A pending delivery (first attempt due already) or one whose attempt is in flight is not
// replayed, and the answer says why (`reason`). A dry run answers how many would be replayed and sends
// nothing.
//
// These three routes run their replay as a replay job (admin/replay_runner.h) at the default rate, wait up to
// HOOKD_REPLAY_COMPAT_WAIT for it, and answer as they always did plus `job_id` and `state` (a job still
// running when the wait ends goes on; GET /replay/{id} follows it). The job routes (replay_routes.h) are in
// this file's table too.
#include "admin/replay_routes.h"
#include "admin/routes.h"
#include "core/clock.h"

namespace hookd::admin {

namespace {

using dispatch::Delivery;
using dispatch::DeliveryFilter;
using dispatch::DeliveryStatus;
using dispatch::DeliveryStore;

// "2026-11-26T09:00:00Z" or unix milliseconds.
std::optional<int64_t> parse_time(std::string_view s) {
  if (auto t = clock::parse_iso8601(s)) return t;
  if (s.empty() || s.size() > 15) return std::nullopt;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

// Filters from a query string or a JSON body (same names).
std::optional<http::Response> read_filter(
    const std::function<std::optional<std::string>(std::string_view)>& get, DeliveryFilter& f,
    bool default_failed) {
  if (auto v = get("status")) {
    f.status = dispatch::delivery_status_from(*v);
    if (!f.status)
      return validation_error("status", "must be one of pending, retrying, succeeded, failed, paused");
  } else if (default_failed) {
    f.status = DeliveryStatus::failed;
  }
  if (auto v = get("event")) {
    if (!is_event_type(*v)) return validation_error("event", "unknown event type '" + *v + "'");
    f.event_type = *v;
  }
  for (const char* name : {"since", "until"}) {
    if (auto v = get(name)) {
      auto t = parse_time(*v);
      if (!t) return validation_error(name, "must be an ISO 8601 time with a zone, or unix milliseconds");
      (std::string_view(name) == "since" ? f.since : f.until) = *t;
    }
  }
  return std::nullopt;
}

std::function<std::optional<std::string>(std::string_view)> from_query(const http::RequestContext& req) {
  return [&req](std::string_view name) -> std::optional<std::string> {
    if (const std::string* v = req.query_value(name)) return *v;
    return std::nullopt;
  };
}

std::function<std::optional<std::string>(std::string_view)> from_body(const json::Value& body) {
  return [&body](std::string_view name) -> std::optional<std::string> {
    const json::Value& v = body.get(name);
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_number()) {
      std::string s;
      json::write_number(s, v.as_number());
      return s;
    }
    return std::nullopt;
  };
}

awaitable<json::Value> with_attempts(AdminContext& c, const Delivery& d) {
  json::ObjectBuilder b(dispatch::to_json(d));
  std::vector<json::Value> attempts;
  auto list = co_await c.deliveries.attempts(d.environment_id, d.id);
  if (list.ok())
    for (const auto& a : *list)
      attempts.push_back(dispatch::to_json(a));
  b.set("attempts", json::Value::array(std::move(attempts)));
  co_return std::move(b).build();
}

awaitable<http::Response> list(AdminContext& c, http::RequestContext& req, const Principal& p,
                               DeliveryStore::Index index, std::string owner) {
  http::Response err;
  auto limit = page_limit(req, 50, 200, err);
  if (!limit) co_return err;
  DeliveryFilter f;
  if (auto bad = read_filter(from_query(req), f, false)) co_return *bad;
  const std::string* cursor = req.query_value("cursor");
  std::string after = cursor ? *cursor : "";  // not inside co_await: GCC 12 evaluates both arms there
  auto page = co_await c.deliveries.list(index, p.environment_id, owner, f, after, *limit);
  if (!page.ok()) co_return http::error_response(page.error());
  std::vector<json::Value> items;
  for (const auto& d : page->items)
    items.push_back(co_await with_attempts(c, d));
  co_return page_response(std::move(items), page->next_cursor);
}

awaitable<std::optional<Delivery>> load(AdminContext& c, std::string_view id, const Principal& p,
                                        http::Response& error) {
  auto d = co_await c.deliveries.get(p.environment_id, id);
  if (d.ok() && d->environment_id == p.environment_id) co_return std::move(d).value();
  error = !d.ok() && d.error().code != store::StoreErrc::not_found ? http::error_response(d.error())
                                                                   : not_found("delivery", id);
  co_return std::nullopt;
}

ReplayFilters replay_filters(const DeliveryFilter& f) {
  ReplayFilters out;
  if (f.status) out.status = dispatch::to_string(*f.status);
  out.event_type = f.event_type;
  out.since = f.since;
  out.until = f.until;
  return out;
}

// Pending deliveries are due now already: replaying them would change nothing.
bool replayable(const Delivery& d) {
  return d.status != DeliveryStatus::pending;
}

std::string not_replayed_reason(dispatch::ReplayOutcome outcome) {
  return outcome == dispatch::ReplayOutcome::in_flight
             ? "an attempt of the delivery is in flight"
             : "the delivery is pending: its first attempt is due now";
}

// Replays what the filter selects among `ids` (or the listing of the index when ids is empty).
awaitable<http::Response> replay_many(AdminContext& c, http::RequestContext& req, const Principal& p,
                                      DeliveryStore::Index index, std::string owner) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  const json::Value& dry = body->get("dry_run");
  if (!dry.is_undefined() && !dry.is_bool()) co_return validation_error("dry_run", "must be true or false");
  DeliveryFilter f;
  if (auto bad = read_filter(from_body(*body), f, true)) co_return *bad;

  std::vector<Delivery> selected;
  std::string cursor;
  do {
    auto page = co_await c.deliveries.list(index, p.environment_id, owner, f, cursor, 200);
    if (!page.ok()) co_return http::error_response(page.error());
    for (auto& d : page->items)
      if (d.environment_id == p.environment_id && replayable(d)) selected.push_back(std::move(d));
    cursor = page->next_cursor;
  } while (!cursor.empty());

  size_t replayed = 0;
  std::optional<ReplayJob> job;
  if (!dry.bool_or(false)) {
    ReplaySpec spec;
    spec.scope = index == DeliveryStore::Index::webhook ? "webhook" : "environment";
    if (index == DeliveryStore::Index::webhook) spec.webhook_id = owner;
    spec.filters = replay_filters(f);
    job = co_await run_compat_job(c, p, std::move(spec), err);
    if (!job) co_return err;
    replayed = static_cast<size_t>(job->replayed);
  }
  json::ObjectBuilder out;
  out.set("dry_run", dry.bool_or(false)).set("matched", json::Value(selected.size()));
  out.set("replayed", json::Value(replayed));
  std::vector<json::Value> ids;
  for (const auto& d : selected)
    ids.emplace_back(d.id);
  out.set("delivery_ids", json::Value::array(std::move(ids)));
  if (job) out.set("job_id", job->id).set("state", std::string(to_string(job->state)));
  co_return http::json_response(dry.bool_or(false) ? http::Status::ok : http::Status::accepted,
                                std::move(out).build());
}

awaitable<http::Response> route_list_webhook_deliveries(AdminContext& c, http::RequestContext& req,
                                                        const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  co_return co_await list(c, req, p, DeliveryStore::Index::webhook, w->id);
}

awaitable<http::Response> route_list_deliveries(AdminContext& c, http::RequestContext& req,
                                                const Principal& p) {
  if (const std::string* event_id = req.query_value("event_id")) {
    // The event index is not per environment: list_deliveries filters, and foreign ids just list
    // nothing.
    http::Response res = co_await list(c, req, p, DeliveryStore::Index::event, *event_id);
    json::Value body;
    if (res.result() == http::Status::ok && json::parse(res.body(), body)) {
      std::vector<json::Value> mine;
      for (const auto& item : body.get("result").as_array())
        if (item.get("environment_id").string_or("") == p.environment_id) mine.push_back(item);
      co_return page_response(std::move(mine), std::string(body.get("next_cursor").string_or("")));
    }
    co_return res;
  }
  co_return co_await list(c, req, p, DeliveryStore::Index::environment, p.environment_id);
}

awaitable<http::Response> route_get_delivery(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto d = co_await load(c, req.param("id"), p, err);
  if (!d) co_return err;
  co_return http::json_response(http::Status::ok, co_await with_attempts(c, *d));
}

awaitable<http::Response> route_replay_delivery(AdminContext& c, http::RequestContext& req,
                                                const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  auto d = co_await load(c, req.param("id"), p, err);
  if (!d) co_return err;
  bool dry = body->get("dry_run").bool_or(false);
  if (replayable(*d)) {
    // Past the retention the event itself is gone: nothing could be sent.
    auto stored = co_await c.deliveries.event_json(d->environment_id, d->event_id);
    if (!stored.ok() && stored.error().code == store::StoreErrc::not_found)
      co_return http::error_response(http::Status::unprocessable_entity, "event_expired",
                                     "the delivery's event is past its retention and cannot be replayed");
    if (!stored.ok()) co_return http::error_response(stored.error());
  }
  size_t replayed = 0;
  std::string reason;
  if (!replayable(*d)) reason = not_replayed_reason(dispatch::ReplayOutcome::already_due);
  std::optional<ReplayJob> job;
  if (replayable(*d) && !dry) {
    ReplaySpec spec;
    spec.scope = "delivery";
    spec.delivery_id = d->id;
    job = co_await run_compat_job(c, p, std::move(spec), err);
    if (!job) co_return err;
    replayed = static_cast<size_t>(job->replayed);
    if (job->skipped.count("in_flight")) reason = not_replayed_reason(dispatch::ReplayOutcome::in_flight);
    if (job->skipped.count("already_due")) reason = not_replayed_reason(dispatch::ReplayOutcome::already_due);
  }
  json::ObjectBuilder out;
  out.set("dry_run", dry).set("matched", json::Value(replayable(*d) ? 1 : 0));
  out.set("replayed", json::Value(replayed));
  out.set("delivery_ids", json::Value::array({json::Value(d->id)}));
  if (!reason.empty()) out.set("reason", reason);
  if (job) out.set("job_id", job->id).set("state", std::string(to_string(job->state)));
  co_return http::json_response(dry ? http::Status::ok : http::Status::accepted, std::move(out).build());
}

awaitable<http::Response> route_replay_webhook_failures(AdminContext& c, http::RequestContext& req,
                                                        const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  co_return co_await replay_many(c, req, p, DeliveryStore::Index::webhook, w->id);
}

awaitable<http::Response> route_replay_deliveries(AdminContext& c, http::RequestContext& req,
                                                  const Principal& p) {
  co_return co_await replay_many(c, req, p, DeliveryStore::Index::environment, p.environment_id);
}

constexpr Route routes[] = {
    {http::Verb::get, "/webhook/{id}/deliveries", Access::environment, route_list_webhook_deliveries},
    {http::Verb::get, "/delivery", Access::environment, route_list_deliveries},
    {http::Verb::get, "/delivery/{id}", Access::environment, route_get_delivery},
    {http::Verb::post, "/delivery/{id}/replay", Access::environment, route_replay_delivery},
    {http::Verb::post, "/webhook/{id}/replay", Access::environment, route_replay_webhook_failures},
    {http::Verb::post, "/delivery/replay", Access::environment, route_replay_deliveries},
    {http::Verb::post, "/replay", Access::environment, route_create_replay},
    {http::Verb::get, "/replay", Access::environment, route_list_replays},
    {http::Verb::get, "/replay/{id}", Access::environment, route_get_replay},
    {http::Verb::post, "/replay/{id}/cancel", Access::environment, route_cancel_replay},
};

}  // namespace

std::span<const Route> delivery_routes() {
  return routes;
}

}  // namespace hookd::admin
