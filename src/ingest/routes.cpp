#include "ingest/routes.h"

namespace hookd::ingest {

void register_routes(http::Router& router, Pipeline& pipeline) {
  // Every method a vendor uses: GET and HEAD verification challenges (Dropbox, Okta, Mailchimp, Trello) run the
  // same chain as POSTed events; the publish stage refuses (405) what no handshake answered and has no event.
  for (http::Verb verb :
       {http::Verb::get, http::Verb::head, http::Verb::post, http::Verb::put, http::Verb::patch}) {
    router.add(verb, "/integrated-account-webhook/{integrated_account_id}",
               [&pipeline](http::RequestContext& ctx) -> awaitable<http::Response> {
                 std::string account_id(ctx.param("integrated_account_id"));
                 IngestOutcome outcome = co_await pipeline.handle(ctx, std::move(account_id));
                 co_return std::move(outcome.response);
               });
    router.add(verb, "/environment-integration-webhook/{environment_integration_id}",
               [&pipeline](http::RequestContext& ctx) -> awaitable<http::Response> {
                 std::string install_id(ctx.param("environment_integration_id"));
                 IngestOutcome outcome = co_await pipeline.handle_install(ctx, std::move(install_id));
                 co_return std::move(outcome.response);
               });
  }
}

}  // namespace hookd::ingest
