// The ingest path for one vendor request, as a chain of small stages (like Envoy's filters): each reads and
// adds to the request's state and says whether the chain continues or the request is answered now.
//
//   resolve -> payload context -> payload_transform -> handle_verification -> signature -> publish
//
// A webhook posted to an environment integration (one URL per installed app) first runs an install-level
// chain without an account, which answers handshakes and finds the accounts the payload names:
//
//   resolve install -> payload context -> payload_transform -> handle_verification -> account lookup
//
// and then the account chain above once per account found, as if the vendor had posted to each account's URL.
//
// A stage that stops sets `response`. Stages do no I/O of their own except through the store and the
// producer, so each can be tested with a state built by hand.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bus/producer.h"
#include "core/event.h"
#include "http/message.h"
#include "ingest/payload_context.h"
#include "ingest/webhook_config.h"
#include "store/store.h"

namespace hookd::ingest {

struct IngestOptions {
  ExpressionLimits expression_limits;  // per evaluation of payload_transform and handle_verification
  BodyLimits body_limits;              // parsing the vendor's body (before its signature is checked)
  // One request's events at most (HOOKD_MAX_EVENTS_PER_REQUEST): more is a 413 and nothing is published.
  size_t max_events_per_request = 1000;
  // One event's size at most, serialized: what the producer may send (HOOKD_KAFKA_MAX_MESSAGE_BYTES) less
  // room for the record's key and headers. A larger event is a 413 at once, never a 503 the vendor retries.
  size_t max_event_bytes = 1'000'000 - 1024;
};

struct IngestState {
  http::RequestContext& http;
  std::string account_id;
  store::ResolvedAccount resolved;
  std::shared_ptr<const WebhookConfig> config;
  json::Value headers;      // the request's headers, lower-case names
  json::Value body;         // parsed by content type
  json::Value context;      // the payload context (after payload_transform)
  json::Value transformed;  // payload_transform's result (undefined without one)
  json::Value update_context;
  std::vector<Event> events;
  std::optional<http::Response> response;
  std::string install_id;                    // install-level chain: the environment integration posted to
  std::vector<std::string> lookup_accounts;  // install-level chain: the accounts the lookup found
  bool signature_verified = false;  // checked before the body was parsed (signature_checkable_before_parsing)
};

enum class StageStatus { proceed, stop };

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  virtual awaitable<StageStatus> run(IngestState& state) = 0;
};

// The whole chain; shared by every request (stages keep no per-request state).
class Pipeline {
 public:
  Pipeline(store::Store& store, std::shared_ptr<bus::Producer> producer, IngestOptions options);
  awaitable<http::Response> handle(http::RequestContext& ctx, std::string account_id);
  awaitable<http::Response> handle_install(http::RequestContext& ctx, std::string install_id);

 private:
  using Chain = std::vector<std::unique_ptr<Stage>>;
  static awaitable<void> run(const Chain& chain, IngestState& state);
  static void count(const http::Response& response);

  IngestOptions options_;  // stages keep references to it
  WebhookConfigCache configs_;
  Chain stages_;
  Chain install_stages_;
};

// The answer to a store error: 404 for not_found, 503 when Redis is unreachable, else 500.
http::Response store_error(const Error& e);

// For the resolve stages, once `s.resolved` holds the install and integration: the compiled webhook config in
// `s.config`, or the answer (404 when the install is disabled or takes no webhooks, 500 for a broken config).
StageStatus load_config(IngestState& s, WebhookConfigCache& configs);

// Stages, in order (defined in stages.cpp and publish_stage.cpp).
std::unique_ptr<Stage> make_resolve_stage(store::Store& store, WebhookConfigCache& configs);
std::unique_ptr<Stage> make_context_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_transform_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_verification_stage(store::Store& store, const IngestOptions& options);
std::unique_ptr<Stage> make_signature_stage();
std::unique_ptr<Stage> make_publish_stage(store::Store& store, std::shared_ptr<bus::Producer> producer,
                                          const IngestOptions& options);
// The install-level stages (install_stages.cpp).
std::unique_ptr<Stage> make_resolve_install_stage(store::Store& store, WebhookConfigCache& configs);
std::unique_ptr<Stage> make_lookup_stage(store::Store& store, const IngestOptions& options);

}  // namespace hookd::ingest
