#include "admin/secrets.h"

#include <array>
#include <cctype>

namespace hookd::admin {

namespace {

bool secret_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "secret", "client_secret", "signing_secret", "webhook_secret", "password",      "api_key",
      "apikey", "private_key",   "token",          "access_token",   "refresh_token", "verification_token"};
  std::string lower(name);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto n : kNames)
    if (lower == n) return true;
  return false;
}

// A value that is nothing but template references (`{{context.x}}`, also Truto's `$header.x`): it names where
// a secret lives, not the secret.
bool only_references(std::string_view v) {
  if (v.rfind("$header.", 0) == 0 || v == "$body") return true;
  bool any = false;
  while (!v.empty()) {
    if (v.rfind("{{", 0) != 0) return false;
    size_t end = v.find("}}");
    if (end == std::string_view::npos) return false;
    v.remove_prefix(end + 2);
    any = true;
  }
  return any;
}

bool literal_secret(std::string_view name, const json::Value& value) {
  if (!secret_name(name)) return false;
  if (value.is_string()) return !value.as_string().empty() && !only_references(value.as_string());
  return value.is_number();
}

void walk(const json::Value& v, const std::string& path, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& m : v.members()) {
      std::string here = path + "." + std::string(m.name());
      if (literal_secret(m.name(), m.value))
        out.push_back(here);
      else
        walk(m.value, here, out);
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i)
      walk(v.at(i), path + "[" + std::to_string(i) + "]", out);
  }
}

}  // namespace

json::Value redact_secrets(const json::Value& config) {
  if (config.is_array()) {
    std::vector<json::Value> items;
    for (const auto& item : config.as_array())
      items.push_back(redact_secrets(item));
    return json::Value::array(std::move(items));
  }
  if (!config.is_object()) return config;
  json::ObjectBuilder b;
  for (const auto& m : config.members())
    b.set(json::Value(m.name()),
          literal_secret(m.name(), m.value) ? json::Value(kRedacted) : redact_secrets(m.value));
  return std::move(b).build();
}

std::vector<std::string> literal_secret_paths(const json::Value& config, const std::string& prefix) {
  std::vector<std::string> out;
  walk(config, prefix, out);
  return out;
}

}  // namespace hookd::admin
