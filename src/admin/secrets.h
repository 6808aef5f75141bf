// Secrets in integration configs. The catalog is shared by every environment, so a literal secret in it (an
// HMAC key typed into `signature_verification.config.secret`) would let any tenant forge webhooks for every
// other tenant's accounts of that integration. Environment tokens see such values redacted; the operator sees
// them. A template (`{{context.webhook_secret}}`, `{{environment_variables.X}}`) only says where the secret
// lives, so it is shown as is.
#pragma once

#include <string>
#include <vector>

#include "hookd/json.h"

namespace hookd::admin {

// What a redacted value reads.
inline constexpr const char* kRedacted = "[redacted]";

// `config` with every secret-bearing member (by name: secret, client_secret, password, api_key, private_key,
// token, ...) whose value is a literal replaced by kRedacted.
json::Value redact_secrets(const json::Value& config);

// The paths (`config.webhook.signature_verification.config.secret`) of the literal secrets in `config`, for a
// warning when a config is stored.
std::vector<std::string> literal_secret_paths(const json::Value& config,
                                              const std::string& prefix = "config");

}  // namespace hookd::admin
