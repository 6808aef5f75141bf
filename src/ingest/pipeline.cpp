#include "ingest/pipeline.h"

#include <algorithm>
#include <array>
#include <atomic>

#include "core/clock.h"
#include "core/ids.h"
#include "core/metrics.h"
#include "ingest/event_builder.h"
#include "ingest/reply.h"
#include "ingest/request_url.h"

namespace hookd::ingest {

Status IngestOptions::validate() const {
  auto bad = [](const char* field, const char* problem) {
    return make_error(IngestErrc::invalid_config, problem, field);
  };
  if (body_limits.max_form_fields < 1) return bad("body_limits.max_form_fields", "must be at least 1");
  if (max_events_per_request < 1) return bad("max_events_per_request", "must be at least 1");
  if (max_event_bytes < 1024) return bad("max_event_bytes", "must be at least 1024 bytes");
  if (expression_limits.time.count() <= 0) return bad("expression_limits.time", "must be positive");
  if (expression_limits.max_depth < 10) return bad("expression_limits.max_depth", "must be at least 10");
  if (dedupe_window < DeliveryIdSpec::min_window || dedupe_window > DeliveryIdSpec::max_window)
    return bad("dedupe_window", "must be from 1m to 30d");
  if (inbound_retention < std::chrono::minutes(1)) return bad("inbound_retention", "must be at least 1m");
  if (!public_url.empty()) {
    auto normalized = normalize_public_url(public_url);
    if (!normalized.ok())
      return make_error(IngestErrc::invalid_config, normalized.error().message, "public_url");
    if (*normalized != public_url)
      return bad("public_url", "must be normalized (lower-case scheme, no trailing slash)");
  }
  return {};
}

Pipeline::Pipeline(AccountResolver& resolver, std::shared_ptr<EventPublisher> publisher,
                   IngestOptions options)
    : resolver_(resolver), options_(std::move(options)) {
  stages_.push_back(make_resolve_stage(resolver, configs_));
  stages_.push_back(make_context_stage(options_));
  stages_.push_back(make_transform_stage(options_));
  stages_.push_back(make_verification_stage(resolver, options_));
  stages_.push_back(make_method_stage());
  stages_.push_back(make_signature_stage(options_));
  stages_.push_back(make_publish_stage(resolver, std::move(publisher), options_));

  install_stages_.push_back(make_resolve_install_stage(resolver, configs_));
  install_stages_.push_back(make_context_stage(options_));
  install_stages_.push_back(make_transform_stage(options_));
  install_stages_.push_back(make_verification_stage(resolver, options_));
  install_stages_.push_back(make_lookup_stage(resolver, options_));
}

Pipeline::Pipeline(store::Store& store, std::shared_ptr<bus::Producer> producer, IngestOptions options)
    : Pipeline(store_resolver(store), kafka_publisher(std::move(producer)), std::move(options)) {}

Pipeline::Pipeline(std::unique_ptr<AccountResolver> resolver, std::shared_ptr<EventPublisher> publisher,
                   IngestOptions options)
    : Pipeline(*resolver, std::move(publisher), std::move(options)) {
  owned_resolver_ = std::move(resolver);
}

awaitable<void> Pipeline::run(const Chain& chain, IngestState& state) {
  for (const auto& stage : chain) {
    if (co_await stage->run(state) == StageStatus::stop) break;
  }
}

// One series per status, looked up in the registry once (it takes a lock and builds label text).
void Pipeline::count(const http::Response& response) {
  static std::array<std::atomic<metrics::Counter*>, 600> by_status{};
  unsigned status = std::min(response.result_int(), 599u);
  metrics::Counter* counter = by_status[status].load(std::memory_order_acquire);
  if (!counter) {
    counter =
        &metrics::registry().counter("hookd_ingest_requests_total", "Vendor webhook requests by answer.",
                                     "status=\"" + std::to_string(status) + "\"");
    by_status[status].store(counter, std::memory_order_release);
  }
  counter->inc();
}

awaitable<IngestOutcome> Pipeline::handle(http::RequestContext& ctx, std::string account_id) {
  const int64_t received_at = clock::now_millis();
  IngestState state{.http = ctx, .account_id = std::move(account_id)};
  co_await run(stages_, state);
  if (!state.response)  // every chain ends in publish, which always answers; this is a bug guard
    state.response =
        http::error_response(http::Status::internal_server_error, "internal_error", "no stage answered");
  count(*state.response);
  // Only a 2xx means Kafka acknowledged the events; after a failure they are nobody's.
  if (state.response->result_int() >= 300) state.events.clear();
  record_inbound(state, received_at);
  co_return IngestOutcome{std::move(*state.response), std::move(state.events)};
}

// The record is built from what the chain already holds (nothing serialized here; only a refusal's small
// error body is read); the resolver measures and writes it in the background.
void Pipeline::record_inbound(const IngestState& s, int64_t received_at) {
  if (s.resolved.account.id.empty()) return;  // the request never reached an account (unknown id, Redis down)
  const http::Response& response = *s.response;
  if (options_.inbound_records == IngestOptions::InboundRecords::none) return;
  if (options_.inbound_records == IngestOptions::InboundRecords::not_accepted &&
      response.result_int() < 300 && s.verdict.empty())
    return;
  store::InboundRecord r;
  r.id = ids::uuid_v7(received_at);
  r.received_at = received_at;
  r.environment_id = s.resolved.account.environment_id;
  r.integrated_account_id = s.resolved.account.id;
  r.environment_integration_id = s.resolved.account.environment_integration_id;
  r.integration = s.resolved.integration.name;
  r.method = std::string(s.http.request.method_string());
  r.status_code = static_cast<int>(response.result_int());
  r.verdict = !s.verdict.empty() ? std::string(s.verdict) : r.status_code < 300 ? "accepted" : "refused";
  if (r.status_code >= 400) {
    json::Value body;
    if (json::parse(response.body(), body)) r.error = std::string(body.get("error").string_or(""));
  }
  // The delivery id the publish stage read; else (a request stopped earlier, or an integration without
  // delivery_id) the configured header or a well-known one, so that lineage by vendor id finds it too.
  r.vendor_delivery_id = s.vendor_delivery_id;
  if (r.vendor_delivery_id.empty() && s.config && s.config->delivery_id &&
      !s.config->delivery_id->header.empty())
    r.vendor_delivery_id = std::string(s.headers.get(s.config->delivery_id->header).string_or(""));
  if (r.vendor_delivery_id.empty() && s.headers.is_object())
    r.vendor_delivery_id = delivery_id_from_headers(s.headers);
  r.events.reserve(s.events.size());
  for (size_t i = 0; i < s.events.size(); ++i) {
    store::InboundEvent e{s.events[i].id, s.events[i].type};
    if (i < s.positions.size()) e.partition = s.positions[i].partition, e.offset = s.positions[i].offset;
    r.events.push_back(std::move(e));
  }
  bool transformed = s.config && s.config->payload_transform;
  resolver_.record_inbound(std::move(r), {options_.inbound_retention, options_.inbound_max_per_account},
                           transformed ? s.transformed : json::Value());
}

awaitable<IngestOutcome> Pipeline::handle_install(http::RequestContext& ctx, std::string install_id) {
  IngestState state{.http = ctx, .install_id = std::move(install_id)};
  co_await run(install_stages_, state);
  if (state.response) {  // a handshake, a meta event, or no account found
    count(*state.response);
    co_return IngestOutcome{std::move(*state.response), {}};
  }
  // One account (the usual case): its own chain answers the vendor exactly as at the account's URL.
  if (state.lookup_accounts.size() == 1) co_return co_await handle(ctx, state.lookup_accounts.front());

  // Several accounts share the value (e.g. one workspace connected twice): each gets the webhook; the vendor
  // gets 2xx only if every account accepted it, else the first failure, and retries the whole webhook.
  std::vector<Event> events;
  for (const std::string& account_id : state.lookup_accounts) {
    IngestOutcome outcome = co_await handle(ctx, account_id);
    if (outcome.response.result_int() >= 300) co_return outcome;
    for (Event& e : outcome.events)
      events.push_back(std::move(e));
  }
  http::Response reply = state.config->accept_response ? build_reply(*state.config->accept_response)
                                                       : accepted_response(events, state.lookup_accounts);
  co_return IngestOutcome{std::move(reply), std::move(events)};
}

}  // namespace hookd::ingest
