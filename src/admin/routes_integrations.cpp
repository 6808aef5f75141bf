// The integration catalog (operator token) and its installs per environment (environment token).
//
//   POST   /integration                    {name, category?, is_beta?, config}   -> 201   (operator)
//   GET    /integration                                                          (operator and environments)
//   GET    /integration/{id}                                                     (id or name)
//   PATCH  /integration/{id}               {category?, is_beta?, config?}        (operator)
//   POST   /environment-integration        {integration_id, override?, is_enabled?} -> 201
//   GET    /environment-integration
//   GET    /environment-integration/{id}
//   PATCH  /environment-integration/{id}   {override?, is_enabled?}
//
// Every config is validated when stored: the webhook section compiles (signature config, JSONata) or the call
// answers 400 naming the field. A change bumps the record's version; ingest compiles by version, so every
// node uses the new config from its next request.
#include "admin/routes.h"
#include "admin/secrets.h"
#include "core/clock.h"
#include "core/ids.h"
#include "ingest/webhook_config.h"

namespace hookd::admin {

namespace {

// Validating a config compiles its JSONata: CPU work sized by the config (bounded by the expression size
// limit), done on a thread of its own so that config writes never hold the I/O threads that serve vendors and
// probes.
asio::thread_pool& compile_pool() {
  static asio::thread_pool pool(1);
  return pool;
}

// `work` by reference, named by the caller: a temporary in a co_await expression is destroyed twice by
// GCC 12.
using ConfigCheck = std::function<std::optional<http::Response>()>;
awaitable<std::optional<http::Response>> off_io_threads(const ConfigCheck& work) {
  co_return co_await asio::co_spawn(
      compile_pool(), [&work]() -> awaitable<std::optional<http::Response>> { co_return work(); },
      asio::use_awaitable);
}

std::optional<http::Response> check_webhook_config(const json::Value& config, std::string_view field) {
  if (!config.is_object()) return validation_error(field, "must be an object");
  auto compiled = ingest::WebhookConfig::compile(config.get("webhook"));
  if (!compiled.ok()) return validation_error(std::string(field) + "." + "webhook", compiled.error().message);
  return std::nullopt;
}

std::optional<http::Response> apply_integration_fields(const json::Value& body, store::Integration& i,
                                                       bool create) {
  if (create) {
    const json::Value& name = body.get("name");
    if (!name.is_string() || name.as_string().empty() || name.as_string().size() > 100 ||
        name.as_string().find_first_of(" /:") != std::string_view::npos)
      return validation_error("name",
                              "must be a non-empty name without spaces, '/' or ':' (e.g. \"shopify\")");
    i.name = std::string(name.as_string());
  }
  const json::Value& category = body.get("category");
  if (!category.is_undefined()) {
    if (!category.is_string()) return validation_error("category", "must be a string");
    i.category = std::string(category.as_string());
  }
  const json::Value& beta = body.get("is_beta");
  if (!beta.is_undefined()) {
    if (!beta.is_bool()) return validation_error("is_beta", "must be true or false");
    i.is_beta = beta.as_bool();
  }
  const json::Value& config = body.get("config");
  if (create || !config.is_undefined()) {
    if (auto bad =
            check_webhook_config(config.is_undefined() ? json::Value::empty_object() : config, "config"))
      return bad;
    i.config = config.is_undefined() ? json::Value::empty_object() : config;
  }
  return std::nullopt;
}

// What environments see of a catalog entry (the account object embeds it too).
// The catalog entry as `p` may see it: literal secrets are the operator's only (see admin/secrets.h).
json::Value integration_json(const store::Integration& i, const Principal& p) {
  json::Value out = store::to_json(i);
  if (p.is_operator) return out;
  json::ObjectBuilder b(out);
  b.set("config", redact_secrets(i.config));
  return std::move(b).build();
}

// The operator's answer when storing a config: the entry, plus a warning per literal secret in it.
json::Value stored_integration_json(const store::Integration& i) {
  json::ObjectBuilder b(store::to_json(i));
  std::vector<json::Value> warnings;
  for (const auto& path : literal_secret_paths(i.config))
    warnings.emplace_back(path +
                          " is a literal secret shared by every environment's accounts of this "
                          "integration; prefer a template such as {{context.webhook_secret}} or "
                          "{{environment_variables.NAME}} (environment tokens see it redacted)");
  if (!warnings.empty()) b.set("warnings", json::Value::array(std::move(warnings)));
  return std::move(b).build();
}

std::optional<http::Response> apply_install_fields(const json::Value& body, store::EnvironmentIntegration& e,
                                                   const store::Integration& integration) {
  const json::Value& override_value = body.get("override");
  if (!override_value.is_undefined()) {
    if (!override_value.is_object()) return validation_error("override", "must be an object");
    json::Value effective = ingest::merge_config(integration.config, override_value);
    auto compiled = ingest::WebhookConfig::compile(effective.get("webhook"));
    if (!compiled.ok()) return validation_error("override.webhook", compiled.error().message);
    e.override_config = override_value;
  }
  const json::Value& enabled = body.get("is_enabled");
  if (!enabled.is_undefined()) {
    if (!enabled.is_bool()) return validation_error("is_enabled", "must be true or false");
    e.is_enabled = enabled.as_bool();
  }
  return std::nullopt;
}

awaitable<http::Response> route_create_integration(AdminContext& c, http::RequestContext& req,
                                                   const Principal&) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  store::Integration i;
  const ConfigCheck check = [&] { return apply_integration_fields(*body, i, true); };
  auto bad = co_await off_io_threads(check);
  if (bad) co_return *bad;
  i.id = ids::uuid_v4();
  i.created_at = i.updated_at = clock::now_millis();
  Status s = co_await c.store.create_integration(i);
  if (!s.ok()) co_return http::error_response(s.error());
  co_return http::json_response(http::Status::created, stored_integration_json(i));
}

awaitable<http::Response> route_list_integrations(AdminContext& c, http::RequestContext& req,
                                                  const Principal& p) {
  auto list = co_await c.store.list_integrations();
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& i : *list)
    items.push_back(integration_json(i, p));
  co_return list_page(req, std::move(items));
}

awaitable<http::Response> route_get_integration(AdminContext& c, http::RequestContext& req,
                                                const Principal& p) {
  auto i = co_await c.store.get_integration(req.param("id"));
  if (!i.ok()) co_return http::error_response(i.error());
  co_return http::json_response(http::Status::ok, integration_json(*i, p));
}

awaitable<http::Response> route_update_integration(AdminContext& c, http::RequestContext& req,
                                                   const Principal&) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  auto i = co_await c.store.get_integration(req.param("id"));
  if (!i.ok()) co_return http::error_response(i.error());
  store::Integration next = *i;
  const ConfigCheck check = [&] { return apply_integration_fields(*body, next, false); };
  auto bad = co_await off_io_threads(check);
  if (bad) co_return *bad;
  next.version = i->version + 1;
  next.updated_at = clock::now_millis();
  Status s = co_await c.store.update_integration(next, i->version);
  if (!s.ok()) co_return http::error_response(s.error());
  co_return http::json_response(http::Status::ok, stored_integration_json(next));
}

awaitable<http::Response> route_install_integration(AdminContext& c, http::RequestContext& req,
                                                    const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  const json::Value& iid = body->get("integration_id");
  if (!iid.is_string() || iid.as_string().empty())
    co_return validation_error("integration_id", "is required (an integration id or name)");
  auto integration = co_await c.store.get_integration(iid.as_string());
  if (!integration.ok()) {
    if (integration.error().code == store::StoreErrc::not_found)
      co_return validation_error("integration_id", "no integration " + std::string(iid.as_string()));
    co_return http::error_response(integration.error());
  }
  store::EnvironmentIntegration e;
  const ConfigCheck check = [&] { return apply_install_fields(*body, e, *integration); };
  auto bad = co_await off_io_threads(check);
  if (bad) co_return *bad;
  e.id = ids::uuid_v4();
  e.environment_id = p.environment_id;
  e.integration_id = integration->id;
  e.created_at = e.updated_at = clock::now_millis();
  Status s = co_await c.store.create_environment_integration(e);
  if (!s.ok()) co_return http::error_response(s.error());
  json::Value out = store::to_json(e);
  co_await publish(c, "environment_integration:created", p.environment_id, out);
  co_return http::json_response(http::Status::created, out);
}

awaitable<http::Response> route_list_installs(AdminContext& c, http::RequestContext& req,
                                              const Principal& p) {
  auto list = co_await c.store.list_environment_integrations(p.environment_id);
  if (!list.ok()) co_return http::error_response(list.error());
  std::vector<json::Value> items;
  for (const auto& e : *list)
    items.push_back(store::to_json(e));
  co_return list_page(req, std::move(items));
}

awaitable<http::Response> route_get_install(AdminContext& c, http::RequestContext& req, const Principal& p) {
  auto e = co_await c.store.get_environment_integration(req.param("id"));
  if (!e.ok() || e->environment_id != p.environment_id)
    co_return e.ok() || e.error().code == store::StoreErrc::not_found
        ? not_found("environment integration", req.param("id"))
        : http::error_response(e.error());
  co_return http::json_response(http::Status::ok, store::to_json(*e));
}

awaitable<http::Response> route_update_install(AdminContext& c, http::RequestContext& req,
                                               const Principal& p) {
  http::Response err;
  auto body = object_body(req, err);
  if (!body) co_return err;
  auto e = co_await c.store.get_environment_integration(req.param("id"));
  if (!e.ok() || e->environment_id != p.environment_id)
    co_return e.ok() || e.error().code == store::StoreErrc::not_found
        ? not_found("environment integration", req.param("id"))
        : http::error_response(e.error());
  auto integration = co_await c.store.get_integration(e->integration_id);
  if (!integration.ok()) co_return http::error_response(integration.error());
  store::EnvironmentIntegration next = *e;
  const ConfigCheck check = [&] { return apply_install_fields(*body, next, *integration); };
  auto bad = co_await off_io_threads(check);
  if (bad) co_return *bad;
  next.version = e->version + 1;
  next.updated_at = clock::now_millis();
  Status s = co_await c.store.update_environment_integration(next, e->version);
  if (!s.ok()) co_return http::error_response(s.error());
  json::Value out = store::to_json(next);
  co_await publish(c, "environment_integration:updated", p.environment_id, out);
  co_return http::json_response(http::Status::ok, out);
}

constexpr Route routes[] = {
    {http::Verb::post, "/integration", Access::operator_only, route_create_integration},
    {http::Verb::get, "/integration", Access::any_token, route_list_integrations},
    {http::Verb::get, "/integration/{id}", Access::any_token, route_get_integration},
    {http::Verb::patch, "/integration/{id}", Access::operator_only, route_update_integration},
    {http::Verb::post, "/environment-integration", Access::environment, route_install_integration},
    {http::Verb::get, "/environment-integration", Access::environment, route_list_installs},
    {http::Verb::get, "/environment-integration/{id}", Access::environment, route_get_install},
    {http::Verb::patch, "/environment-integration/{id}", Access::environment, route_update_install},
};

}  // namespace

std::span<const Route> integration_routes() {
  return routes;
}

}  // namespace hookd::admin
