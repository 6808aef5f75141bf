// The ingest path for one vendor request, as a chain of small stages (like Envoy's filters): each reads and
// adds to the request's state and says whether the chain continues or the request is answered now.
//
//   resolve -> payload context -> payload_transform -> handle_verification -> signature -> publish
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
#include "ingest/webhook_config.h"
#include "store/store.h"

namespace hookd::ingest {

struct IngestOptions {
  ExpressionLimits expression_limits;  // per evaluation of payload_transform and handle_verification
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

 private:
  IngestOptions options_;  // stages keep references to it
  WebhookConfigCache configs_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

// Stages, in order (defined in stages.cpp and publish_stage.cpp).
std::unique_ptr<Stage> make_resolve_stage(store::Store& store, WebhookConfigCache& configs);
std::unique_ptr<Stage> make_context_stage();
std::unique_ptr<Stage> make_transform_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_verification_stage(store::Store& store, const IngestOptions& options);
std::unique_ptr<Stage> make_signature_stage();
std::unique_ptr<Stage> make_publish_stage(store::Store& store, std::shared_ptr<bus::Producer> producer);

}  // namespace hookd::ingest
