// De-duplication at ingest and lineage, against the real binary, Redis and Kafka. An integration names the
// vendor's delivery id (webhook.delivery_id): a vendor retry with the same id, even with a changed body, is
// answered 200 with the same event ids and delivered once, also after hookd restarts; another id is another
// event; a publish that failed leaves nothing behind, so the retry is published. GET /lineage answers the
// inbound requests, the events' Kafka partition and offset and their deliveries with attempts, within the
// token's environment only; GET /inbound lists an account's requests, signature failures included.
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "gh-e2e-secret";

// Signed like GitHub: hex HMAC-SHA256 of the body in X-Signature; the delivery id in X-GitHub-Delivery.
constexpr const char* kSignedByHeader = R"({"webhook":{
  "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}",
    "algorithm":"sha256","string_type":"hex","compare_with":"{{headers.x-signature}}","parts":["raw_body"]}},
  "delivery_id":{"header":"X-GitHub-Delivery"}}})";

class DedupeLineage : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (HasFatalFailure()) return;
    vendor_account_ =
        add_account("github", kSignedByHeader, std::string(R"({"webhook_secret":")") + kSecret + "\"}");
  }

  HttpResult post_vendor(const std::string& body, const std::string& delivery_id,
                         std::string signature = {}) {
    if (signature.empty()) signature = to_hex(hmac_sha256(kSecret, body));
    return http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + vendor_account_, body,
                     {{"Content-Type", "application/json"},
                      {"X-GitHub-Event", "issues"},
                      {"X-GitHub-Delivery", delivery_id},
                      {"X-Signature", signature}});
  }

  static std::vector<std::string> event_ids(const HttpResult& r) {
    std::vector<std::string> ids;
    json::Value events = r.json().get("events");
    if (events.is_array())
      for (const json::Value& e : events.as_array())
        ids.emplace_back(e.get("id").string_or(""));
    return ids;
  }

  void restart_hookd(std::map<std::string, std::string> env) {
    int status = hookd_->stop();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << hookd_->log();
    hookd_ = std::make_unique<HookdProcess>(hookd_binary(), std::move(env));
  }

  // Inbound records are written in the background: waits (bounded) until `path` answers `count` of them.
  json::Value wait_for_records(const std::string& path, const char* list, size_t count,
                               const std::string& token = {}) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    HttpResult r;
    for (;;) {
      r = admin("GET", path, {}, token);
      json::Value items = r.json().get(list);
      if (r.status == 200 && items.is_array() && items.size() >= count) return r.json();
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::yield();
    }
    ADD_FAILURE() << path << " never had " << count << " records: " << r.status << " " << r.body;
    return {};
  }

  std::string vendor_account_;
};

TEST_F(DedupeLineage, AVendorRetryWithAChangedBodyIsAnsweredTheSameAndDeliveredOnce) {
  auto first = post_vendor(R"({"action":"opened","attemptNumber":0})", "d-1");
  ASSERT_EQ(first.status, 200) << first.body;
  auto retry = post_vendor(R"({"action":"opened","attemptNumber":1})", "d-1");
  ASSERT_EQ(retry.status, 200) << retry.body;
  ASSERT_EQ(event_ids(first).size(), 1u);
  EXPECT_EQ(event_ids(retry), event_ids(first)) << "the same event ids, as the first time";
  EXPECT_EQ(metric("hookd_ingest_duplicates_total"), 1);

  auto other = post_vendor(R"({"action":"opened","attemptNumber":0})", "d-2");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_NE(event_ids(other), event_ids(first)) << "another delivery id is another event";

  wait_until_dispatched();
  auto received = sink_.requests();
  ASSERT_EQ(received.size(), 2u) << "d-1 once, d-2 once";
  EXPECT_EQ(received[0].header("webhook-id").value_or("") == event_ids(first)[0] ||
                received[1].header("webhook-id").value_or("") == event_ids(first)[0],
            true);
}

TEST_F(DedupeLineage, TheRetryIsRecognizedAfterARestart) {
  auto first = post_vendor(R"({"action":"closed","n":1})", "d-restart");
  ASSERT_EQ(first.status, 200) << first.body;
  wait_until_dispatched();  // everything consumed and committed before the restart
  ASSERT_EQ(sink_.requests().size(), 1u);
  restart_hookd(hookd_env());
  auto retry = post_vendor(R"({"action":"closed","n":2})", "d-restart");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(event_ids(retry), event_ids(first)) << "webhook-id stays stable across restarts";
  EXPECT_EQ(metric("hookd_ingest_duplicates_total"), 1);
  // Nothing was published by the new process, so nothing more can be delivered.
  EXPECT_EQ(metric("hookd_kafka_messages_total{outcome=\"acked\"}"), 0);
  EXPECT_EQ(sink_.requests().size(), 1u);
}

TEST_F(DedupeLineage, TheExpressionFormReadsTheIdFromThePayload) {
  std::string account =
      add_account("hubspot", R"({"webhook":{"delivery_id":{"expression":"body.eventId"}}})");
  auto post = [&](const std::string& body) {
    return http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, body,
                     {{"Content-Type", "application/json"}});
  };
  auto first = post(R"({"eventId":77,"subscriptionType":"contact.creation","attemptNumber":0})");
  auto retry = post(R"({"eventId":77,"subscriptionType":"contact.creation","attemptNumber":1})");
  auto other = post(R"({"eventId":78,"subscriptionType":"contact.creation","attemptNumber":0})");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(event_ids(retry), event_ids(first));
  EXPECT_NE(event_ids(other), event_ids(first));
  EXPECT_EQ(metric("hookd_ingest_duplicates_total"), 1) << "the retry was not published again";
  wait_until_dispatched();
  EXPECT_EQ(sink_.requests().size(), 2u);
}

TEST_F(DedupeLineage, AFailedPublishIsNotRememberedSoTheRetryIsPublished) {
  wait_until_dispatched();  // the setup's events consumed and committed before the restarts
  auto down = hookd_env();
  down["HOOKD_ROLES"] = "ingest,admin";
  down["HOOKD_KAFKA_BROKERS"] = "127.0.0.1:1";  // nothing listens there
  down["HOOKD_KAFKA_PUBLISH_TIMEOUT"] = "2s";
  restart_hookd(down);
  auto failed = post_vendor(R"({"action":"opened"})", "d-fail");
  ASSERT_EQ(failed.status, 503) << failed.body;

  restart_hookd(hookd_env());
  auto retry = post_vendor(R"({"action":"opened"})", "d-fail");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(metric("hookd_ingest_duplicates_total"), 0);
  EXPECT_EQ(metric("hookd_kafka_messages_total{outcome=\"acked\"}"), 1);
  wait_until_dispatched();
  EXPECT_EQ(sink_.requests().size(), 1u);
}

TEST_F(DedupeLineage, LineageShowsTheRequestsTheirEventsPositionsAndDeliveries) {
  auto first = post_vendor(R"({"action":"opened"})", "d-lineage");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string event_id = event_ids(first).at(0);
  wait_until_dispatched();
  auto retry = post_vendor(R"({"action":"opened","again":true})", "d-lineage");
  ASSERT_EQ(retry.status, 200) << retry.body;

  for (const std::string& path :
       {std::string("/lineage?vendor_delivery_id=d-lineage"),
        "/lineage?vendor_delivery_id=d-lineage&integrated_account_id=" + vendor_account_,
        "/lineage?event_id=" + event_id}) {
    SCOPED_TRACE(path);
    json::Value l = wait_for_records(path, "inbound", 2);
    json::Value inbound = l.get("inbound");
    ASSERT_EQ(inbound.size(), 2u);
    EXPECT_EQ(inbound.at(0).get("verdict").string_or(""), "duplicate") << "newest first";
    EXPECT_EQ(inbound.at(1).get("verdict").string_or(""), "accepted");
    EXPECT_EQ(inbound.at(1).get("status_code").number_or(0), 200);
    EXPECT_EQ(inbound.at(1).get("method").string_or(""), "POST");
    EXPECT_EQ(inbound.at(1).get("integrated_account_id").string_or(""), vendor_account_);
    EXPECT_EQ(inbound.at(1).get("vendor_delivery_id").string_or(""), "d-lineage");
    EXPECT_TRUE(inbound.at(1).get("received_at").is_number());
    json::Value events = l.get("events");
    ASSERT_EQ(events.size(), 1u);
    const json::Value& e = events.at(0);
    EXPECT_EQ(e.get("id").string_or(""), event_id);
    EXPECT_GE(e.get("partition").number_or(-1), 0);
    EXPECT_GE(e.get("offset").number_or(-1), 0);
    EXPECT_EQ(e.get("inbound_id").string_or(""), inbound.at(1).get("id").string_or("-"));
    json::Value deliveries = e.get("deliveries");
    ASSERT_EQ(deliveries.size(), 1u);
    EXPECT_EQ(deliveries.at(0).get("webhook_id").string_or(""), webhook_id_);
    EXPECT_EQ(deliveries.at(0).get("status").string_or(""), "succeeded");
    ASSERT_EQ(deliveries.at(0).get("attempts").size(), 1u);
    EXPECT_EQ(deliveries.at(0).get("attempts").at(0).get("status_code").number_or(0), 200);
  }
  EXPECT_EQ(admin("GET", "/lineage?vendor_delivery_id=d-unknown").status, 404);
  EXPECT_EQ(admin("GET", "/lineage").status, 400);
  EXPECT_EQ(admin("GET", "/lineage?vendor_delivery_id=a&event_id=b").status, 400);
}

TEST_F(DedupeLineage, AnotherEnvironmentsTokenSeesNothing) {
  auto first = post_vendor(R"({"action":"opened"})", "d-iso");
  ASSERT_EQ(first.status, 200) << first.body;
  std::string event_id = event_ids(first).at(0);
  wait_for_records("/lineage?vendor_delivery_id=d-iso", "inbound", 1);
  wait_for_records("/inbound?integrated_account_id=" + vendor_account_, "result", 1);

  auto env = operator_call("POST", "/environment", R"({"name":"other"})");
  ASSERT_EQ(env.status, 201) << env.body;
  auto token =
      operator_call("POST", "/environment/" + std::string(env.json().get("id").string_or("")) + "/api-token",
                    R"({"name":"other"})");
  ASSERT_EQ(token.status, 201) << token.body;
  std::string other(token.json().get("token").string_or(""));
  EXPECT_EQ(admin("GET", "/lineage?vendor_delivery_id=d-iso", {}, other).status, 404);
  EXPECT_EQ(admin("GET", "/lineage?event_id=" + event_id, {}, other).status, 404);
  auto listed = admin("GET", "/inbound?integrated_account_id=" + vendor_account_, {}, other);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().get("result").size(), 0u);
}

TEST_F(DedupeLineage, ASignatureFailureShowsInInboundAndNeverReachesTheLedger) {
  auto forged = post_vendor(R"({"action":"opened"})", "d-forged", std::string(64, '0'));
  ASSERT_EQ(forged.status, 401) << forged.body;
  json::Value listed = wait_for_records(
      "/inbound?integrated_account_id=" + vendor_account_ + "&verdict=signature_failed", "result", 1);
  const json::Value& r = listed.get("result").at(0);
  EXPECT_EQ(r.get("status_code").number_or(0), 401);
  EXPECT_EQ(r.get("error").string_or(""), forged.json().get("error").string_or("-"));
  EXPECT_EQ(r.get("vendor_delivery_id").string_or(""), "d-forged");
  EXPECT_EQ(r.get("events").size(), 0u);

  auto genuine = post_vendor(R"({"action":"opened"})", "d-forged");
  ASSERT_EQ(genuine.status, 200) << genuine.body;
  EXPECT_EQ(metric("hookd_ingest_duplicates_total"), 0) << "the forged request was never remembered";
  json::Value accepted = wait_for_records(
      "/inbound?integrated_account_id=" + vendor_account_ + "&verdict=accepted", "result", 1);
  EXPECT_EQ(accepted.get("result").size(), 1u);
  auto all = admin("GET", "/inbound?integrated_account_id=" + vendor_account_ + "&limit=1");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json().get("result").size(), 1u);
  EXPECT_EQ(all.json().get("result").at(0).get("verdict").string_or(""), "accepted") << "newest first";
  std::string cursor(all.json().get("next_cursor").string_or(""));
  ASSERT_FALSE(cursor.empty());
  auto next = admin("GET", "/inbound?integrated_account_id=" + vendor_account_ + "&limit=1&cursor=" + cursor);
  ASSERT_EQ(next.json().get("result").size(), 1u);
  EXPECT_EQ(next.json().get("result").at(0).get("verdict").string_or(""), "signature_failed");
  EXPECT_EQ(admin("GET", "/inbound?integrated_account_id=" + vendor_account_ + "&verdict=nope").status, 400);
  EXPECT_EQ(admin("GET", "/inbound").status, 400);
}

TEST_F(DedupeLineage, AnInboundRecordCarriesTheTransformResultSize) {
  std::string account = add_account(
      "transformed",
      R"({"webhook":{"payload_transform":"{'event_type':'created','resource':'contacts','record':body}"}})");
  auto posted = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, R"({"a":1})",
                          {{"Content-Type", "application/json"}});
  ASSERT_EQ(posted.status, 200) << posted.body;
  json::Value listed = wait_for_records("/inbound?integrated_account_id=" + account, "result", 1);
  const json::Value& r = listed.get("result").at(0);
  EXPECT_EQ(r.get("transform_result_bytes").number_or(-1),
            std::string(R"({"event_type":"created","resource":"contacts","record":{"a":1}})").size());
  EXPECT_EQ(r.get("verdict").string_or(""), "accepted");
  EXPECT_TRUE(r.get("vendor_delivery_id").is_null()) << "no delivery_id configured, no guessable header";
  ASSERT_EQ(r.get("events").size(), 1u);
  EXPECT_EQ(r.get("events").at(0).get("id").string_or(""),
            posted.json().get("events").at(0).get("id").string_or("-"));
  EXPECT_GE(r.get("events").at(0).get("offset").number_or(-1), 0);
}

TEST_F(DedupeLineage, LineageFindsAWellKnownDeliveryHeaderWithoutTheSetting) {
  auto posted = post_shopify(R"({"id":42})");  // X-Shopify-Webhook-Id, and no delivery_id in the config
  ASSERT_EQ(posted.status, 200) << posted.body;
  json::Value l =
      wait_for_records("/lineage?vendor_delivery_id=b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "inbound", 1);
  ASSERT_EQ(l.get("events").size(), 1u);
  EXPECT_EQ(l.get("events").at(0).get("id").string_or(""),
            posted.json().get("events").at(0).get("id").string_or("-"));
  EXPECT_EQ(l.get("inbound").at(0).get("integrated_account_id").string_or(""), account_id_);
}

TEST_F(DedupeLineage, ABadDeliveryIdConfigIsRefusedWhenStoredNamingTheField) {
  auto bad = operator_call("POST", "/integration",
                           R"({"name":"badwindow","config":{"webhook":{"delivery_id":)"
                           R"({"header":"x-id","dedupe_window_seconds":5}}}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.json().get("message").string_or("").find("webhook.delivery_id.dedupe_window_seconds"),
            std::string::npos)
      << bad.body;
  auto both = operator_call("POST", "/integration",
                            R"({"name":"badboth","config":{"webhook":{"delivery_id":)"
                            R"({"header":"x-id","expression":"body.id"}}}})");
  EXPECT_EQ(both.status, 400) << both.body;
  EXPECT_NE(both.json().get("message").string_or("").find("webhook.delivery_id"), std::string::npos)
      << both.body;
}

}  // namespace
}  // namespace hookd::test
