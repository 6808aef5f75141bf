// Issue 2's end-to-end specification: a signed vendor webhook in, a signed customer delivery out, through the
// real hookd binary, a real Kafka broker and a real Redis.
#include <cstdio>
#include <thread>

#include "e2e_fixture.h"
#include "services.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kOrder = R"({"id":820982911946154508,"email":"jon@example.com","total_price":"19.99"})";

// What a customer's receiver would do: check both signatures hookd sends.
void expect_signed_by(const RecordedRequest& r, const std::string& secret) {
  EXPECT_EQ(r.header("X-Truto-Signature").value_or(""),
            "format=sha256,v=" + to_hex(hmac_sha256(secret, r.body)));
  std::string id = r.header("webhook-id").value_or(""), ts = r.header("webhook-timestamp").value_or("");
  std::string key = from_base64(secret.substr(6));  // "whsec_" + base64
  EXPECT_EQ(r.header("webhook-signature").value_or(""),
            "v1," + to_base64(hmac_sha256(key, id + "." + ts + "." + r.body)));
}

class Pipeline : public E2eTest {
 protected:
  // The endpoint's newest delivery once it has `status` and `attempts` attempts on record (an attempt is
  // recorded after the sink has answered, a few Redis round trips later); the last answer seen if that never
  // happens.
  json::Value newest_delivery_when(const std::string& status, size_t attempts) {
    json::Value d;
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         std::chrono::steady_clock::now() < deadline;) {
      auto list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries");
      EXPECT_EQ(list.status, 200) << list.body;
      d = list.json().get("result").at(0);
      if (d.get("status").string_or("") == status && d.get("attempts").size() == attempts) break;
      std::this_thread::sleep_for(50ms);
    }
    return d;
  }
};

TEST_F(Pipeline, SignedShopifyWebhookReachesTheSinkAsASignedTrutoEvent) {
  auto res = post_shopify(kOrder);
  ASSERT_EQ(res.status, 200) << res.body;
  json::Value accepted = res.json();
  ASSERT_EQ(accepted.get("events").size(), 1u);
  std::string event_id(accepted.get("events").at(0).get("id").as_string());

  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));
  RecordedRequest r = sink_.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/acme");
  EXPECT_EQ(r.header("Content-Type").value_or(""), "application/json");
  expect_signed_by(r, webhook_secret_);

  json::Value e;
  ASSERT_TRUE(json::parse(r.body, e)) << r.body;
  std::vector<std::string> keys;
  for (const auto& m : e.members())
    keys.emplace_back(m.name());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "event", "payload", "environment_id", "created_at",
                                            "webhook_id"}));
  EXPECT_EQ(e.get("id").as_string(), event_id);
  EXPECT_EQ(e.get("event").as_string(), "record:created");  // from X-Shopify-Topic: orders/create
  EXPECT_EQ(e.get("environment_id").as_string(), environment_id_);
  EXPECT_EQ(e.get("webhook_id").as_string(), webhook_id_);
  const json::Value& p = e.get("payload");
  EXPECT_EQ(p.get("integrated_account_id").as_string(), account_id_);
  EXPECT_EQ(p.get("tenant_id").as_string(), "acme");
  EXPECT_EQ(p.get("integration").as_string(), "shopify");
  EXPECT_EQ(p.get("vendor_event_id").as_string(), "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  EXPECT_EQ(json::dump(p.get("record")), kOrder) << "the vendor's record, 64-bit id digits intact";
  EXPECT_EQ(r.header("webhook-id").value_or(""), event_id);

  // The delivery is on record with its attempt (recorded right after the sink answered).
  json::Value d = newest_delivery_when("succeeded", 1);
  EXPECT_EQ(d.get("status").as_string(), "succeeded");
  EXPECT_EQ(d.get("event_id").as_string(), event_id);
  EXPECT_EQ(d.get("attempts").at(0).get("status_code").as_number(), 200);
}

TEST_F(Pipeline, TamperedBodyIs401AndNothingIsDelivered) {
  std::string signature = to_base64(hmac_sha256(kShopifySecret, kOrder));
  std::string tampered = kOrder;
  tampered.replace(tampered.find("19.99"), 5, "0.01");
  auto res = post_shopify(tampered, {}, signature);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.json().get("error").string_or(""), "signature_mismatch") << res.body;

  auto unsigned_res = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account_id_, kOrder,
                                {{"Content-Type", "application/json"}});
  EXPECT_EQ(unsigned_res.status, 401) << unsigned_res.body;

  // A good one afterwards: it is the only thing the sink ever gets (one account's events keep their order).
  ASSERT_EQ(post_shopify(kOrder).status, 200);
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));
  // The refused requests were answered before anything was published: once the good one's delivery is done,
  // it is the endpoint's only delivery.
  EXPECT_EQ(newest_delivery_when("succeeded", 1).get("status").string_or(""), "succeeded");
  EXPECT_EQ(admin("GET", "/webhook/" + webhook_id_ + "/deliveries").json().get("result").size(), 1u);
  ASSERT_EQ(sink_.request_count(), 1u);
  json::Value e;
  ASSERT_TRUE(json::parse(sink_.requests()[0].body, e));
  EXPECT_EQ(json::dump(e.get("payload").get("record")), kOrder);
}

TEST_F(Pipeline, UnknownAccountIs404AndOversizedBodyIs413) {
  auto unknown = post_shopify(kOrder, "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().get("error").string_or(""), "not_found") << unknown.body;

  std::string big = R"({"padding":")" + std::string(70'000, 'x') + R"("})";
  auto oversized = post_shopify(big);
  EXPECT_EQ(oversized.status, 413);
  EXPECT_EQ(oversized.json().get("error").string_or(""), "payload_too_large") << oversized.body;

  auto malformed = post_shopify("{\"id\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json().get("error").string_or(""), "malformed_json") << malformed.body;

  auto wrong_method = http_call(hookd_->port(), "GET", "/integrated-account-webhook/" + account_id_);
  EXPECT_EQ(wrong_method.status, 405) << wrong_method.body;
  EXPECT_EQ(sink_.request_count(), 0u);
}

TEST_F(Pipeline, SinkFailingTwiceGetsTheEventOnTheThirdAttemptWithTheSameId) {
  sink_.enqueue({Reply::with_status(500, "down"), Reply::with_status(503, "still down")});
  auto res = post_shopify(kOrder);
  ASSERT_EQ(res.status, 200) << res.body;
  std::string event_id(res.json().get("events").at(0).get("id").as_string());

  ASSERT_TRUE(sink_.wait_for_requests(3, 30s)) << "got " << sink_.request_count();
  auto requests = sink_.requests();
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    json::Value e;
    ASSERT_TRUE(json::parse(requests[i].body, e));
    EXPECT_EQ(e.get("id").as_string(), event_id);
    EXPECT_EQ(requests[i].header("webhook-id").value_or(""), event_id);
    EXPECT_EQ(requests[i].header("X-Hookd-Attempt").value_or(""), std::to_string(i + 1));
    expect_signed_by(requests[i], webhook_secret_);
  }
  // Retries wait (300 ms here) instead of hammering the endpoint.
  EXPECT_GE(requests[1].received_at - requests[0].received_at, 250ms);

  // Succeeded is final: no further attempt is scheduled, so the sink's count is settled once the record says so.
  json::Value d = newest_delivery_when("succeeded", 3);
  EXPECT_EQ(d.get("status").as_string(), "succeeded");
  ASSERT_EQ(d.get("attempts").size(), 3u);
  EXPECT_EQ(sink_.request_count(), 3u) << "delivered: no fourth attempt";
  EXPECT_EQ(d.get("attempts").at(0).get("status_code").as_number(), 500);
  EXPECT_EQ(d.get("attempts").at(1).get("status_code").as_number(), 503);
  EXPECT_EQ(d.get("attempts").at(2).get("status_code").as_number(), 200);
}

TEST_F(Pipeline, AlwaysFailingSinkDeadLettersAndHookctlReplaysItOnce) {
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "broken"); });
  auto res = post_shopify(kOrder);
  ASSERT_EQ(res.status, 200) << res.body;
  std::string event_id(res.json().get("events").at(0).get("id").as_string());
  ASSERT_TRUE(sink_.wait_for_requests(3, 30s));

  // Dead-lettered after the third (last) attempt: hookctl lists it as failed.
  std::string delivery_id;
  for (int i = 0; i < 100 && delivery_id.empty(); ++i) {
    auto [rc, out] =
        hookctl(*hookd_, token_, "deliveries --webhook " + webhook_id_ + " --status failed --json");
    ASSERT_EQ(rc, 0) << out;
    json::Value list;
    ASSERT_TRUE(json::parse(out, list)) << out;
    if (list.size() == 1)
      delivery_id = std::string(list.at(0).get("id").as_string());
    else
      std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(delivery_id.empty()) << "the delivery was never dead-lettered";
  EXPECT_EQ(sink_.request_count(), 3u);

  // The table view names it too.
  auto [table_rc, table] =
      hookctl(*hookd_, token_, "deliveries --webhook " + webhook_id_ + " --status failed");
  EXPECT_EQ(table_rc, 0);
  EXPECT_NE(table.find(delivery_id), std::string::npos) << table;
  EXPECT_NE(table.find("failed"), std::string::npos) << table;

  // The operator finds the endpoint with hookctl too (it reads every page of the list).
  auto [hooks_rc, hooks] = hookctl(*hookd_, token_, "webhooks");
  EXPECT_EQ(hooks_rc, 0) << hooks;
  EXPECT_NE(hooks.find(webhook_id_), std::string::npos) << hooks;

  // A dry run sends nothing.
  auto [dry_rc, dry] = hookctl(*hookd_, token_, "replay --webhook " + webhook_id_ + " --dry-run");
  EXPECT_EQ(dry_rc, 0) << dry;
  EXPECT_NE(dry.find("dry run: would replay 1 of 1"), std::string::npos) << dry;
  json::Value after_dry = admin("GET", "/delivery/" + delivery_id).json();
  EXPECT_EQ(after_dry.get("status").string_or(""), "failed") << "a dry run schedules nothing";
  EXPECT_EQ(after_dry.get("replays").as_number(), 0);
  EXPECT_EQ(sink_.request_count(), 3u);

  // The endpoint recovers; the operator replays the dead letters: it arrives once, same event id, marked.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  auto [rc, out] = hookctl(*hookd_, token_, "replay --webhook " + webhook_id_);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("replayed 1 of 1"), std::string::npos) << out;
  ASSERT_TRUE(sink_.wait_for_requests(4, 30s));
  RecordedRequest replayed = sink_.requests()[3];
  json::Value e;
  ASSERT_TRUE(json::parse(replayed.body, e));
  EXPECT_EQ(e.get("id").as_string(), event_id);
  EXPECT_EQ(replayed.header("X-Hookd-Replay").value_or(""), "true");
  expect_signed_by(replayed, webhook_secret_);

  // hookctl shows it once the replayed attempt is on record.
  json::Value d;
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    auto [show_rc, show] = hookctl(*hookd_, token_, "show " + delivery_id + " --json");
    ASSERT_EQ(show_rc, 0) << show;
    ASSERT_TRUE(json::parse(show, d)) << show;
    if (d.get("attempts").size() == 4) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(d.get("status").as_string(), "succeeded");
  ASSERT_EQ(sink_.request_count(), 4u) << "exactly one replayed delivery (succeeded is final)";
  EXPECT_EQ(d.get("replays").as_number(), 1);
  ASSERT_EQ(d.get("attempts").size(), 4u);
  EXPECT_FALSE(d.get("attempts").at(2).get("replay").as_bool());
  EXPECT_TRUE(d.get("attempts").at(3).get("replay").as_bool());

  // Nothing is left to replay.
  auto [again_rc, again] = hookctl(*hookd_, token_, "replay --webhook " + webhook_id_);
  EXPECT_EQ(again_rc, 4) << "a replay that did nothing says so in its exit status";
  EXPECT_NE(again.find("replayed 0 of 0"), std::string::npos) << again;
}

// Kafka unreachable: ingest answers 503 so the vendor retries, never 200 for an event nobody stored.
class KafkaDown : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_ROLES"] = "ingest,admin";         // no consumer: nothing to wait for
    env["HOOKD_KAFKA_BROKERS"] = "127.0.0.1:1";  // nothing listens there
    env["HOOKD_KAFKA_PUBLISH_TIMEOUT"] = "2s";
    return env;
  }
  bool seed_endpoint() const override { return false; }
};

TEST_F(KafkaDown, VendorGets503NotOkWithinThePublishTimeout) {
  auto started = std::chrono::steady_clock::now();
  auto res = post_shopify(kOrder);
  auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  EXPECT_EQ(res.status, 503) << res.body;
  // HOOKD_KAFKA_PUBLISH_TIMEOUT is 2 s: the answer comes within it (and some time for the request itself).
  EXPECT_LT(took, std::chrono::milliseconds(2300)) << took.count() << " ms";
  EXPECT_EQ(res.json().get("error").string_or(""), "service_unavailable");
  EXPECT_EQ(res.header("Retry-After"), "5");
}

}  // namespace
}  // namespace hookd::test
