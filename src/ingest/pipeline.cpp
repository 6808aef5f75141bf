#include "ingest/pipeline.h"

#include "core/metrics.h"

namespace hookd::ingest {

Pipeline::Pipeline(store::Store& store, std::shared_ptr<bus::Producer> producer, IngestOptions options)
    : options_(std::move(options)) {
  stages_.push_back(make_resolve_stage(store, configs_));
  stages_.push_back(make_context_stage(options_));
  stages_.push_back(make_transform_stage(options_));
  stages_.push_back(make_verification_stage(store, options_));
  stages_.push_back(make_signature_stage());
  stages_.push_back(make_publish_stage(store, std::move(producer), options_));

  install_stages_.push_back(make_resolve_install_stage(store, configs_));
  install_stages_.push_back(make_context_stage(options_));
  install_stages_.push_back(make_transform_stage(options_));
  install_stages_.push_back(make_verification_stage(store, options_));
  install_stages_.push_back(make_lookup_stage(store, options_));
}

awaitable<void> Pipeline::run(const Chain& chain, IngestState& state) {
  for (const auto& stage : chain) {
    if (co_await stage->run(state) == StageStatus::stop) break;
  }
}

void Pipeline::count(const http::Response& response) {
  std::string labels = "status=\"" + std::to_string(response.result_int()) + "\"";
  metrics::registry()
      .counter("hookd_ingest_requests_total", "Vendor webhook requests by answer.", labels)
      .inc();
}

awaitable<http::Response> Pipeline::handle(http::RequestContext& ctx, std::string account_id) {
  IngestState state{ctx, std::move(account_id), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  co_await run(stages_, state);
  if (!state.response)  // every chain ends in publish, which always answers; this is a bug guard
    state.response =
        http::error_response(http::Status::internal_server_error, "internal_error", "no stage answered");
  count(*state.response);
  co_return std::move(*state.response);
}

awaitable<http::Response> Pipeline::handle_install(http::RequestContext& ctx, std::string install_id) {
  IngestState state{ctx, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, std::move(install_id), {}};
  co_await run(install_stages_, state);
  if (state.response) {  // a handshake, a meta event, or no account found
    count(*state.response);
    co_return std::move(*state.response);
  }
  // One account (the usual case): its own chain answers the vendor exactly as at the account's URL.
  if (state.lookup_accounts.size() == 1) co_return co_await handle(ctx, state.lookup_accounts.front());

  // Several accounts share the value (e.g. one workspace connected twice): each gets the webhook; the vendor
  // gets 2xx only if every account accepted it, else the first failure, and retries the whole webhook.
  std::vector<json::Value> events;
  for (const std::string& account_id : state.lookup_accounts) {
    http::Response res = co_await handle(ctx, account_id);
    if (res.result_int() >= 300) co_return res;
    json::Value body;
    if (json::parse(res.body(), body) && body.get("events").is_array())
      for (const json::Value& e : body.get("events").as_array())
        events.push_back(e);
  }
  std::vector<json::Value> ids;
  for (const std::string& id : state.lookup_accounts)
    ids.emplace_back(id);
  json::ObjectBuilder body;
  body.set("status", "accepted")
      .set("integrated_account_ids", json::Value::array(std::move(ids)))
      .set("events", json::Value::array(std::move(events)));
  co_return http::json_response(http::Status::ok, std::move(body).build());
}

}  // namespace hookd::ingest
