// The route groups of the admin API, one file each.
#pragma once

#include "admin/request.h"

namespace hookd::admin {

void register_environment_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_integration_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_account_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_webhook_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_delivery_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_event_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);

}  // namespace hookd::admin
