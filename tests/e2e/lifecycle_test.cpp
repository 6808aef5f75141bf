// Events hookd makes itself (account lifecycle, test events) go through the same Kafka topic and dispatcher
// as vendor events; an endpoint that keeps failing is disabled and says so.
#include <algorithm>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

using Lifecycle = E2eTest;

std::vector<std::string> event_types(const TestHttpServer& sink) {
  std::vector<std::string> out;
  for (const auto& r : sink.requests()) {
    json::Value e;
    if (json::parse(r.body, e)) out.emplace_back(e.get("event").string_or(""));
  }
  return out;
}

TEST_F(Lifecycle, AccountChangesAreDeliveredAsIntegratedAccountEvents) {
  TestHttpServer all;
  json::Value w = create_webhook(all.url("/all"), R"(["integrated_account:*"])");
  std::string body = R"({"tenant_id":"globex","environment_integration_id":")" + install_id_ +
                     R"(","authentication_method":"oauth2","region":"eu","context":{"k":"v"}})";
  auto created = admin("POST", "/integrated-account", body);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(created.json().get("id").as_string());
  ASSERT_EQ(admin("PATCH", "/integrated-account/" + id, R"({"status":"needs_reauth"})").status, 200);
  ASSERT_EQ(admin("PATCH", "/integrated-account/" + id, R"({"status":"active"})").status, 200);
  for (const char* status : {"post_install_error", "validation_error", "active"}) {
    ASSERT_EQ(
        admin("PATCH", "/integrated-account/" + id, std::string(R"({"status":")") + status + R"("})").status,
        200);
  }
  ASSERT_EQ(admin("DELETE", "/integrated-account/" + id).status, 200);

  ASSERT_TRUE(all.wait_for_requests(12, 30s)) << all.request_count();
  wait_until_dispatched();
  // Deliveries go out concurrently, so they may arrive in any order; the set is exact, one per state change.
  auto types = event_types(all);
  std::sort(types.begin(), types.end());
  EXPECT_EQ(types, (std::vector<std::string>{
                       "integrated_account:active", "integrated_account:authentication_error",
                       "integrated_account:created", "integrated_account:deleted",
                       "integrated_account:post_install_error", "integrated_account:reactivated",
                       "integrated_account:updated", "integrated_account:updated",
                       "integrated_account:updated", "integrated_account:updated",
                       "integrated_account:updated", "integrated_account:validation_error"}));
  json::Value first;
  for (const auto& r : all.requests()) {
    json::Value e;
    if (json::parse(r.body, e) && e.get("event").string_or("") == "integrated_account:created") first = e;
  }
  const json::Value& account = first.get("payload");
  EXPECT_EQ(account.get("id").as_string(), id);
  EXPECT_EQ(account.get("tenant_id").as_string(), "globex");
  EXPECT_EQ(account.get("region").as_string(), "eu");
  EXPECT_EQ(account.get("integration").get("name").as_string(), "shopify");
  EXPECT_EQ(sink_.request_count(), 0u) << "the record:* endpoint gets none of these";
}

TEST_F(Lifecycle, WebhookTestSendsATestEventToThatEndpointOnly) {
  TestHttpServer other;
  create_webhook(other.url("/other"), "[]");  // every event type
  auto res = admin("POST", "/webhook/test", R"({"id":")" + webhook_id_ + R"("})");
  ASSERT_EQ(res.status, 202) << res.body;
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));
  json::Value e;
  ASSERT_TRUE(json::parse(sink_.requests()[0].body, e));
  EXPECT_EQ(e.get("event").as_string(), "test");
  EXPECT_EQ(e.get("id").as_string(), res.json().get("id").as_string());
  // The event has exactly one delivery, to the endpoint tested: the other endpoint has none to receive.
  json::Value deliveries = admin("GET", "/delivery?event_id=" + std::string(e.get("id").as_string())).json();
  ASSERT_EQ(deliveries.get("result").size(), 1u) << "a test event goes to the endpoint being tested";
  EXPECT_EQ(deliveries.get("result").at(0).get("webhook_id").as_string(), webhook_id_);
  EXPECT_EQ(other.request_count(), 0u);
}

class Disable : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_DISABLE_AFTER"] = "0s";
    env["HOOKD_DISABLE_AFTER_FAILURES"] = "3";
    env["HOOKD_MAX_ATTEMPTS"] = "10";
    // Long enough for the dispatcher to record the third failure and disable the endpoint (two more Redis
    // round trips) before a fourth attempt could be due, however busy the machine is.
    env["HOOKD_RETRY_SCHEDULE"] = "1s";
    return env;
  }
};

TEST_F(Disable, AnEndpointThatKeepsFailingIsDisabledAndTheEnvironmentIsTold) {
  TestHttpServer watcher;
  create_webhook(watcher.url("/watch"), R"(["webhook:disabled"])");
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(502, "bad gateway"); });
  ASSERT_EQ(post_shopify(R"({"id":1})").status, 200);

  ASSERT_TRUE(watcher.wait_for_requests(1, 30s)) << "no webhook:disabled event";
  json::Value e;
  ASSERT_TRUE(json::parse(watcher.requests()[0].body, e));
  EXPECT_EQ(e.get("event").as_string(), "webhook:disabled");
  EXPECT_EQ(e.get("payload").get("webhook_id").as_string(), webhook_id_);

  json::Value w = admin("GET", "/webhook/" + webhook_id_).json();
  EXPECT_FALSE(w.get("is_active").as_bool());
  EXPECT_FALSE(w.get("disabled_reason").string_or("").empty());
  size_t attempts = sink_.request_count();
  EXPECT_EQ(attempts, 3u) << "disabled at the third consecutive failure";
  // Its pending retry ends without an attempt (the endpoint is disabled): once the delivery is failed, which is
  // final, nothing more can reach the endpoint.
  std::string status;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       status != "failed" && std::chrono::steady_clock::now() < deadline;) {
    json::Value list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries").json();
    status = std::string(list.get("result").at(0).get("status").string_or(""));
    if (status != "failed") std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, "failed");
  EXPECT_EQ(sink_.request_count(), attempts) << "a disabled endpoint gets nothing more";

  // Re-enabled, it takes events again.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  ASSERT_EQ(admin("PATCH", "/webhook/" + webhook_id_, R"({"is_active":true})").status, 200);
  ASSERT_EQ(post_shopify(R"({"id":2})").status, 200);
  ASSERT_TRUE(sink_.wait_for_requests(attempts + 1, 30s));
}

}  // namespace
}  // namespace hookd::test
