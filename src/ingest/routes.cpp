#include "ingest/routes.h"

namespace hookd::ingest {

void register_routes(http::Router& router, Pipeline& pipeline) {
  router.add(http::Verb::post, "/integrated-account-webhook/{integrated_account_id}",
             [&pipeline](http::RequestContext& ctx) -> awaitable<http::Response> {
               std::string account_id(ctx.param("integrated_account_id"));
               co_return co_await pipeline.handle(ctx, std::move(account_id));
             });
}

}  // namespace hookd::ingest
