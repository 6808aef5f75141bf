// The route groups of the admin API, one file each.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "admin/request.h"

namespace hookd::admin {

// Who may call a route: it is wrapped in environment_route, operator_route or any_token_route accordingly.
enum class Access { environment, operator_only, any_token };
// A plain function pointer, not EnvHandler, so that a file's table is a constexpr array of named coroutines.
using RouteHandler = awaitable<http::Response> (*)(AdminContext&, http::RequestContext&, const Principal&);
// One admin route; each file's table lists its routes (the whole API surface, read table by table), and
// admin.cpp registers every table in one loop.
struct Route {
  http::Verb verb;
  std::string_view path;
  Access access;
  RouteHandler handler;
};

std::span<const Route> environment_routes();
std::span<const Route> integration_routes();
std::span<const Route> account_routes();
std::span<const Route> webhook_routes();
std::span<const Route> delivery_routes();
std::span<const Route> event_routes();
std::span<const Route> flow_routes();
std::span<const Route> lineage_routes();
std::span<const Route> stats_routes();  // routes_stats.cpp: endpoint health and delivery charts
// Every table, in registration order.
std::vector<Route> all_routes();

}  // namespace hookd::admin
