// Events from internal producers (sync jobs, batch jobs, the platform's own services), environment token:
//
//   POST /event   {event, payload?, integrated_account_id?}   -> 202 {id, event, created_at}
//   GET  /event/{id}                                          -> {id, event, environment_id,
//                                                                 integrated_account_id, created_at, payload}
//
// GET reads the copy dispatch keeps for retries and replays (keys::event, HOOKD_EVENT_RETENTION): 404 once it
// has expired, and for another environment's event (which must not be told apart from a missing one).
//
// The environment comes from the token; `event` must be one of the types customers can subscribe to (see
// core/event.h). The event goes through Kafka and the dispatcher like a vendor's, with its own stable id.
#include "admin/routes.h"
#include "core/clock.h"

namespace hookd::admin {

namespace {

awaitable<http::Response> publish_internal_event(AdminContext& c, http::RequestContext& req,
                                                 const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  for (const auto& m : body->members())
    if (m.name() != "event" && m.name() != "payload" && m.name() != "integrated_account_id")
      co_return validation_error(m.name(), "unknown field (event, payload, integrated_account_id)");
  const json::Value& type = body->get("event");
  if (!type.is_string() || !is_publishable_event_type(type.as_string()))
    co_return validation_error("event",
                               "must be an event type such as sync_job_run:completed or "
                               "record:updated (" +
                                   json::dump(type) + " is not one)");
  const json::Value& payload = body->get("payload");
  if (!payload.is_undefined() && !payload.is_object())
    co_return validation_error("payload", "must be an object");
  std::string account;
  if (const json::Value& a = body->get("integrated_account_id"); !a.is_undefined()) {
    if (!a.is_string()) co_return validation_error("integrated_account_id", "must be a string");
    // An account of another environment does not exist, as far as this token can tell.
    auto found = co_await c.store.get_account(a.as_string());
    if (!found.ok() && found.error().code != store::StoreErrc::not_found)
      co_return http::error_response(found.error());
    if (!found.ok() || found->environment_id != p.environment_id)
      co_return validation_error(
          "integrated_account_id",
          "no integrated account " + std::string(a.as_string()) + " in this environment");
    account = found->id;
  }
  Event e = make_event(std::string(type.as_string()), p.environment_id,
                       payload.is_undefined() ? json::Value::empty_object() : payload, account);
  if (!co_await publish_event(c, e))
    co_return http::error_response(http::Status::service_unavailable, "service_unavailable",
                                   "the event could not be stored; retry");
  json::ObjectBuilder out;
  out.set("id", e.id).set("event", e.type).set("created_at", clock::iso8601(e.created_at));
  co_return http::json_response(http::Status::accepted, std::move(out).build());
}

awaitable<http::Response> route_get_event(AdminContext& c, http::RequestContext& req, const Principal& p) {
  std::string id(req.param("id"));
  auto text = co_await c.deliveries.event_json(p.environment_id, id);
  if (!text.ok() && text.error().code != store::StoreErrc::not_found)
    co_return http::error_response(text.error());
  if (!text.ok()) co_return not_found("event", id);
  auto e = parse_event(*text);
  if (!e.ok() || e->environment_id != p.environment_id) co_return not_found("event", id);
  json::ObjectBuilder out;
  out.set("id", e->id).set("event", e->type).set("environment_id", e->environment_id);
  out.set("integrated_account_id",
          e->integrated_account_id.empty() ? json::Value(nullptr) : json::Value(e->integrated_account_id));
  out.set("created_at", clock::iso8601(e->created_at));
  out.set("payload", e->payload.is_undefined() ? json::Value(nullptr) : e->payload);
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

constexpr Route routes[] = {
    {http::Verb::post, "/event", Access::environment, publish_internal_event},
    {http::Verb::get, "/event/{id}", Access::environment, route_get_event},
};

}  // namespace

std::span<const Route> event_routes() {
  return routes;
}

}  // namespace hookd::admin
