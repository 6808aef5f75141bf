// Every Redis key hookd uses, in one place. All start with "hookd:" so a shared Redis stays readable.
#pragma once

#include <string>
#include <string_view>

namespace hookd::store::keys {

inline std::string join(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(6 + a.size() + b.size());
  k += "hookd:";
  k += a;
  k += b;
  return k;
}

// Records (JSON strings).
inline std::string environment(std::string_view id) {
  return join("environment:", id);
}
inline std::string api_token(std::string_view id) {
  return join("api_token:", id);
}  // -> token hash
inline std::string token_hash(std::string_view hash) {
  return join("token_hash:", hash);
}  // -> token record
inline std::string integration(std::string_view id) {
  return join("integration:", id);
}
inline std::string integration_name(std::string_view name) {
  return join("integration_name:", name);
}  // -> id
inline std::string environment_integration(std::string_view id) {
  return join("environment_integration:", id);
}
inline std::string integrated_account(std::string_view id) {
  return join("integrated_account:", id);
}
inline std::string webhook(std::string_view id) {
  return join("webhook:", id);
}

// Indexes.
inline std::string environments() {
  return "hookd:environments";
}  // set of ids
inline std::string integrations() {
  return "hookd:integrations";
}  // set of ids
inline std::string environment_tokens(std::string_view env) {
  return join("environment:", env) + ":api_tokens";
}
inline std::string environment_integrations(std::string_view env) {
  return join("environment:", env) + ":environment_integrations";
}
// zset: account id scored by creation time (ms)
inline std::string environment_accounts(std::string_view env) {
  return join("environment:", env) + ":integrated_accounts";
}
inline std::string environment_webhooks(std::string_view env) {
  return join("environment:", env) + ":webhooks";
}

}  // namespace hookd::store::keys
