// Customers' webhook endpoints (environment token).
//
//   POST   /webhook                      {target_url, event_types?, is_active?}
//                                        -> 201 with the signing `secret`
//   GET    /webhook
//   GET    /webhook/{id}
//   PATCH  /webhook/{id}                 {target_url?, event_types?, is_active?}
//   POST   /webhook/{id}/rotate-secret   -> a new secret; the old one keeps signing for the overlap window
//   DELETE /webhook/{id}                 -> 204
//   POST   /webhook/test                 {id}
//                                        -> sends a `test` event to that endpoint through Kafka and dispatch
//
// target_url must be https to a public address unless the operator allowlisted the host (development); the
// check runs again on every connection, against every address the name resolves to.
#include "admin/routes.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"

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
  co_return http::json_response(http::Status::ok, store::to_json(*w));
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
  co_return http::json_response(http::Status::created, store::to_json(w));
}

awaitable<http::Response> route_list_webhooks(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  auto list = co_await c.store.list_webhooks(p.environment_id);
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& w : *list)
    items.push_back(store::to_json(w));
  co_return list_page(req, std::move(items));
}

awaitable<http::Response> route_get_webhook(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  co_return http::json_response(http::Status::ok, store::to_json(*w));
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
  if (enabled && res.result() == http::Status::ok) (void)co_await c.deliveries.reset_health(w->id);
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
  co_return co_await update(c, w->id, change);
}

awaitable<http::Response> route_delete_webhook(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  Status s = co_await c.store.delete_webhook(*w);
  if (!s.ok()) co_return http::error_response(s.error());
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

constexpr Route routes[] = {
    {http::Verb::post, "/webhook", Access::environment, route_create_webhook},
    {http::Verb::get, "/webhook", Access::environment, route_list_webhooks},
    {http::Verb::get, "/webhook/{id}", Access::environment, route_get_webhook},
    {http::Verb::patch, "/webhook/{id}", Access::environment, route_update_webhook},
    {http::Verb::post, "/webhook/{id}/rotate-secret", Access::environment, route_rotate_webhook_secret},
    {http::Verb::delete_, "/webhook/{id}", Access::environment, route_delete_webhook},
    {http::Verb::post, "/webhook/test", Access::environment, route_send_test_event},
};

}  // namespace

std::span<const Route> webhook_routes() {
  return routes;
}

}  // namespace hookd::admin
