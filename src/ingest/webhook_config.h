// An integration's `webhook` section, validated and compiled once per config version.
//
//   "webhook": {
//     "payload_transform": "<JSONata>",          // optional: its result becomes the payload context
//     "handle_verification": "<JSONata>",        // optional: handshakes, meta events, update_context
//     "signature_verification": { "format": "hmac", "config": { ... } },  // optional, see signature.h
//     "context_lookup_field_name": "team_id",         // optional, both or neither: webhooks posted to
//     "context_lookup_field_value": "body.team_id",   // the environment integration go to the accounts
//                                                     // whose context.team_id = the JSONata's value
//     "accept_response": { "status_code": 202, "headers": {...}, "body": "" },   // optional, see reply.h:
//                                                     // the answer to an accepted event (2xx)
//     "handshake_context_fields": ["verify_token"],   // optional: context fields an unsigned handshake
//                                                     // may overwrite once set (handshake.h)
//     "delivery_id": { "header": "x-github-delivery" }    // optional: the vendor's delivery id, for
//                 or { "expression": "body.event_id",     // de-duplication at ingest (DeliveryIdSpec)
//                      "dedupe_window_seconds": 86400 }
//   }
//
// The effective config of an installed integration is the catalog config with the install's `override` merged
// over it (objects merge key by key, anything else replaces).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "ingest/expression.h"
#include "ingest/reply.h"
#include "ingest/signature.h"
#include "store/model.h"

namespace hookd::ingest {

// Where the vendor's own delivery id is, and how long a published one is remembered. Exactly one of `header`
// (lower-case) and `expression` (JSONata over the payload context) is set.
struct DeliveryIdSpec {
  static constexpr std::chrono::seconds min_window{60};
  static constexpr std::chrono::seconds max_window{30 * 24 * 3600};
  std::string header;
  std::shared_ptr<const Expression> expression;
  std::optional<std::chrono::seconds> window;  // absent: IngestOptions::dedupe_window
};

struct WebhookConfig {
  std::shared_ptr<const Expression> payload_transform;
  std::shared_ptr<const Expression> handle_verification;
  std::optional<SignatureVerifier> signature;
  // For POST /environment-integration-webhook/{id}: the account context field (a dotted path) that must equal
  // what `context_lookup_value` evaluates to on the payload context. Empty: that route is refused.
  std::string context_lookup_field;
  std::shared_ptr<const Expression> context_lookup_value;
  // The answer to an accepted event; absent: accepted_response (pipeline.h).
  std::optional<ReplySpec> accept_response;
  // Top-level account-context fields a handshake (`verify`/`meta` update_context) may overwrite unsigned once
  // they are set; signing material is never among them (handshake.h).
  std::vector<std::string> handshake_context_fields;
  // The vendor's delivery id: with it, retries are de-duplicated and event ids derive from it (publish stage).
  std::optional<DeliveryIdSpec> delivery_id;

  // True when the signature can be checked before the body is parsed: nothing runs before it (no transform,
  // no verification handshake) and none of its templates reads the parsed body. Unauthenticated bodies then
  // cost an HMAC, not a parse.
  bool signature_checkable_before_parsing() const noexcept {
    return signature && !payload_transform && !handle_verification && !signature->reads_parsed_body();
  }

  // Validates and compiles a `webhook` section; errors name the field
  // ("webhook.signature_verification.config. algorithm: ..."). An absent or null section gives nullptr: the
  // integration takes no webhooks.
  static Result<std::shared_ptr<const WebhookConfig>> compile(const json::Value& webhook_section);
};

// `base` with `override` merged over it: objects merge recursively, every other value replaces.
json::Value merge_config(const json::Value& base, const json::Value& override_value);

// Compiled configs by (integration, integration version, install, install version): an admin change bumps a
// version, so the next request compiles the new config and the old entry ages out.
class WebhookConfigCache {
 public:
  explicit WebhookConfigCache(size_t capacity = 4096) : capacity_(capacity) {}
  // The compiled config for this install; compiles (and caches the result, errors included) on first use.
  Result<std::shared_ptr<const WebhookConfig>> get(const store::Integration& integration,
                                                   const store::EnvironmentIntegration& install);

 private:
  struct Entry {
    int64_t integration_version;
    int64_t install_version;
    std::shared_ptr<const WebhookConfig> config;
    std::optional<Error> error;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // key: integration id + '/' + install id
  size_t capacity_;
};

}  // namespace hookd::ingest
