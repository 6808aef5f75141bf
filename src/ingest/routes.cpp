#include "ingest/routes.h"

namespace hookd::ingest {

void register_routes(http::Router& router, Pipeline& pipeline) {
  router.add(http::Verb::post, "/integrated-account-webhook/{integrated_account_id}",
             [&pipeline](http::RequestContext& ctx) -> awaitable<http::Response> {
               std::string account_id(ctx.param("integrated_account_id"));
               IngestOutcome outcome = co_await pipeline.handle(ctx, std::move(account_id));
               co_return std::move(outcome.response);
             });
  router.add(http::Verb::post, "/environment-integration-webhook/{environment_integration_id}",
             [&pipeline](http::RequestContext& ctx) -> awaitable<http::Response> {
               std::string install_id(ctx.param("environment_integration_id"));
               IngestOutcome outcome = co_await pipeline.handle_install(ctx, std::move(install_id));
               co_return std::move(outcome.response);
             });
}

}  // namespace hookd::ingest
