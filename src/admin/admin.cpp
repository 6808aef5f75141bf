#include "admin/admin.h"

#include "admin/console.h"
#include "admin/rate_limit.h"
#include "admin/routes.h"

namespace hookd::admin {

namespace {

http::Handler wrap(const std::shared_ptr<AdminContext>& ctx, const Route& route) {
  switch (route.access) {
    case Access::environment:
      return environment_route(ctx, route.handler);
    case Access::operator_only:
      return operator_route(ctx, route.handler);
    case Access::any_token:
      break;
  }
  return any_token_route(ctx, route.handler);
}

}  // namespace

std::vector<Route> all_routes() {
  std::vector<Route> out;
  for (auto table : {environment_routes(), integration_routes(), account_routes(), webhook_routes(),
                     delivery_routes(), event_routes(), flow_routes(), lineage_routes(), stats_routes()})
    out.insert(out.end(), table.begin(), table.end());
  return out;
}

void register_routes(http::Router& router, std::shared_ptr<AdminContext> ctx) {
  if (!ctx->limiter)
    ctx->limiter = std::make_shared<RateLimiter>(ctx->options.rate_limit_per_second,
                                                 2 * ctx->options.rate_limit_per_second);
  for (const Route& route : all_routes())
    router.add(route.verb, route.path, wrap(ctx, route));
  // The console's static files: no token (they hold no data), outside the API's route tables.
  console::register_routes(router);
}

}  // namespace hookd::admin
