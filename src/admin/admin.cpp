#include "admin/admin.h"

#include "admin/rate_limit.h"
#include "admin/routes.h"

namespace hookd::admin {

void register_routes(http::Router& router, std::shared_ptr<AdminContext> ctx) {
  if (!ctx->limiter)
    ctx->limiter = std::make_shared<RateLimiter>(ctx->options.rate_limit_per_second,
                                                 2 * ctx->options.rate_limit_per_second);
  register_environment_routes(router, ctx);
  register_integration_routes(router, ctx);
  for (auto table : {account_routes(), webhook_routes(), delivery_routes(), event_routes()})
    for (const Route& route : table)
      router.add(route.verb, route.path,
                 route.access == Access::environment ? environment_route(ctx, route.handler)
                                                     : operator_route(ctx, route.handler));
}

}  // namespace hookd::admin
