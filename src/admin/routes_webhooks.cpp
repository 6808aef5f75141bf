// Customers' webhook endpoints (environment token).
//
//   POST   /webhook                      {target_url, event_types?, is_active?, ordering?}
//                                        -> 201 with the signing `secret`
//   GET    /webhook
//   GET    /webhook/{id}
//   PATCH  /webhook/{id}                 {target_url?, event_types?, is_active?, ordering?}
//   POST   /webhook/{id}/rotate-secret   -> a new secret; the old one keeps signing for the overlap window
//   GET    /webhook/{id}/secret          -> {webhook_id, secret, previous_secret?, previous_secret_expires_at?}
//
// The signing secrets are answered only by create, rotate-secret and GET .../secret (audited in the log as
// webhook.secret_read, without the value); every other answer carries the endpoint without them
// (store::to_public_json), so a list or a log of answers cannot leak them.
//   DELETE /webhook/{id}                 -> 204
//   POST   /webhook/test                 {id}
//                                        -> sends a `test` event to that endpoint through Kafka and dispatch
//   POST   /webhook/{id}/enable          {replay?, since?, dry_run?}
//                                        -> re-enables; with replay, sends what was paused while it was
//                                           disabled and replays what failed since `since`, in one call
//   POST   /webhook/{id}/disable         {reason?}
//   GET    /environment/notices          what hookd told the environment (webhook:disabled), newest first
//
// While an endpoint is disabled its events are recorded as paused deliveries (dispatch/delivery_store.h);
// every change of is_active here tells dispatch (mark_disabled / mark_enabled), so that it pauses or schedules
// them.
//
// target_url must be https to a public address unless the operator allowlisted the host (development); the
// check runs again on every connection, against every address the name resolves to.
#include "admin/routes.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "dispatch/notices.h"

namespace hookd::admin {

namespace {

std::optional<http::Response> apply_webhook_fields(AdminContext& c, const json::Value& body,
                                                   store::Webhook& w, bool create) {
  const json::Value& url = body.get("target_url");
  if (create || !url.is_undefined()) {
    if (!url.is_string() || url.as_string().empty())
      return validation_error("target_url", "is required (a URL)");
    if (auto verdict = c.options.target_policy.check_target(url.as_string()); !verdict)
      return validation_error("target_url", verdict.reason);
    w.target_url = std::string(url.as_string());
  }
  const json::Value& types = body.get("event_types");
  if (!types.is_undefined()) {
    if (!types.is_array())
      return validation_error("event_types", "must be an array of event types (empty: all)");
    std::vector<std::string> out;
    for (size_t i = 0; i < types.size(); ++i) {
      const json::Value& t = types.at(i);
      std::string field = "event_types[" + std::to_string(i) + "]";
      if (!t.is_string() || !is_event_type_pattern(t.as_string()))
        return validation_error(field, "unknown event type " + json::dump(t) +
                                           " (e.g. record:created, record:*, integrated_account:active, *)");
      out.emplace_back(t.as_string());
    }
    w.event_types = std::move(out);
  }
  const json::Value& ordering = body.get("ordering");
  if (!ordering.is_undefined()) {
    if (!ordering.is_string() || (ordering.as_string() != "none" && ordering.as_string() != "per_account"))
      return validation_error("ordering", "must be \"none\" or \"per_account\"");
    w.ordering = ordering.as_string() == "none" ? std::string() : std::string(ordering.as_string());
  }
  const json::Value& active = body.get("is_active");
  if (!active.is_undefined()) {
    if (!active.is_bool()) return validation_error("is_active", "must be true or false");
    if (active.as_bool() && !w.is_active) w.disabled_reason.clear();
    w.is_active = active.as_bool();
  }
  return std::nullopt;
}

// Changes an endpoint with one atomic change of its record (Store::update_webhook), so a concurrent
// auto-disable or another admin call is kept, not overwritten.
awaitable<http::Response> update(AdminContext& c, const std::string& id,
                                 const store::Store::WebhookChange& change) {
  auto w = co_await c.store.update_webhook(id, change);
  if (!w.ok()) co_return http::error_response(w.error());
  co_return http::json_response(http::Status::ok, store::to_public_json(*w));
}

// The endpoint with its secrets: the answers that show them once (create, rotate). The previous secret only
// while it still signs.
json::Value with_secrets(const store::Webhook& w, int64_t now) {
  json::ObjectBuilder b(store::to_public_json(w));
  b.set("secret", w.secret);
  if (!w.previous_secret.empty() && w.previous_secret_expires_at > now) {
    b.set("previous_secret", w.previous_secret);
    b.set("previous_secret_expires_at", store::time_value(w.previous_secret_expires_at));
  }
  return std::move(b).build();
}

awaitable<http::Response> route_create_webhook(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  store::Webhook w;
  if (auto bad = apply_webhook_fields(c, *body, w, true)) co_return *bad;
  w.id = ids::uuid_v4();
  w.environment_id = p.environment_id;
  w.secret = ids::signing_secret();
  w.created_at = w.updated_at = clock::now_millis();
  Status s = co_await c.store.create_webhook(w);
  if (!s.ok()) co_return http::error_response(s.error());
  // Created disabled: its events are paused from the start, and an enable's replay starts from here.
  if (!w.is_active) (void)co_await c.deliveries.mark_disabled(w.environment_id, w.id, w.created_at);
  co_return http::json_response(http::Status::created, with_secrets(w, w.created_at));
}

awaitable<http::Response> route_list_webhooks(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  auto list = co_await c.store.list_webhooks(p.environment_id);
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& w : *list)
    items.push_back(store::to_public_json(w));
  co_return list_page(req, std::move(items));
}

awaitable<http::Response> route_get_webhook(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  co_return http::json_response(http::Status::ok, store::to_public_json(*w));
}

// The explicit read of an endpoint's secrets. Audited: who read which endpoint's secret, never the value.
awaitable<http::Response> route_get_webhook_secret(AdminContext& c, http::RequestContext& req,
                                                   const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  static metrics::Counter& reads = metrics::registry().counter(
      "hookd_webhook_secret_reads_total", "Signing secrets read through GET /webhook/{id}/secret.");
  reads.inc();
  log::info("webhook.secret_read",
            {{"webhook_id", w->id}, {"environment_id", p.environment_id}, {"token_id", p.token_id}});
  int64_t now = clock::now_millis();
  json::ObjectBuilder out;
  out.set("webhook_id", w->id).set("secret", w->secret);
  if (!w->previous_secret.empty() && w->previous_secret_expires_at > now) {
    out.set("previous_secret", w->previous_secret);
    out.set("previous_secret_expires_at", store::time_value(w->previous_secret_expires_at));
  }
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

awaitable<http::Response> route_update_webhook(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  // Checked on the record as read, so a bad request is answered before anything is written; then
  // applied to the record as it is when written.
  store::Webhook checked = *w;
  if (auto bad = apply_webhook_fields(c, *body, checked, false)) co_return *bad;
  int64_t now = clock::now_millis();
  bool enabled = false;
  store::Store::WebhookChange change = [&](store::Webhook& cur) {
    bool was_active = cur.is_active;
    (void)apply_webhook_fields(c, *body, cur, false);
    cur.updated_at = now;
    enabled = cur.is_active && !was_active;
    return true;
  };
  http::Response res = co_await update(c, w->id, change);
  // Re-enabling an endpoint starts its failure count afresh, or the next failure would disable it
  // again at once. The count is dispatch's: it resets it.
  if (res.result() != http::Status::ok) co_return res;
  if (enabled) (void)co_await c.deliveries.reset_health(w->environment_id, w->id);
  // Whenever the request sets is_active, not only when it changes it: a retried PATCH (the first one's answer
  // lost) still tells dispatch. Both are idempotent.
  if (const json::Value& active = body->get("is_active"); active.is_bool()) {
    // Not a conditional around co_await: GCC 12 mishandles its temporaries.
    Status marked;
    if (active.as_bool())
      marked = (co_await c.deliveries.mark_enabled(w->environment_id, w->id, now)).status();
    else
      marked = co_await c.deliveries.mark_disabled(w->environment_id, w->id, now);
    if (!marked.ok()) co_return http::error_response(marked.error());
  }
  co_return res;
}

awaitable<http::Response> route_rotate_webhook_secret(AdminContext& c, http::RequestContext& req,
                                                      const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  int64_t now = clock::now_millis();
  std::string secret = ids::signing_secret();
  store::Store::WebhookChange change = [&](store::Webhook& cur) {
    cur.previous_secret = cur.secret;
    cur.previous_secret_expires_at = now + c.options.secret_rotation_overlap.count();
    cur.secret = secret;
    cur.updated_at = now;
    return true;
  };
  auto rotated = co_await c.store.update_webhook(w->id, change);
  if (!rotated.ok()) co_return http::error_response(rotated.error());
  // Shown once, here: GET /webhook/{id} no longer answers it.
  co_return http::json_response(http::Status::ok, with_secrets(*rotated, now));
}

awaitable<http::Response> route_delete_webhook(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  Status s = co_await c.store.delete_webhook(*w);
  if (!s.ok()) co_return http::error_response(s.error());
  // Its health record has no expiry; left here it would stay for good (best effort: the endpoint is gone
  // either way; an attempt in flight may still write one more failure).
  (void)co_await c.deliveries.reset_health(w->environment_id, w->id);
  co_return http::Response{http::Status::no_content, 11};
}

awaitable<http::Response> route_send_test_event(AdminContext& c, http::RequestContext& req,
                                                const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  const json::Value& id = body->get("id");
  if (!id.is_string()) co_return validation_error("id", "is required (the webhook's id)");
  auto w = co_await load_webhook(c, id.as_string(), p, err);
  if (!w) co_return err;
  json::ObjectBuilder payload;
  payload.set("message", "This is a test event from hookd.").set("webhook_id", w->id);
  Event e = make_event("test", p.environment_id, std::move(payload).build());
  e.target_webhook_id = w->id;
  if (!co_await publish_event(c, e))
    co_return http::error_response(http::Status::service_unavailable, "service_unavailable",
                                   "the test event could not be published; retry");
  json::ObjectBuilder out;
  out.set("id", e.id).set("event", e.type).set("webhook_id", w->id).set("status", "queued");
  co_return http::json_response(http::Status::accepted, std::move(out).build());
}

// `since` of an enable: unix milliseconds (a number or a string of digits) or an RFC 3339 time.
std::optional<int64_t> parse_since(const json::Value& v) {
  if (v.is_number()) {
    double ms = v.as_number();
    if (ms < 0 || ms > 1e15 || ms != static_cast<double>(static_cast<int64_t>(ms))) return std::nullopt;
    return static_cast<int64_t>(ms);
  }
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.as_string();
  if (auto t = clock::parse_iso8601(s)) return t;
  if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  int64_t ms = 0;
  for (char ch : s)
    ms = ms * 10 + (ch - '0');
  return ms;
}

struct EnableRequest {
  bool replay = false;
  bool dry_run = false;
  std::optional<int64_t> since;  // default: when the endpoint was disabled
};

std::optional<http::Response> read_enable_request(const json::Value& body, EnableRequest& out) {
  for (const char* name : {"replay", "dry_run"}) {
    const json::Value& v = body.get(name);
    if (v.is_undefined()) continue;
    if (!v.is_bool()) return validation_error(name, "must be true or false");
    (std::string_view(name) == "replay" ? out.replay : out.dry_run) = v.as_bool();
  }
  const json::Value& since = body.get("since");
  if (!since.is_undefined()) {
    out.since = parse_since(since);
    if (!out.since)
      return validation_error("since", "must be unix milliseconds or an RFC 3339 time with a zone");
    if (!out.replay) return validation_error("since", "only applies with replay: true");
  }
  return std::nullopt;
}

struct EnableCounts {
  size_t resumed = 0;   // paused deliveries now due
  size_t replayed = 0;  // failed deliveries sent again
  size_t skipped = 0;   // failed ones not replayed: expired, or an attempt already due or in flight
};

// The replay half of an enable: resumes the paused deliveries and replays the failed ones since `since`.
awaitable<Result<EnableCounts>> resume_and_replay(AdminContext& c, const store::Webhook& w, int64_t since,
                                                  int64_t now) {
  EnableCounts counts;
  auto resumed = co_await c.deliveries.resume_paused(w.environment_id, w.id, now);
  if (!resumed.ok()) co_return resumed.error();
  counts.resumed = *resumed;
  auto failed = co_await c.deliveries.failed_ids_since(w.environment_id, w.id, since);
  if (!failed.ok()) co_return failed.error();
  for (const auto& id : *failed) {
    auto d = co_await c.deliveries.get(w.environment_id, id);
    if (!d.ok() || d->environment_id != w.environment_id) {
      ++counts.skipped;
      continue;
    }
    auto r = co_await c.deliveries.replay(*d, now);
    if (!r.ok() && r.error().code != store::StoreErrc::not_found) co_return r.error();
    (r.ok() && *r == dispatch::ReplayOutcome::replayed ? counts.replayed : counts.skipped)++;
  }
  co_return counts;
}

awaitable<http::Response> route_enable_webhook(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  EnableRequest ask;
  if (auto bad = read_enable_request(*body, ask)) co_return *bad;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  auto before = co_await c.deliveries.pause_state(w->environment_id, w->id);
  if (!before.ok()) co_return http::error_response(before.error());
  int64_t now = clock::now_millis();
  // Unknown when it was disabled (before hookd recorded it): its record's last change if it is disabled now;
  // an active endpoint never disabled replays no failures unless `since` says from when.
  int64_t disabled_at = before->disabled_at ? before->disabled_at : (w->is_active ? now : w->updated_at);
  int64_t since = ask.since.value_or(disabled_at);

  EnableCounts counts;
  store::Webhook current = *w;
  dispatch::DeliveryStore::PauseState state = *before;
  if (ask.dry_run) {
    if (ask.replay) {
      counts.resumed = static_cast<size_t>(before->paused);
      auto failed = co_await c.deliveries.failed_ids_since(w->environment_id, w->id, since);
      if (!failed.ok()) co_return http::error_response(failed.error());
      counts.replayed = failed->size();
    }
  } else {
    bool enabled = false;
    store::Store::WebhookChange change = [&](store::Webhook& cur) {
      enabled = !cur.is_active;
      if (!enabled) return false;
      cur.is_active = true;
      cur.disabled_reason.clear();
      cur.updated_at = now;
      return true;
    };
    auto updated = co_await c.store.update_webhook(w->id, change);
    if (!updated.ok()) co_return http::error_response(updated.error());
    current = std::move(updated).value();
    // As PATCH does: a fresh failure count, and dispatch schedules instead of pausing from now on (told
    // again when it was active already: a retried enable whose first answer was lost).
    if (enabled) {
      if (Status s = co_await c.deliveries.reset_health(w->environment_id, w->id); !s.ok())
        co_return http::error_response(s.error());
    }
    auto marked = co_await c.deliveries.mark_enabled(w->environment_id, w->id, now);
    if (!marked.ok()) co_return http::error_response(marked.error());
    state = *marked;
    if (ask.replay) {
      auto done = co_await resume_and_replay(c, current, since, now);
      if (!done.ok()) co_return http::error_response(done.error());
      counts = *done;
      if ((counts.resumed || counts.replayed) && c.dispatcher) c.dispatcher->wake();
    }
  }
  json::ObjectBuilder out;
  out.set("webhook", store::to_public_json(current)).set("dry_run", ask.dry_run).set("replay", ask.replay);
  out.set("since", ask.replay && since ? json::Value(clock::iso8601(since)) : json::Value(nullptr));
  out.set("paused", json::Value(state.paused)).set("paused_dropped", json::Value(state.paused_dropped));
  out.set("resumed", json::Value(counts.resumed)).set("replayed", json::Value(counts.replayed));
  out.set("skipped", json::Value(counts.skipped));
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

awaitable<http::Response> route_disable_webhook(AdminContext& c, http::RequestContext& req,
                                                const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  const json::Value& r = body->get("reason");
  if (!r.is_undefined() && (!r.is_string() || r.as_string().size() > 500))
    co_return validation_error("reason", "must be a string of at most 500 characters");
  std::string reason =
      r.is_string() && !r.as_string().empty() ? std::string(r.as_string()) : "disabled through the API";
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  int64_t now = clock::now_millis();
  store::Store::WebhookChange change = [&](store::Webhook& cur) {
    if (!cur.is_active) return false;  // disabled already: its reason stays
    cur.is_active = false;
    cur.disabled_reason = reason;
    cur.updated_at = now;
    return true;
  };
  auto updated = co_await c.store.update_webhook(w->id, change);
  if (!updated.ok()) co_return http::error_response(updated.error());
  // Also when it was disabled already: the first disabled_at is kept, and a missing one is recorded.
  if (Status s = co_await c.deliveries.mark_disabled(w->environment_id, w->id, now); !s.ok())
    co_return http::error_response(s.error());
  co_return http::json_response(http::Status::ok, store::to_public_json(*updated));
}

awaitable<http::Response> route_list_notices(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto limit = page_limit(req, 50, 200, err);
  if (!limit) co_return err;
  dispatch::NoticeStore notices(c.store);
  auto list = co_await notices.list(p.environment_id, *limit);
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& n : *list)
    items.push_back(dispatch::to_json(n));
  co_return page_response(std::move(items), "");
}

constexpr Route routes[] = {
    {http::Verb::post, "/webhook", Access::environment, route_create_webhook},
    {http::Verb::get, "/webhook", Access::environment, route_list_webhooks},
    {http::Verb::get, "/webhook/{id}", Access::environment, route_get_webhook},
    {http::Verb::patch, "/webhook/{id}", Access::environment, route_update_webhook},
    {http::Verb::post, "/webhook/{id}/rotate-secret", Access::environment, route_rotate_webhook_secret},
    {http::Verb::get, "/webhook/{id}/secret", Access::environment, route_get_webhook_secret},
    {http::Verb::delete_, "/webhook/{id}", Access::environment, route_delete_webhook},
    {http::Verb::post, "/webhook/test", Access::environment, route_send_test_event},
    {http::Verb::post, "/webhook/{id}/enable", Access::environment, route_enable_webhook},
    {http::Verb::post, "/webhook/{id}/disable", Access::environment, route_disable_webhook},
    // A literal segment wins over /environment/{id} (operator only): this one is the calling environment's.
    {http::Verb::get, "/environment/notices", Access::environment, route_list_notices},
};

}  // namespace

std::span<const Route> webhook_routes() {
  return routes;
}

}  // namespace hookd::admin
