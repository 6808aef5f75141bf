// schemas/openapi.yaml is the contract: every route the server registers is documented there, and every
// documented route exists.
#include <atomic>
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "admin/admin.h"
#include "app/health.h"
#include "ingest/routes.h"

namespace hookd {
namespace {

std::set<std::string> documented_routes(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::set<std::string> out;
  std::string line, current;
  bool in_paths = false;
  std::regex path_line(R"(^  (/[^:]*):\s*$)"), method_line(R"(^    (get|head|post|put|patch|delete):)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ' && line[0] != '#') break;  // the next top-level key
    if (std::regex_search(line, m, path_line)) {
      current = m[1];
    } else if (std::regex_search(line, m, method_line)) {
      std::string method = m[1];
      for (char& c : method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(method + " " + current);
    }
  }
  return out;
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheServerRegisters) {
  // Everything is built but nothing runs: the io_context is never run, so nothing connects.
  asio::io_context io;
  auto redis = store::RedisClient::create(io.get_executor(), store::RedisOptions{});
  store::Store store(redis);
  dispatch::DispatchOptions dispatch_options;
  dispatch::DeliveryStore deliveries(store, dispatch_options);
  auto ctx = std::make_shared<admin::AdminContext>(
      admin::AdminContext{store, nullptr, nullptr, deliveries, {}, nullptr, nullptr});
  http::Router router;
  admin::register_routes(router, ctx);
  ingest::Pipeline pipeline(store, nullptr, {});
  ingest::register_routes(router, pipeline);
  std::atomic<bool> stopping{false};
  app::register_health_routes(router, {redis.get(), nullptr, nullptr, &stopping});

  std::set<std::string> registered;
  for (const auto& r : router.routes())
    registered.insert(std::string(bhttp::to_string(r.method)) + " " + r.pattern);
  std::set<std::string> documented = documented_routes(HOOKD_SOURCE_DIR "/schemas/openapi.yaml");

  for (const auto& r : registered)
    EXPECT_TRUE(documented.count(r)) << r << " is served but not in openapi.yaml";
  for (const auto& d : documented)
    EXPECT_TRUE(registered.count(d)) << d << " is in openapi.yaml but not served";
  EXPECT_GT(registered.size(), 30u);
  redis->close();
}

}  // namespace
}  // namespace hookd
