#include "ingest/pipeline.h"

#include "core/metrics.h"

namespace hookd::ingest {

Pipeline::Pipeline(store::Store& store, std::shared_ptr<bus::Producer> producer, IngestOptions options)
    : options_(std::move(options)) {
  stages_.push_back(make_resolve_stage(store, configs_));
  stages_.push_back(make_context_stage());
  stages_.push_back(make_transform_stage(options_));
  stages_.push_back(make_verification_stage(store, options_));
  stages_.push_back(make_signature_stage());
  stages_.push_back(make_publish_stage(store, std::move(producer)));
}

awaitable<http::Response> Pipeline::handle(http::RequestContext& ctx, std::string account_id) {
  IngestState state{ctx, std::move(account_id), {}, {}, {}, {}, {}, {}, {}, {}, {}};
  for (const auto& stage : stages_) {
    if (co_await stage->run(state) == StageStatus::stop) break;
  }
  if (!state.response)  // every chain ends in publish, which always answers; this is a bug guard
    state.response =
        http::error_response(http::Status::internal_server_error, "internal_error", "no stage answered");
  std::string labels = "status=\"" + std::to_string(state.response->result_int()) + "\"";
  metrics::registry()
      .counter("hookd_ingest_requests_total", "Vendor webhook requests by answer.", labels)
      .inc();
  co_return std::move(*state.response);
}

}  // namespace hookd::ingest
