#include "ingest/webhook_config.h"

namespace hookd::ingest {

json::Value merge_config(const json::Value& base, const json::Value& override_value) {
  if (!base.is_object() || !override_value.is_object())
    return override_value.is_undefined() ? base : override_value;
  json::ObjectBuilder b(base);
  for (const auto& m : override_value.members()) {
    const json::Value* existing = b.find(m.name());
    b.set(m.key, existing ? merge_config(*existing, m.value) : m.value);
  }
  return std::move(b).build();
}

namespace {

// A field name is a dotted path of plain names: the lookup index keys embed it, so it has no ':' or spaces.
bool valid_field_path(std::string_view path) {
  if (path.empty() || path.size() > 200 || path.front() == '.' || path.back() == '.') return false;
  char prev = 0;
  for (char c : path) {
    bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!plain && !(c == '.' && prev != '.')) return false;
    prev = c;
  }
  return true;
}

Status compile_lookup(const json::Value& section, WebhookConfig& config) {
  const json::Value& name = section.get("context_lookup_field_name");
  const json::Value& value = section.get("context_lookup_field_value");
  bool has_name = !name.is_undefined() && !name.is_null();
  bool has_value = !value.is_undefined() && !value.is_null();
  if (!has_name && !has_value) return {};
  if (has_name != has_value)
    return make_error(
        IngestErrc::invalid_config,
        std::string("webhook.") + (has_name ? "context_lookup_field_value" : "context_lookup_field_name") +
            ": required with " + (has_name ? "context_lookup_field_name" : "context_lookup_field_value"));
  if (!name.is_string() || !valid_field_path(name.as_string()))
    return make_error(
        IngestErrc::invalid_config,
        "webhook.context_lookup_field_name: must be a context field path such as \"team_id\" or "
        "\"workspace.id\" (letters, digits, _ and -, dot-separated)");
  if (!value.is_string())
    return make_error(IngestErrc::invalid_config,
                      "webhook.context_lookup_field_value: must be a JSONata expression (a string)");
  auto expr = compile_expression(value.as_string(), "webhook.context_lookup_field_value");
  if (!expr.ok()) return expr.error();
  config.context_lookup_field = name.as_string();
  config.context_lookup_value = std::move(expr).value();
  return {};
}

Status compile_accept_response(const json::Value& section, WebhookConfig& config) {
  const json::Value& v = section.get("accept_response");
  if (v.is_undefined() || v.is_null()) return {};
  if (!v.is_object())
    return make_error(IngestErrc::invalid_config,
                      "webhook.accept_response: must be an object with status_code, headers and body");
  auto reply =
      parse_reply(v, "webhook.accept_response", {.min_status = 200, .max_status = 299, .strict = true});
  if (!reply.ok()) return reply.error();
  config.accept_response = std::move(reply).value();
  return {};
}

Status compile_handshake_fields(const json::Value& section, WebhookConfig& config) {
  const json::Value& v = section.get("handshake_context_fields");
  if (v.is_undefined() || v.is_null()) return {};
  auto bad = [](const std::string& problem) {
    return make_error(IngestErrc::invalid_config, "webhook.handshake_context_fields: " + problem);
  };
  if (!v.is_array()) return bad("must be an array of context field names");
  if (v.size() > 100) return bad("at most 100 field names");
  for (const json::Value& name : v.as_array()) {
    if (!name.is_string() || !valid_field_path(name.as_string()) ||
        name.as_string().find('.') != std::string_view::npos)
      return bad("each must be a top-level context field name (letters, digits, _ and -)");
    config.handshake_context_fields.emplace_back(name.as_string());
  }
  return {};
}

bool valid_header_name(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  for (char c : name) {
    bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

Status compile_delivery_id(const json::Value& section, WebhookConfig& config) {
  const json::Value& v = section.get("delivery_id");
  if (v.is_undefined() || v.is_null()) return {};
  auto bad = [](std::string_view field, const std::string& problem) {
    return make_error(IngestErrc::invalid_config,
                      "webhook.delivery_id" + std::string(field) + ": " + problem);
  };
  if (!v.is_object())
    return bad("", "must be an object with `header` or `expression` (and optionally dedupe_window_seconds)");
  for (const auto& m : v.members())
    if (m.name() != "header" && m.name() != "expression" && m.name() != "dedupe_window_seconds")
      return bad("." + std::string(m.name()), "unknown field (header, expression, dedupe_window_seconds)");
  const json::Value& header = v.get("header");
  const json::Value& expression = v.get("expression");
  bool has_header = !header.is_undefined() && !header.is_null();
  bool has_expression = !expression.is_undefined() && !expression.is_null();
  if (has_header == has_expression) return bad("", "exactly one of `header` and `expression` is required");
  DeliveryIdSpec spec;
  if (has_header) {
    if (!header.is_string() || !valid_header_name(header.as_string()))
      return bad(".header", "must be an HTTP header name such as \"x-github-delivery\"");
    for (char c : header.as_string())
      spec.header += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  } else {
    if (!expression.is_string() || expression.as_string().empty())
      return bad(".expression", "must be a JSONata expression (a non-empty string)");
    auto expr = compile_expression(expression.as_string(), "webhook.delivery_id.expression");
    if (!expr.ok()) return expr.error();
    spec.expression = std::move(expr).value();
  }
  const json::Value& window = v.get("dedupe_window_seconds");
  if (!window.is_undefined() && !window.is_null()) {
    double seconds = window.is_number() ? window.as_number() : -1;
    if (seconds != static_cast<double>(static_cast<int64_t>(seconds)) ||
        seconds < static_cast<double>(DeliveryIdSpec::min_window.count()) ||
        seconds > static_cast<double>(DeliveryIdSpec::max_window.count()))
      return bad(".dedupe_window_seconds", "must be a whole number of seconds from " +
                                               std::to_string(DeliveryIdSpec::min_window.count()) + " to " +
                                               std::to_string(DeliveryIdSpec::max_window.count()));
    spec.window = std::chrono::seconds(static_cast<int64_t>(seconds));
  }
  config.delivery_id = std::move(spec);
  return {};
}

}  // namespace

Result<std::shared_ptr<const WebhookConfig>> WebhookConfig::compile(const json::Value& section) {
  if (section.is_undefined() || section.is_null()) return std::shared_ptr<const WebhookConfig>();
  if (!section.is_object()) return make_error(IngestErrc::invalid_config, "webhook: must be an object");
  auto config = std::make_shared<WebhookConfig>();
  for (const char* field : {"payload_transform", "handle_verification"}) {
    const json::Value& v = section.get(field);
    if (v.is_undefined() || v.is_null()) continue;
    std::string name = std::string("webhook.") + field;
    if (!v.is_string())
      return make_error(IngestErrc::invalid_config, name + ": must be a JSONata expression (a string)");
    auto expr = compile_expression(v.as_string(), name);
    if (!expr.ok()) return expr.error();
    (std::string_view(field) == "payload_transform" ? config->payload_transform
                                                    : config->handle_verification) = std::move(expr).value();
  }
  const json::Value& sv = section.get("signature_verification");
  const json::Value& tolerance = section.get("timestamp_tolerance");
  if ((sv.is_undefined() || sv.is_null()) && !tolerance.is_undefined() && !tolerance.is_null())
    return make_error(IngestErrc::invalid_config,
                      "webhook.timestamp_tolerance: needs a signature_verification (an unsigned timestamp "
                      "proves nothing)");
  if (!sv.is_undefined() && !sv.is_null()) {
    auto verifier = SignatureVerifier::create(sv, tolerance);
    if (!verifier.ok()) {
      Error e = verifier.error();
      e.message.insert(0, "webhook.");
      return e;
    }
    config->signature = std::move(verifier).value();
  }
  auto lookup = compile_lookup(section, *config);
  if (!lookup.ok()) return lookup.error();
  if (Status s = compile_accept_response(section, *config); !s.ok()) return s.error();
  if (Status s = compile_handshake_fields(section, *config); !s.ok()) return s.error();
  if (Status s = compile_delivery_id(section, *config); !s.ok()) return s.error();
  return std::shared_ptr<const WebhookConfig>(std::move(config));
}

Result<std::shared_ptr<const WebhookConfig>> WebhookConfigCache::get(
    const store::Integration& integration, const store::EnvironmentIntegration& install) {
  std::string key = integration.id + "/" + install.id;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.integration_version == integration.version &&
        it->second.install_version == install.version) {
      if (it->second.error) return *it->second.error;
      return it->second.config;
    }
  }
  // Compiled outside the lock: two threads may compile the same version once each, which is harmless.
  json::Value effective = merge_config(integration.config, install.override_config);
  auto compiled = WebhookConfig::compile(effective.get("webhook"));
  Entry entry{integration.version, install.version, compiled.ok() ? compiled.value() : nullptr,
              compiled.ok() ? std::nullopt : std::optional<Error>(compiled.error())};
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();  // rare: capacity is far above the number of installs
  entries_[key] = std::move(entry);
  return compiled;
}

}  // namespace hookd::ingest
