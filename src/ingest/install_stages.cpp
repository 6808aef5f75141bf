// The install-level stages of a webhook posted to an environment integration: resolve the install and its
// config, and (after the shared context, transform and verification stages) find the accounts it is for.
#include "ingest/pipeline.h"

namespace hookd::ingest {

namespace {

using http::error_response;
using http::Status;

class ResolveInstallStage final : public Stage {
 public:
  ResolveInstallStage(AccountResolver& resolver, WebhookConfigCache& configs)
      : resolver_(resolver), configs_(configs) {}
  std::string_view name() const override { return "resolve_install"; }
  awaitable<StageStatus> run(IngestState& s) override {
    auto install = co_await resolver_.get_environment_integration(s.install_id);
    if (!install.ok()) {
      s.response = install.error().code == store::StoreErrc::not_found
                       ? error_response(Status::not_found, "not_found",
                                        "environment integration " + s.install_id + " not found")
                       : error_response(install.error());
      co_return StageStatus::stop;
    }
    auto integration = co_await resolver_.get_integration(install->integration_id);
    if (!integration.ok()) {
      s.response = error_response(integration.error());
      co_return StageStatus::stop;
    }
    auto environment = co_await resolver_.get_environment(install->environment_id);
    if (!environment.ok()) {
      s.response = error_response(environment.error());
      co_return StageStatus::stop;
    }
    s.resolved.account.environment_id = install->environment_id;
    s.resolved.account.environment_integration_id = install->id;
    s.resolved.account.integration_id = install->integration_id;
    s.resolved.install = std::move(install).value();
    s.resolved.integration = std::move(integration).value();
    s.resolved.environment = std::move(environment).value();
    if (load_config(s, configs_) == StageStatus::stop) co_return StageStatus::stop;
    if (s.config->context_lookup_field.empty()) {
      s.response = error_response(
          Status::not_found, "not_found",
          "integration " + s.resolved.integration.name +
              " does not take webhooks at its environment integration's URL (its webhook config has no "
              "context_lookup_field_name); post to /integrated-account-webhook/{integrated_account_id}");
      co_return StageStatus::stop;
    }
    co_return StageStatus::proceed;
  }

 private:
  AccountResolver& resolver_;
  WebhookConfigCache& configs_;
};

// The lookup value as the index holds it: a string, or a number's decimal text.
std::optional<std::string> lookup_text(const json::Value& v) {
  if (v.is_string() && !v.as_string().empty()) return std::string(v.as_string());
  if (v.is_number()) return json::dump(v);
  return std::nullopt;
}

class LookupStage final : public Stage {
 public:
  LookupStage(AccountResolver& resolver, const IngestOptions& options)
      : resolver_(resolver), options_(options) {}
  std::string_view name() const override { return "account_lookup"; }
  awaitable<StageStatus> run(IngestState& s) override {
    const std::string& field = s.config->context_lookup_field;
    auto evaluated = s.config->context_lookup_value->evaluate(s.context, options_.expression_limits);
    if (!evaluated.ok()) {
      s.response = error_response(Status::internal_server_error, "lookup_failed",
                                  "context_lookup_field_value failed: " + evaluated.error().message);
      co_return StageStatus::stop;
    }
    auto value = lookup_text(*evaluated);
    if (!value && s.http.request.method() != http::Verb::post) {
      // A GET or HEAD no handshake answered, naming no account: not a webhook (the account chain's rule).
      s.response = method_not_allowed(s.http.request.method_string());
      co_return StageStatus::stop;
    }
    if (!value) {
      s.response =
          error_response(Status::not_found, "no_matching_account",
                         "context_lookup_field_value gave no string or number for this payload, so no "
                         "integrated account can be found for it");
      co_return StageStatus::stop;
    }
    auto accounts = co_await resolver_.find_accounts_by_context(s.resolved.install, field, *value);
    if (!accounts.ok()) {
      s.response = error_response(accounts.error());
      co_return StageStatus::stop;
    }
    if (accounts->empty()) {
      s.response = error_response(Status::not_found, "no_matching_account",
                                  "no integrated account of environment integration " + s.install_id +
                                      " has context." + field + " = \"" + *value + "\"");
      co_return StageStatus::stop;
    }
    s.lookup_accounts = std::move(accounts).value();
    co_return StageStatus::proceed;
  }

 private:
  AccountResolver& resolver_;
  const IngestOptions& options_;
};

}  // namespace

std::unique_ptr<Stage> make_resolve_install_stage(AccountResolver& resolver, WebhookConfigCache& configs) {
  return std::make_unique<ResolveInstallStage>(resolver, configs);
}
std::unique_ptr<Stage> make_lookup_stage(AccountResolver& resolver, const IngestOptions& options) {
  return std::make_unique<LookupStage>(resolver, options);
}

}  // namespace hookd::ingest
