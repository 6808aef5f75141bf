// Shared by the admin route files: authentication, JSON bodies, validation errors, pagination, publishing
// events.
#pragma once

#include <optional>
#include <string>

#include "admin/admin.h"
#include "core/event.h"
#include "http/error.h"
#include "http/message.h"

namespace hookd::admin {

struct Principal {
  bool is_operator = false;
  std::string environment_id;  // set for environment tokens
  std::string token_id;
};

// Authenticates the bearer token. On failure `error` is the 401 to answer.
awaitable<std::optional<Principal>> authenticate(AdminContext& ctx, const http::RequestContext& req,
                                                 http::Response& error);

// The request body as a JSON object, or the 400 to answer (an empty body is an empty object).
std::optional<json::Value> object_body(const http::RequestContext& req, http::Response& error);

// 400 {"error":"validation_error","message":"<field>: <problem>","field":"<field>"}
http::Response validation_error(std::string_view field, std::string_view problem);
// 404 {"error":"not_found","message":"<what> <id> not found"}. Errors the store returns are answered by
// http::error_response(const Error&), the one mapping of typed errors to HTTP.
http::Response not_found(std::string_view what, std::string_view id);
// The principal's environment's webhook `id`, or nullopt and the answer in `error`: 404 when it does not exist
// or belongs to another environment (which must not be told apart), the store's error otherwise.
awaitable<std::optional<store::Webhook>> load_webhook(AdminContext& c, std::string_view id,
                                                      const Principal& p, http::Response& error);

// `limit` query parameter (1..max, default def), or nullopt and the 400 in `error`.
std::optional<size_t> page_limit(const http::RequestContext& req, size_t def, size_t max,
                                 http::Response& error);
// { "result": [...], "next_cursor": "..." | null }
http::Response page_response(std::vector<json::Value> items, const std::string& next_cursor);
// One page of a list the store returns whole (environments, tokens, integrations, installs, webhooks: tens of
// records, not millions), with the same `limit` (default 100, at most 500) and `cursor` as the store-paged
// lists. Oldest first, by (created_at, id); the cursor names the last item's position, so a page boundary
// survives records being added or deleted between calls.
http::Response list_page(const http::RequestContext& req, std::vector<json::Value> items);

// Publishes an event and waits for Kafka's acknowledgement. False (and logs) if it failed.
// Pass a named Event: GCC 12 destroys an aggregate temporary inside a co_await expression twice.
awaitable<bool> publish_event(AdminContext& ctx, const Event& event);
// Builds the event (fresh id, now) and publishes it.
awaitable<bool> publish(AdminContext& ctx, std::string type, std::string environment_id, json::Value payload,
                        std::string integrated_account_id = {});

// 429 with Retry-After when the principal's token is over its rate, else nothing.
std::optional<http::Response> rate_limited(AdminContext& ctx, const Principal& p);

// A route that needs an environment token: the handler gets the environment id.
using EnvHandler =
    std::function<awaitable<http::Response>(AdminContext&, http::RequestContext&, const Principal&)>;
http::Handler environment_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler);
// A route for the operator token only.
http::Handler operator_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler);
// A route any valid token may call (the integration catalog is readable by every environment).
http::Handler any_token_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler);

}  // namespace hookd::admin
