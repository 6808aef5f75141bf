// The records hookd keeps in Redis, with their JSON forms. `to_json` writes what is stored (and, for most
// records, what the admin API answers); `from_json` reads it back and fails on a record that is not of the
// expected shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/errc.h"
#include "hookd/json.h"

namespace hookd::store {

struct Environment {
  std::string id;
  std::string name;                                     // "development", "staging", "production"
  json::Value variables = json::Value::empty_object();  // environment_variables in the payload context
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Only the SHA-256 of a token is stored; `prefix` (the first characters) lets people tell tokens apart.
struct ApiToken {
  std::string id;
  std::string environment_id;
  std::string name;
  std::string prefix;
  std::string hash;  // hex SHA-256 of the whole token
  int64_t created_at = 0;
};

// A catalog entry: the integration and its config (including the `webhook` section).
struct Integration {
  std::string id;
  std::string name;  // unique, e.g. "shopify"
  std::string category;
  bool is_beta = false;
  json::Value config = json::Value::empty_object();
  int64_t version = 1;  // bumped on every config change: compiled configs are cached by it
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// An integration installed in an environment, with an override merged over the catalog config.
struct EnvironmentIntegration {
  std::string id;
  std::string environment_id;
  std::string integration_id;
  json::Value override_config = json::Value::empty_object();
  bool is_enabled = true;
  int64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

enum class AccountStatus { active, connecting, post_install_error, validation_error, needs_reauth };
std::string_view to_string(AccountStatus s) noexcept;
std::optional<AccountStatus> account_status_from(std::string_view s) noexcept;

struct IntegratedAccount {
  std::string id;
  std::string tenant_id;
  std::string environment_id;
  std::string environment_integration_id;
  std::string integration_id;
  json::Value context = json::Value::empty_object();
  AccountStatus status = AccountStatus::active;
  json::Value last_error;          // null or {message, ...}
  json::Value last_action_result;  // null or the result of the last post-install/validation action
  std::string authentication_method;
  std::string region;
  bool is_sandbox = false;
  int64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A customer's endpoint. `secret` signs deliveries; during a rotation `previous_secret` keeps signing until
// `previous_secret_expires_at`.
struct Webhook {
  std::string id;
  std::string environment_id;
  std::string target_url;
  bool is_active = true;
  std::vector<std::string> event_types;  // empty: every event
  std::string secret;
  std::string previous_secret;
  int64_t previous_secret_expires_at = 0;
  std::string disabled_reason;  // set when hookd disabled it after prolonged failure
  // "per_account": at most one delivery in flight per integrated account, in Kafka order
  // (dispatch/ordered_lanes.h); empty: unordered.
  std::string ordering;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  bool wants(std::string_view event_type) const;
  bool ordered() const noexcept { return ordering == "per_account"; }
};

json::Value to_json(const Environment&);
json::Value to_json(const ApiToken&);
json::Value to_json(const Integration&);
json::Value to_json(const EnvironmentIntegration&);
json::Value to_json(const IntegratedAccount&);
json::Value to_json(const Webhook&);  // the stored form: with `secret` and `previous_secret`
// The admin API's form of an endpoint: everything but the signing secrets, which are answered only when created,
// rotated, or asked for explicitly (GET /webhook/{id}/secret, audited).
json::Value to_public_json(const Webhook&);

Result<Environment> environment_from_json(const json::Value&);
Result<ApiToken> api_token_from_json(const json::Value&);
Result<Integration> integration_from_json(const json::Value&);
Result<EnvironmentIntegration> environment_integration_from_json(const json::Value&);
Result<IntegratedAccount> integrated_account_from_json(const json::Value&);
Result<Webhook> webhook_from_json(const json::Value&);

// Timestamps in API answers are ISO 8601; stored ones are too (readable in redis-cli), parsed back on load.
json::Value time_value(int64_t unix_millis);

}  // namespace hookd::store
