// How hookd is pacing an endpoint (environment token):
//
//   GET /webhook/{id}/flow
//
//   { "webhook_id",
//     "retry_budget": { "rate_per_second", "next_slot_at" }     across the fleet (null: no history, the
//                                                                initial rate applies)
//     "breaker": { "state", "open_until", "changed_at" }       as the last dispatcher whose breaker changed
//                                                                reported it (null: none ever opened)
//     "node": { "breaker", "concurrency_limit", "in_flight", "consecutive_failures", "open_until",
//               "admitted", "deferred" }                       this node's flow control, when it dispatches
//   }
//
// The policies themselves are in dispatch/endpoint_flow.h and dispatch/retry_budget.h.
#include "admin/routes.h"
#include "core/clock.h"
#include "dispatch/retry_budget.h"

namespace hookd::admin {

namespace {

json::Value time_or_null(int64_t ms) {
  return ms > 0 ? json::Value(clock::iso8601(ms)) : json::Value(nullptr);
}

awaitable<http::Response> route_get_webhook_flow(AdminContext& c, http::RequestContext& req,
                                                 const Principal& p) {
  http::Response err;
  auto w = co_await load_webhook(c, req.param("id"), p, err);
  if (!w) co_return err;
  auto fleet = co_await dispatch::read_endpoint_flow(c.store, w->environment_id, w->id);
  if (!fleet.ok()) co_return http::error_response(fleet.error());
  int64_t now = clock::now_millis();

  json::ObjectBuilder out;
  out.set("webhook_id", w->id);
  if (fleet->rate > 0) {
    json::ObjectBuilder budget;
    budget.set("rate_per_second", fleet->rate)
        .set("next_slot_at", time_or_null(std::max(fleet->next_slot, now)));
    out.set("retry_budget", std::move(budget).build());
  } else {
    out.set("retry_budget", nullptr);
  }
  if (!fleet->breaker.empty()) {
    bool open = fleet->breaker == "open" && fleet->breaker_until > now;
    json::ObjectBuilder breaker;
    breaker.set("state", fleet->breaker == "open" ? (open ? "open" : "half_open") : "closed")
        .set("open_until", time_or_null(open ? fleet->breaker_until : 0))
        .set("changed_at", time_or_null(fleet->breaker_at));
    out.set("breaker", std::move(breaker).build());
  } else {
    out.set("breaker", nullptr);
  }
  if (c.dispatcher) {
    dispatch::EndpointFlowState s = c.dispatcher->flows().state(w->id, now);
    json::ObjectBuilder node;
    node.set("breaker", dispatch::to_string(s.breaker))
        .set("concurrency_limit", s.limit)
        .set("in_flight", json::Value(s.in_flight))
        .set("consecutive_failures", s.consecutive_failures)
        .set("open_until", time_or_null(s.open_until))
        .set("admitted", json::Value(s.admitted))
        .set("deferred", json::Value(s.denied));
    out.set("node", std::move(node).build());
  } else {
    out.set("node", nullptr);
  }
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

constexpr Route routes[] = {
    {http::Verb::get, "/webhook/{id}/flow", Access::environment, route_get_webhook_flow},
};

}  // namespace

std::span<const Route> flow_routes() {
  return routes;
}

}  // namespace hookd::admin
