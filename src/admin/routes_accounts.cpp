// Integrated accounts (environment token).
//
//   POST   /integrated-account          import: {tenant_id, environment_integration_id, context?,
//                                         authentication_method, region?, is_sandbox?}   -> 201 account
//   GET    /integrated-account          ?tenant_id= &integration= &status= &limit= &cursor=  (newest first)
//   GET    /integrated-account/{id}
//   PATCH  /integrated-account/{id}     {context?, status?, last_error?, last_action_result?}
//   DELETE /integrated-account/{id}     -> the deleted account
//   POST   /integrated-account/{id}/run-post-install-actions                             -> 501
//
// Lifecycle events, one per state change, through Kafka like vendor events: integrated_account:created on
// import, :updated on every PATCH that changes something, and for a status change :active, :reactivated
// (needs_reauth -> active), :post_install_error, :validation_error, :authentication_error (-> needs_reauth);
// :deleted on delete. Their payload is the account object as this API returns it.
#include "admin/routes.h"
#include "admin/secrets.h"
#include "core/clock.h"
#include "core/ids.h"

namespace hookd::admin {

namespace {

constexpr std::string_view kAuthMethods[] = {"oauth2", "api_key", "oauth2_client_credentials", "keka_oauth"};
constexpr std::string_view kRegions[] = {"wnam", "enam", "apac", "eu"};

template <size_t N>
bool one_of(std::string_view v, const std::string_view (&options)[N]) {
  for (auto o : options)
    if (o == v) return true;
  return false;
}

// The account as the API shows it: the record plus the integration it belongs to.
json::Value account_json(const store::IntegratedAccount& a, const store::Integration* integration) {
  json::ObjectBuilder b(store::to_json(a));
  b.erase("version").erase("integration_id");
  if (integration) {
    json::ObjectBuilder i;
    i.set("id", integration->id).set("name", integration->name).set("category", integration->category);
    // Environment tokens only: the catalog's literal secrets are not theirs to read.
    i.set("is_beta", integration->is_beta).set("config", redact_secrets(integration->config));
    b.set("integration", std::move(i).build());
  }
  return std::move(b).build();
}

std::string_view status_event(store::AccountStatus from, store::AccountStatus to) {
  using S = store::AccountStatus;
  switch (to) {
    case S::active:
      return from == S::needs_reauth ? "integrated_account:reactivated" : "integrated_account:active";
    case S::post_install_error:
      return "integrated_account:post_install_error";
    case S::validation_error:
      return "integrated_account:validation_error";
    case S::needs_reauth:
      return "integrated_account:authentication_error";
    case S::connecting:
      return {};
  }
  return {};
}

// Loads an account of the caller's environment; another environment's account is "not found".
awaitable<std::optional<store::IntegratedAccount>> load(AdminContext& c, std::string_view id,
                                                        const Principal& p, http::Response& error) {
  auto a = co_await c.store.get_account(id);
  if (a.ok() && a->environment_id == p.environment_id) co_return std::move(a).value();
  error = !a.ok() && a.error().code != store::StoreErrc::not_found ? http::error_response(a.error())
                                                                   : not_found("integrated account", id);
  co_return std::nullopt;
}

awaitable<std::optional<store::Integration>> integration_of(AdminContext& c,
                                                            const store::IntegratedAccount& a) {
  auto i = co_await c.store.get_integration(a.integration_id);
  if (i.ok()) co_return std::move(i).value();
  co_return std::nullopt;
}

awaitable<http::Response> route_create_account(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  store::IntegratedAccount a;
  const json::Value& tenant = body->get("tenant_id");
  if (!tenant.is_string() || tenant.as_string().empty())
    co_return validation_error("tenant_id", "is required (a non-empty string)");
  const json::Value& install_id = body->get("environment_integration_id");
  if (!install_id.is_string() || install_id.as_string().empty())
    co_return validation_error("environment_integration_id", "is required");
  const json::Value& context = body->get("context");
  if (!context.is_undefined() && !context.is_object())
    co_return validation_error("context", "must be an object");
  const json::Value& method = body->get("authentication_method");
  if (!method.is_string() || !one_of(method.as_string(), kAuthMethods))
    co_return validation_error("authentication_method",
                               "must be one of oauth2, api_key, oauth2_client_credentials, keka_oauth");
  const json::Value& region = body->get("region");
  if (!region.is_undefined() && (!region.is_string() || !one_of(region.as_string(), kRegions)))
    co_return validation_error("region", "must be one of wnam, enam, apac, eu");
  const json::Value& sandbox = body->get("is_sandbox");
  if (!sandbox.is_undefined() && !sandbox.is_bool())
    co_return validation_error("is_sandbox", "must be true or false");

  auto install = co_await c.store.get_environment_integration(install_id.as_string());
  if (!install.ok() || install->environment_id != p.environment_id) {
    if (!install.ok() && install.error().code != store::StoreErrc::not_found)
      co_return http::error_response(install.error());
    co_return validation_error(
        "environment_integration_id",
        "no environment integration " + std::string(install_id.as_string()) + " in this environment");
  }
  auto integration = co_await c.store.get_integration(install->integration_id);
  if (!integration.ok()) co_return http::error_response(integration.error());

  a.id = ids::uuid_v4();
  a.tenant_id = std::string(tenant.as_string());
  a.environment_id = p.environment_id;
  a.environment_integration_id = install->id;
  a.integration_id = integration->id;
  a.context = context.is_undefined() ? json::Value::empty_object() : context;
  a.status = store::AccountStatus::active;
  a.last_error = nullptr;
  a.last_action_result = nullptr;
  a.authentication_method = std::string(method.as_string());
  a.region = std::string(region.string_or("wnam"));
  a.is_sandbox = sandbox.bool_or(false);
  a.created_at = a.updated_at = clock::now_millis();
  Status s = co_await c.store.create_account(a);
  if (!s.ok()) co_return http::error_response(s.error());
  json::Value out = account_json(a, &*integration);
  co_await publish(c, "integrated_account:created", p.environment_id, out, a.id);
  co_return http::json_response(http::Status::created, out);
}

awaitable<http::Response> route_list_accounts(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  http::Response err;
  auto limit = page_limit(req, 50, 500, err);
  if (!limit) co_return err;
  store::AccountFilter f;
  if (auto v = req.query_value("tenant_id")) f.tenant_id = *v;
  if (auto v = req.query_value("integration")) f.integration_id = *v;
  if (auto v = req.query_value("status")) {
    f.status = store::account_status_from(*v);
    if (!f.status)
      co_return validation_error("status",
                                 "must be one of active, connecting, post_install_error, validation_error, "
                                 "needs_reauth");
  }
  const std::string* cursor = req.query_value("cursor");
  // not inside co_await: GCC 12 evaluates both arms there
  std::string after = cursor ? *cursor : "";
  auto page = co_await c.store.list_accounts(p.environment_id, f, after, *limit);
  if (!page.ok()) co_return http::error_response(page.error());
  std::map<std::string, std::optional<store::Integration>> integrations;
  std::vector<json::Value> items;
  for (const auto& a : page->items) {
    auto& slot = integrations[a.integration_id];
    if (!slot) slot = co_await integration_of(c, a);
    items.push_back(account_json(a, slot ? &*slot : nullptr));
  }
  co_return page_response(std::move(items), page->next_cursor);
}

awaitable<http::Response> route_get_account(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto a = co_await load(c, req.param("id"), p, err);
  if (!a) co_return err;
  auto integration = co_await integration_of(c, *a);
  co_return http::json_response(http::Status::ok, account_json(*a, integration ? &*integration : nullptr));
}

awaitable<http::Response> route_update_account(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  for (const auto& m : body->members())
    if (m.name() != "context" && m.name() != "status" && m.name() != "last_error" &&
        m.name() != "last_action_result")
      co_return validation_error(m.name(),
                                 "cannot be changed (context, status, last_error, last_action_result can)");
  const json::Value& context = body->get("context");
  if (!context.is_undefined() && !context.is_object())
    co_return validation_error("context", "must be an object");
  std::optional<store::AccountStatus> status;
  if (const json::Value& st = body->get("status"); !st.is_undefined()) {
    status = st.is_string() ? store::account_status_from(st.as_string()) : std::nullopt;
    if (!status)
      co_return validation_error("status",
                                 "must be one of active, connecting, post_install_error, "
                                 "validation_error, needs_reauth");
  }
  // Read-modify-write with compare-and-set; a concurrent change (update_context from a webhook)
  // wins the race once and this one retries on top of it.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto a = co_await load(c, req.param("id"), p, err);
    if (!a) co_return err;
    store::IntegratedAccount next = *a;
    if (context.is_object()) {
      // PATCH merges top-level keys; a null value removes the key.
      json::ObjectBuilder merged(next.context);
      for (const auto& m : context.members()) {
        if (m.value.is_null())
          merged.erase(m.name());
        else
          merged.set(m.key, m.value);
      }
      next.context = std::move(merged).build();
    }
    if (status) next.status = *status;
    if (body->contains("last_error")) next.last_error = body->get("last_error");
    if (body->contains("last_action_result")) next.last_action_result = body->get("last_action_result");
    bool changed = !json::equal(store::to_json(next), store::to_json(*a));
    if (!changed) {
      auto integration = co_await integration_of(c, *a);
      co_return http::json_response(http::Status::ok,
                                    account_json(*a, integration ? &*integration : nullptr));
    }
    next.version = a->version + 1;
    next.updated_at = clock::now_millis();
    Status s = co_await c.store.update_account(next, a->version);
    if (!s.ok() && s.error().code == store::StoreErrc::conflict) continue;
    if (!s.ok()) co_return http::error_response(s.error());
    auto integration = co_await integration_of(c, next);
    json::Value out = account_json(next, integration ? &*integration : nullptr);
    co_await publish(c, "integrated_account:updated", p.environment_id, out, next.id);
    if (next.status != a->status)
      if (auto type = status_event(a->status, next.status); !type.empty())
        co_await publish(c, std::string(type), p.environment_id, out, next.id);
    co_return http::json_response(http::Status::ok, out);
  }
  co_return http::error_response(http::Status::conflict, "conflict", "the account kept changing; retry");
}

awaitable<http::Response> route_delete_account(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto a = co_await load(c, req.param("id"), p, err);
  if (!a) co_return err;
  Status s = co_await c.store.delete_account(*a);
  if (!s.ok()) co_return http::error_response(s.error());
  auto integration = co_await integration_of(c, *a);
  json::Value out = account_json(*a, integration ? &*integration : nullptr);
  co_await publish(c, "integrated_account:deleted", p.environment_id, out, a->id);
  co_return http::json_response(http::Status::ok, out);
}

awaitable<http::Response> route_run_post_install_actions(AdminContext& c, http::RequestContext& req,
                                                         const Principal& p) {
  http::Response err;
  auto a = co_await load(c, req.param("id"), p, err);
  if (!a) co_return err;
  co_return http::error_response(http::Status::not_implemented, "not_implemented",
                                 "post-install actions run in the integration platform, not in hookd");
}

constexpr Route routes[] = {
    {http::Verb::post, "/integrated-account", Access::environment, route_create_account},
    {http::Verb::get, "/integrated-account", Access::environment, route_list_accounts},
    {http::Verb::get, "/integrated-account/{id}", Access::environment, route_get_account},
    {http::Verb::patch, "/integrated-account/{id}", Access::environment, route_update_account},
    {http::Verb::delete_, "/integrated-account/{id}", Access::environment, route_delete_account},
    {http::Verb::post, "/integrated-account/{id}/run-post-install-actions", Access::environment,
     route_run_post_install_actions},
};

}  // namespace

std::span<const Route> account_routes() {
  return routes;
}

}  // namespace hookd::admin
