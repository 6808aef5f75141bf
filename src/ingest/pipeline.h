// The ingest path for one vendor request, as a chain of small stages (like Envoy's filters): each reads and
// adds to the request's state and says whether the chain continues or the request is answered now.
//
//   resolve -> payload context -> payload_transform -> handle_verification -> method -> signature -> publish
//
// Every method the routes take (GET, HEAD, POST, PUT, PATCH) runs the same chain: vendors verify with GET or HEAD
// challenges. A request other than POST that handle_verification does not answer and that makes no event is a
// 405 (the method stage, after the integration's expressions had their chance, before the signature check).
//
// A webhook posted to an environment integration (one URL per installed app) first runs an install-level
// chain without an account, which answers handshakes and finds the accounts the payload names:
//
//   resolve install -> payload context -> payload_transform -> handle_verification -> account lookup
//
// and then the account chain above once per account found, as if the vendor had posted to each account's URL.
//
// A stage that stops sets `response`. Stages do no I/O of their own except through two narrow interfaces
// (ports.h: an AccountResolver and an EventPublisher), so each can be tested with fakes and a state built by
// hand.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bus/producer.h"
#include "core/event.h"
#include "http/client/ssrf.h"
#include "http/error.h"
#include "http/message.h"
#include "ingest/payload_context.h"
#include "ingest/ports.h"
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
  // Where the payload context's `url` comes from (request_url.h). HOOKD_PUBLIC_URL: the public base URL,
  // normalized (normalize_public_url); empty: none. HOOKD_TRUSTED_PROXIES: peers whose X-Forwarded-Proto and
  // X-Forwarded-Host are believed.
  std::string public_url;
  std::vector<http::Cidr> trusted_proxies;
  // How long a published vendor delivery id is remembered when the integration's delivery_id sets no window
  // (HOOKD_INGEST_DEDUPE_WINDOW).
  std::chrono::seconds dedupe_window{24 * 3600};
  // Inbound request records (lineage): kept this long (HOOKD_INBOUND_RETENTION), the newest this many per
  // account (HOOKD_INBOUND_MAX_PER_ACCOUNT).
  std::chrono::milliseconds inbound_retention{7LL * 24 * 3600 * 1000};
  size_t inbound_max_per_account = 1000;
  // Which requests get an inbound record (HOOKD_INBOUND_RECORDS): every one (lineage of accepted events too),
  // only those not accepted (why a vendor is refused, at a fraction of the cost under load), or none.
  enum class InboundRecords { all, not_accepted, none };
  InboundRecords inbound_records = InboundRecords::all;

  // Test mode (HOOKD_TEST_MODE, loudly logged; never in production): signature checks take "now" from
  // HOOKD_TEST_CLOCK (test_clock_millis, when set) or from a request's X-Hookd-Test-Clock header (Unix
  // seconds), so that vendors' published vectors with old timestamps can be checked against the binary.
  bool test_mode = false;
  int64_t test_clock_millis = 0;

  // Refuses values the ingest cannot work with; the error's field names the member.
  Status validate() const;
};

// One request's state as it goes down a chain. Built by name, with what the route knows:
//   IngestState{.http = ctx, .account_id = id}   or   IngestState{.http = ctx, .install_id = id}
// and the stages fill in the rest, in the order they run.
struct IngestState {
  http::RequestContext& http;
  std::string account_id{};  // the account chain: the account posted to (or found by the install's lookup)
  std::string install_id{};  // the install-level chain: the environment integration posted to

  // resolve
  store::ResolvedAccount resolved{};
  std::shared_ptr<const WebhookConfig> config{};
  // context
  json::Value headers{};            // the request's headers, lower-case names
  json::Value body{};               // parsed by content type
  json::Value context{};            // the payload context (after payload_transform)
  bool signature_verified = false;  // checked before the body was parsed (signature_checkable_before_parsing)
  // transform, verification
  json::Value transformed{};  // payload_transform's result (undefined without one)
  json::Value update_context{};
  // lookup (install-level chain): the accounts the lookup found
  std::vector<std::string> lookup_accounts{};
  // publish: the vendor's delivery id (webhook.delivery_id, read after the signature check), the events, and
  // where Kafka stored each of them
  std::string vendor_delivery_id{};
  std::vector<Event> events{};
  std::vector<bus::MessagePosition> positions{};
  // lineage: what became of the request (store::InboundRecord::verdict), set by the stage that decided it;
  // empty: "accepted" for a 2xx, "refused" otherwise
  std::string_view verdict{};

  // Set by the stage that answers; the chain stops there.
  std::optional<http::Response> response{};
};

// What a chain produced: the answer for the vendor and, when it is a 2xx from publish, the events Kafka
// acknowledged.
struct IngestOutcome {
  http::Response response;
  std::vector<Event> events;
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
  Pipeline(AccountResolver& resolver, std::shared_ptr<EventPublisher> publisher, IngestOptions options);
  // Production wiring: the store resolves, the producer publishes.
  Pipeline(store::Store& store, std::shared_ptr<bus::Producer> producer, IngestOptions options);
  Pipeline(std::unique_ptr<AccountResolver> resolver, std::shared_ptr<EventPublisher> publisher,
           IngestOptions options);

  // Records the request for lineage (AccountResolver::record_inbound) once its answer is decided, when it
  // reached an account.
  awaitable<IngestOutcome> handle(http::RequestContext& ctx, std::string account_id);
  awaitable<IngestOutcome> handle_install(http::RequestContext& ctx, std::string install_id);

 private:
  using Chain = std::vector<std::unique_ptr<Stage>>;
  static awaitable<void> run(const Chain& chain, IngestState& state);
  static void count(const http::Response& response);
  void record_inbound(const IngestState& state, int64_t received_at);

  AccountResolver& resolver_;
  std::unique_ptr<AccountResolver> owned_resolver_;  // production wiring only
  IngestOptions options_;                            // stages keep references to it
  WebhookConfigCache configs_;
  Chain stages_;
  Chain install_stages_;
};

// The methods the webhook routes take (the Allow header of their 405).
inline constexpr const char* kWebhookMethods = "GET, HEAD, POST, PUT, PATCH";

// 405 JSON error with Allow: a request other than POST that no handshake answered and that carries no event.
http::Response method_not_allowed(std::string_view method);

// 200 {"status":"accepted","events":[{"id","event"}...]} and, when the webhook was for several accounts,
// "integrated_account_ids".
json::Value event_summaries(const std::vector<Event>& events);
http::Response accepted_response(const std::vector<Event>& events,
                                 const std::vector<std::string>& account_ids = {});

// For the resolve stages, once `s.resolved` holds the install and integration: the compiled webhook config in
// `s.config`, or the answer (404 when the install is disabled or takes no webhooks, 500 for a broken config).
StageStatus load_config(IngestState& s, WebhookConfigCache& configs);

// Stages, in order (defined in stages.cpp and publish_stage.cpp).
std::unique_ptr<Stage> make_resolve_stage(AccountResolver& resolver, WebhookConfigCache& configs);
std::unique_ptr<Stage> make_context_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_transform_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_verification_stage(AccountResolver& resolver, const IngestOptions& options);
std::unique_ptr<Stage> make_method_stage();  // publish_stage.cpp
std::unique_ptr<Stage> make_signature_stage(const IngestOptions& options);
std::unique_ptr<Stage> make_publish_stage(AccountResolver& resolver,
                                          std::shared_ptr<EventPublisher> publisher,
                                          const IngestOptions& options);
// The install-level stages (install_stages.cpp).
std::unique_ptr<Stage> make_resolve_install_stage(AccountResolver& resolver, WebhookConfigCache& configs);
std::unique_ptr<Stage> make_lookup_stage(AccountResolver& resolver, const IngestOptions& options);

}  // namespace hookd::ingest
