// Environments and their API tokens (operator token).
//
//   POST   /environment                      {name, variables?}    -> 201 environment
//   GET    /environment ?limit &cursor                             -> {result: [...], next_cursor}
//   GET    /environment/{id}
//   PATCH  /environment/{id}                 {name?, variables?}
//   POST   /environment/{id}/api-token       {name?}               -> 201 {..., token}  (shown once)
//   GET    /environment/{id}/api-token                             -> tokens without secrets
//   POST   /environment/{id}/api-token/{token_id}/rotate           -> 201 a new token; the old one is revoked
//   DELETE /environment/{id}/api-token/{token_id}                  -> 204
#include <algorithm>

#include "admin/routes.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"

namespace hookd::admin {

namespace {

std::optional<http::Response> apply_environment_fields(const json::Value& body, store::Environment& e,
                                                       bool create) {
  const json::Value& name = body.get("name");
  if (create || !name.is_undefined()) {
    if (!name.is_string() || name.as_string().empty() || name.as_string().size() > 100)
      return validation_error("name", "must be a non-empty string of at most 100 characters");
    e.name = std::string(name.as_string());
  }
  const json::Value& vars = body.get("variables");
  if (!vars.is_undefined()) {
    if (!vars.is_object()) return validation_error("variables", "must be an object of name -> value");
    e.variables = vars;
  }
  return std::nullopt;
}

json::Value token_json(const store::ApiToken& t, const std::string* secret) {
  json::ObjectBuilder b;
  b.set("id", t.id).set("environment_id", t.environment_id).set("name", t.name).set("prefix", t.prefix);
  b.set("created_at", store::time_value(t.created_at));
  if (secret) b.set("token", *secret);
  return std::move(b).build();
}

awaitable<http::Response> mint_token(AdminContext& ctx, const std::string& env, std::string name) {
  std::string secret = ids::api_token();
  int64_t now = clock::now_millis();
  store::ApiToken t{
      ids::uuid_v4(), env, std::move(name), secret.substr(0, 12), crypto::sha256_hex(secret), now};
  Status s = co_await ctx.store.put_token(t);
  if (!s.ok()) co_return http::error_response(s.error());
  json::Value public_view = token_json(t, nullptr);
  co_await publish(ctx, "api_token:created", env, public_view);
  co_return http::json_response(http::Status::created, token_json(t, &secret));
}

// Revoking and rotating share the lookup and the delete; rotating also mints the replacement.
awaitable<http::Response> revoke_token(AdminContext& c, http::RequestContext& req, bool rotate) {
  auto t = co_await c.store.get_token(req.param("token_id"));
  if (!t.ok() || t->environment_id != req.param("id"))
    co_return not_found("api token", req.param("token_id"));
  Status s = co_await c.store.delete_token(*t);
  if (!s.ok()) co_return http::error_response(s.error());
  co_await publish(c, "api_token:deleted", t->environment_id, token_json(*t, nullptr));
  if (rotate) co_return co_await mint_token(c, t->environment_id, t->name);
  co_return http::Response{http::Status::no_content, 11};
}

awaitable<http::Response> route_revoke_token(AdminContext& c, http::RequestContext& req, const Principal&) {
  return revoke_token(c, req, false);
}

awaitable<http::Response> route_rotate_token(AdminContext& c, http::RequestContext& req, const Principal&) {
  return revoke_token(c, req, true);
}

awaitable<http::Response> route_create_environment(AdminContext& c, http::RequestContext& req,
                                                   const Principal&) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  store::Environment e;
  if (auto bad = apply_environment_fields(*body, e, true)) co_return *bad;
  e.id = ids::uuid_v4();
  e.created_at = e.updated_at = clock::now_millis();
  Status s = co_await c.store.put_environment(e);
  if (!s.ok()) co_return http::error_response(s.error());
  co_return http::json_response(http::Status::created, store::to_json(e));
}

awaitable<http::Response> route_list_environments(AdminContext& c, http::RequestContext& req,
                                                  const Principal&) {
  auto list = co_await c.store.list_environments();
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& e : *list)
    items.push_back(store::to_json(e));
  co_return list_page(req, std::move(items));
}

awaitable<http::Response> route_get_environment(AdminContext& c, http::RequestContext& req,
                                                const Principal&) {
  auto e = co_await c.store.get_environment(req.param("id"));
  if (!e.ok()) co_return http::error_response(e.error());
  co_return http::json_response(http::Status::ok, store::to_json(*e));
}

awaitable<http::Response> route_update_environment(AdminContext& c, http::RequestContext& req,
                                                   const Principal&) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  // Read, change, write if unchanged meanwhile: two concurrent PATCHes (one the name, one a variable) both
  // land, each applied to the other's result, instead of the later one putting back what it read.
  for (int attempt = 1;; ++attempt) {
    auto e = co_await c.store.get_environment(req.param("id"));
    if (!e.ok()) co_return http::error_response(e.error());
    const int64_t read_updated_at = e->updated_at;
    if (auto bad = apply_environment_fields(*body, *e, false)) co_return *bad;
    e->updated_at = std::max(clock::now_millis(), read_updated_at + 1);
    Status s = co_await c.store.update_environment(*e, read_updated_at);
    if (s.ok()) co_return http::json_response(http::Status::ok, store::to_json(*e));
    if (s.error().code != store::StoreErrc::conflict || attempt == 5)
      co_return http::error_response(s.error());
  }
}

awaitable<http::Response> route_create_token(AdminContext& c, http::RequestContext& req, const Principal&) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  auto e = co_await c.store.get_environment(req.param("id"));
  if (!e.ok()) co_return http::error_response(e.error());
  const json::Value& name = body->get("name");
  if (!name.is_undefined() && !name.is_string()) co_return validation_error("name", "must be a string");
  co_return co_await mint_token(c, e->id, std::string(name.string_or("")));
}

awaitable<http::Response> route_list_tokens(AdminContext& c, http::RequestContext& req, const Principal&) {
  auto e = co_await c.store.get_environment(req.param("id"));
  if (!e.ok()) co_return http::error_response(e.error());
  auto list = co_await c.store.list_tokens(e->id);
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& t : *list)
    items.push_back(token_json(t, nullptr));
  co_return list_page(req, std::move(items));
}

constexpr Route routes[] = {
    {http::Verb::post, "/environment", Access::operator_only, route_create_environment},
    {http::Verb::get, "/environment", Access::operator_only, route_list_environments},
    {http::Verb::get, "/environment/{id}", Access::operator_only, route_get_environment},
    {http::Verb::patch, "/environment/{id}", Access::operator_only, route_update_environment},
    {http::Verb::post, "/environment/{id}/api-token", Access::operator_only, route_create_token},
    {http::Verb::get, "/environment/{id}/api-token", Access::operator_only, route_list_tokens},
    {http::Verb::delete_, "/environment/{id}/api-token/{token_id}", Access::operator_only,
     route_revoke_token},
    {http::Verb::post, "/environment/{id}/api-token/{token_id}/rotate", Access::operator_only,
     route_rotate_token},
};

}  // namespace

std::span<const Route> environment_routes() {
  return routes;
}

}  // namespace hookd::admin
