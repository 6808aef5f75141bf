#include "admin/admin.h"

#include "admin/routes.h"

namespace hookd::admin {

void register_routes(http::Router& router, std::shared_ptr<AdminContext> ctx) {
  register_environment_routes(router, ctx);
  register_integration_routes(router, ctx);
  register_account_routes(router, ctx);
  register_webhook_routes(router, ctx);
  register_delivery_routes(router, ctx);
  register_event_routes(router, ctx);
}

}  // namespace hookd::admin
