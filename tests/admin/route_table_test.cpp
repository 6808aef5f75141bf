// The route tables are the admin API's surface in one place: each (verb, path) once, every route with a
// handler, and nothing registered beside them (the OpenAPI test compares the registered routes with
// schemas/openapi.yaml both ways).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "admin/routes.h"

namespace hookd::admin {
namespace {

TEST(RouteTable, EachRouteOnceWithAHandler) {
  auto routes = all_routes();
  ASSERT_GE(routes.size(), 36u);
  std::set<std::pair<int, std::string>> seen;
  for (const Route& r : routes) {
    SCOPED_TRACE(std::string(r.path));
    EXPECT_NE(r.handler, nullptr);
    EXPECT_TRUE(seen.emplace(static_cast<int>(r.verb), std::string(r.path)).second) << "listed twice";
    EXPECT_EQ(r.path.front(), '/');
  }
}

TEST(RouteTable, TheCatalogIsTheOnlyRouteEveryTokenMayRead) {
  for (const Route& r : all_routes()) {
    if (r.access != Access::any_token) continue;
    EXPECT_EQ(r.verb, http::Verb::get) << r.path << ": a route any token may call must not change anything";
    EXPECT_EQ(r.path.substr(0, 12), "/integration") << r.path;
  }
}

}  // namespace
}  // namespace hookd::admin
