#include "ingest/pipeline.h"

#include <algorithm>
#include <array>
#include <atomic>

#include "core/metrics.h"
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
    : options_(std::move(options)) {
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
  IngestState state{.http = ctx, .account_id = std::move(account_id)};
  co_await run(stages_, state);
  if (!state.response)  // every chain ends in publish, which always answers; this is a bug guard
    state.response =
        http::error_response(http::Status::internal_server_error, "internal_error", "no stage answered");
  count(*state.response);
  // Only a 2xx means Kafka acknowledged the events; after a failure they are nobody's.
  if (state.response->result_int() >= 300) state.events.clear();
  co_return IngestOutcome{std::move(*state.response), std::move(state.events)};
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
