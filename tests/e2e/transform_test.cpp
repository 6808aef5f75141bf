// payload_transform and handle_verification: JSONata from the integration config, run on every request with
// the Truto function set — handshakes answered, meta events acknowledged, context updated, events normalized.
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

using Transform = E2eTest;

// Slack's Events API: a signed url_verification handshake, rate-limit meta events, and message events. The
// transform merges its fields into the context, so handle_verification (which runs on the transform's result)
// still sees the body.
constexpr const char* kSlackConfig = R"j({"webhook":{
  "handle_verification":"body.type = 'url_verification' ? {'type':'verify','verification_response':{'status_code':200,'body':{'challenge':body.challenge}}} : body.type = 'app_rate_limited' ? {'type':'meta'} : {'type':'payload'}",
  "payload_transform":"$merge([$, {'event_type': body.event.type = 'message' ? 'created' : 'updated', 'resource':'chat/messages', 'id': body.event_id, 'record': body.event}])",
  "signature_verification":{"format":"hmac","config":{"secret":"{{credentials.signing_secret}}","string_type":"hex",
    "compare_with":"{{headers.x-slack-signature}}","prefix":"v0=",
    "parts":["v0:","$header.x-slack-request-timestamp",":","$body"]}}}})j";

HttpResult post_slack(uint16_t port, const std::string& account, const std::string& body,
                      const std::string& secret = "slack-signing-secret") {
  std::string ts = "1700000000";
  std::string sig = "v0=" + to_hex(hmac_sha256(secret, "v0:" + ts + ":" + body));
  return http_call(
      port, "POST", "/integrated-account-webhook/" + account, body,
      {{"Content-Type", "application/json"}, {"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", sig}});
}

TEST_F(Transform, SlackHandshakeMetaAndMessageEvents) {
  std::string account = add_account("slack", kSlackConfig, R"({"signing_secret":"slack-signing-secret"})");
  TestHttpServer chat;
  create_webhook(chat.url("/chat"), R"(["record:*"])");

  auto handshake =
      post_slack(hookd_->port(), account, R"({"type":"url_verification","challenge":"3eZbrw1aBm"})");
  EXPECT_EQ(handshake.status, 200);
  EXPECT_EQ(handshake.body, R"({"challenge":"3eZbrw1aBm"})");
  EXPECT_EQ(handshake.header("Content-Type"), "application/json");

  auto meta =
      post_slack(hookd_->port(), account, R"({"type":"app_rate_limited","minute_rate_limited":1518467820})");
  EXPECT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(meta.json().get("status").string_or(""), "ignored");

  std::string message = R"({"type":"event_callback","event_id":"Ev08MFMKH6","event":{"type":"message",
      "channel":"C2147483705","user":"U2147483697","text":"Hello world","ts":"1355517523.000005"}})";
  auto res = post_slack(hookd_->port(), account, message);
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_TRUE(chat.wait_for_requests(1, 30s));
  wait_until_dispatched();
  ASSERT_EQ(chat.request_count(), 1u) << "the handshake and the meta event published nothing";
  json::Value e;
  ASSERT_TRUE(json::parse(chat.requests()[0].body, e));
  EXPECT_EQ(e.get("event").as_string(), "record:created");
  EXPECT_EQ(e.get("payload").get("resource").as_string(), "chat/messages");
  EXPECT_EQ(e.get("payload").get("vendor_event_id").as_string(), "Ev08MFMKH6");
  EXPECT_EQ(e.get("payload").get("record").get("text").as_string(), "Hello world");
  EXPECT_EQ(e.get("payload").get("integration").as_string(), "slack");

  auto forged = post_slack(hookd_->port(), account, message, "wrong-secret");
  EXPECT_EQ(forged.status, 401) << "a transform does not weaken the signature check";
}

TEST_F(Transform, AnArrayFromTheTransformFansOutIntoOneEventEach) {
  std::string account = add_account("hubspot", R"({"webhook":{
    "payload_transform":"body.{'event_type': subscriptionType ~> $contains('deletion') ? 'deleted' : 'created', 'resource':'crm/contacts', 'id': $string(eventId), 'record': {'id': $string(objectId), 'portal': portalId}}"}})");
  TestHttpServer crm;
  create_webhook(crm.url("/crm"), R"(["record:created","record:deleted"])");
  auto res = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account,
                       R"([{"eventId":1,"subscriptionType":"contact.creation","objectId":123,"portalId":7},
                           {"eventId":2,"subscriptionType":"contact.deletion","objectId":456,"portalId":7}])",
                       {{"Content-Type", "application/json"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().get("events").size(), 2u);
  ASSERT_TRUE(crm.wait_for_requests(2, 30s));
  std::map<std::string, std::string> by_record;
  for (const auto& r : crm.requests()) {
    json::Value e;
    ASSERT_TRUE(json::parse(r.body, e));
    by_record[std::string(e.get("payload").get("record").get("id").as_string())] = e.get("event").as_string();
  }
  EXPECT_EQ(by_record,
            (std::map<std::string, std::string>{{"123", "record:created"}, {"456", "record:deleted"}}));
}

TEST_F(Transform, HandshakeStoresTheSecretThatSignsLaterEvents) {
  // Asana-style: the first request carries X-Hook-Secret; it is echoed back and kept in the account's
  // context, and every later event is signed with it.
  std::string account = add_account("asana", R"({"webhook":{
    "handle_verification":"$exists(headers.'x-hook-secret') ? {'type':'verify','verification_response':{'status_code':200,'headers':{'X-Hook-Secret': headers.'x-hook-secret'}},'update_context':{'webhook_secret': headers.'x-hook-secret'}} : {'type':'payload'}",
    "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}","string_type":"hex",
      "compare_with":"{{headers.x-hook-signature}}"}}}})");
  auto handshake = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, "",
                             {{"X-Hook-Secret", "asana-shared-secret"}});
  ASSERT_EQ(handshake.status, 200) << handshake.body;
  EXPECT_EQ(handshake.header("X-Hook-Secret"), "asana-shared-secret");
  json::Value stored = admin("GET", "/integrated-account/" + account).json();
  EXPECT_EQ(stored.get("context").get("webhook_secret").string_or(""), "asana-shared-secret");

  std::string body = R"({"events":[{"action":"changed","resource":{"gid":"1"}}]})";
  auto good = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, body,
                        {{"Content-Type", "application/json"},
                         {"X-Hook-Signature", to_hex(hmac_sha256("asana-shared-secret", body))}});
  EXPECT_EQ(good.status, 200) << good.body;
  auto bad =
      http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, body,
                {{"Content-Type", "application/json"}, {"X-Hook-Signature", to_hex(hmac_sha256("x", body))}});
  EXPECT_EQ(bad.status, 401);
}

TEST_F(Transform, BrokenJsonataIsRefusedWhenTheConfigIsStoredNeverAtRequestTime) {
  auto res =
      operator_call("POST", "/integration",
                    R"({"name":"broken","config":{"webhook":{"payload_transform":"body.items[price > "}}})");
  EXPECT_EQ(res.status, 400) << res.body;
  json::Value err = res.json();
  EXPECT_EQ(err.get("error").string_or(""), "validation_error");
  EXPECT_EQ(err.get("field").string_or(""), "config.webhook");
  EXPECT_NE(err.get("message").string_or("").find("webhook.payload_transform: JSONata S0"), std::string::npos)
      << err.get("message").string_or("");

  // A runtime failure (here: the time limit) fails that request with a 500 the vendor will retry.
  std::string account = add_account("looping", R"j({"webhook":{
    "payload_transform":"($f := function($n){ $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40))"}})j");
  auto slow = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account, "{}",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(slow.status, 500) << slow.body;
  EXPECT_EQ(slow.json().get("error").string_or(""), "transform_failed");
  EXPECT_EQ(http_call(hookd_->port(), "GET", "/healthz").status, 200) << "the worker survived";
}

}  // namespace
}  // namespace hookd::test
