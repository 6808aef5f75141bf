// What every end-to-end test starts from: a fresh Redis database, a fresh Kafka topic, the real hookd binary,
// an environment with an API token, a Shopify-style integration installed, one integrated account, and a
// customer endpoint pointing at a local test sink.
#pragma once

#include <map>
#include <memory>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hookd_process.h"
#include "http_call.h"
#include "test_http_server.h"

namespace hookd::test {

// HMAC-SHA256 with OpenSSL directly (not hookd's own crypto): the test checks hookd, not itself.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
std::string to_base64(std::string_view bytes);
std::string from_base64(std::string_view text);

// Runs hookctl against `h` with `token` and `args` (a shell word list, redirections allowed); returns its
// exit status and stdout.
std::pair<int, std::string> hookctl(const HookdProcess& h, const std::string& token, const std::string& args);

class E2eTest : public ::testing::Test {
 protected:
  static constexpr int kRedisDb =
      2;  // e2e tests hold a RESOURCE_LOCK, so they own this database one at a time
  static constexpr const char* kOperatorToken = "e2e-operator-token";
  static constexpr const char* kShopifySecret = "shpss_e2e_secret";

  void SetUp() override;
  void TearDown() override;

  // Extra environment for hookd (over the defaults); tests override.
  virtual std::map<std::string, std::string> hookd_env();
  virtual bool seed_endpoint() const { return true; }

  HttpResult admin(std::string_view method, const std::string& path, const std::string& body = {},
                   const std::string& token = {});
  HttpResult operator_call(std::string_view method, const std::string& path, const std::string& body = {});
  // A vendor POST signed as Shopify signs: base64 HMAC-SHA256 of the body in X-Shopify-Hmac-Sha256.
  HttpResult post_shopify(const std::string& body, const std::string& account_id = {},
                          std::string signature = {});
  // Adds an integration with `config_json` to the catalog, installs it and imports an account with
  // `context_json`; returns the account's id.
  std::string add_account(const std::string& integration, const std::string& config_json,
                          const std::string& context_json = "{}");
  // Creates an endpoint for `url` with the given event types; returns its JSON.
  json::Value create_webhook(const std::string& url, const std::string& event_types_json = "[\"record:*\"]");

  // Waits until dispatch has caught up: every event hookd produced is fanned out (hookd_kafka_messages_total
  // acked == hookd_dispatch_events_finished_total) and no delivery of the tokens' environments (default: the
  // fixture's) is pending or retrying. After it, nothing more will be sent: the condition for "and nothing
  // else arrived" checks. Fails the test after `timeout`.
  void wait_until_dispatched(std::vector<std::string> tokens = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // A counter or gauge from /metrics (0 when absent): of the fixture's hookd, or of `process`.
  double metric(std::string_view series);
  static double metric_of(HookdProcess& process, std::string_view series);
  // EXISTS `key` in the test's Redis database: for state no route shows (what hookd leaves behind).
  static bool redis_key_exists(const std::string& key);

  std::unique_ptr<HookdProcess> hookd_;
  TestHttpServer sink_;
  std::string topic_;
  std::string environment_id_;
  std::string token_;
  std::string integration_id_;
  std::string install_id_;
  std::string account_id_;
  std::string webhook_id_;
  std::string webhook_secret_;
};

}  // namespace hookd::test
