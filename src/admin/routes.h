// The route groups of the admin API, one file each.
#pragma once

#include <span>
#include <string_view>

#include "admin/request.h"

namespace hookd::admin {

// Who may call a route: it is wrapped in environment_route or operator_route accordingly.
enum class Access { environment, operator_only };
// A plain function pointer, not EnvHandler, so that a file's table is a constexpr array of named coroutines.
using RouteHandler = awaitable<http::Response> (*)(AdminContext&, http::RequestContext&, const Principal&);
// One admin route; each file's table lists its routes, admin.cpp registers the tables.
struct Route {
  http::Verb verb;
  std::string_view path;
  Access access;
  RouteHandler handler;
};

void register_environment_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
void register_integration_routes(http::Router& r, std::shared_ptr<AdminContext> ctx);
std::span<const Route> account_routes();
std::span<const Route> webhook_routes();
std::span<const Route> delivery_routes();
std::span<const Route> event_routes();

}  // namespace hookd::admin
