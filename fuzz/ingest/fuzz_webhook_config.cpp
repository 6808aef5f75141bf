// Fuzzes integration config loading as the admin API does it when a config is stored (routes_integrations.cpp):
// the `config` JSON of a catalog entry, and optionally an install's `override` merged over it, compiled into
// the WebhookConfig ingest runs (JSONata, signature schemes, templates, tolerance, accept_response,
// handshake fields, delivery_id, context lookup). Any config must compile or be refused with invalid_config
// (or a JSONata error) whose message names the field ("webhook...."), never crash, hang or leak. The secret
// redaction environment tokens see (admin/secrets.h) runs on it too: redacting twice changes nothing and
// leaves every literal secret redacted.
//
// Input: the config's JSON text, optionally followed by `\n---\n` and the override's JSON text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admin/secrets.h"
#include "ingest/errc.h"
#include "ingest/webhook_config.h"

namespace {

namespace json = hookd::json;
namespace ingest = hookd::ingest;

void compile(const json::Value& config) {
  if (!config.is_object()) return;  // refused by the route before compiling ("must be an object")
  auto compiled = ingest::WebhookConfig::compile(config.get("webhook"));
  if (compiled.ok()) {
    if (*compiled && (*compiled)->signature) {
      std::vector<std::string> fields = (*compiled)->signature->secret_context_fields();
      (void)(*compiled)->signature_checkable_before_parsing();
    }
    return;
  }
  const hookd::Error& e = compiled.error();
  if (e.code != ingest::IngestErrc::invalid_config && e.code != ingest::IngestErrc::jsonata_error)
    __builtin_trap();
  // The answer names the field: every message starts with the path under `webhook`.
  if (e.message.rfind("webhook", 0) != 0 && e.message.rfind("signature_verification", 0) != 0)
    __builtin_trap();
}

void check_redaction(const json::Value& config) {
  json::Value once = hookd::admin::redact_secrets(config);
  json::Value twice = hookd::admin::redact_secrets(once);
  if (json::dump(once) != json::dump(twice)) __builtin_trap();
  if (hookd::admin::literal_secret_paths(once) != hookd::admin::literal_secret_paths(config))
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find("\n---\n");
  json::Value config;
  if (!json::parse(input.substr(0, split), config)) return 0;
  compile(config);
  check_redaction(config);
  if (split == std::string_view::npos) return 0;
  json::Value override_value;
  if (!json::parse(input.substr(split + 5), override_value) || !override_value.is_object()) return 0;
  compile(ingest::merge_config(config, override_value));
  return 0;
}
