// Issue 17: an endpoint's signing secret is answered only when it is created or rotated, and on the explicit,
// audited GET /webhook/{id}/secret; GET /event/{id} shows an event's body to its own environment only.
#include <hiredis/hiredis.h>

#include "e2e_fixture.h"
#include "services.h"
#include "store/keys.h"

namespace hookd::test {
namespace {

class WebhookSecret : public E2eTest {
 protected:
  // A second environment's API token, with an endpoint of its own.
  std::string other_environment_token() {
    auto env = operator_call("POST", "/environment", R"({"name":"other"})");
    EXPECT_EQ(env.status, 201) << env.body;
    auto token = operator_call(
        "POST", "/environment/" + std::string(env.json().get("id").string_or("")) + "/api-token",
        R"({"name":"other"})");
    EXPECT_EQ(token.status, 201) << token.body;
    return std::string(token.json().get("token").string_or(""));
  }

  // Neither the member nor any of `values` anywhere in the body.
  static void expect_no_secret(const HttpResult& r, const std::vector<std::string>& values) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("\"secret\""), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("previous_secret"), std::string::npos) << r.body;
    for (const auto& v : values) {
      ASSERT_FALSE(v.empty());
      EXPECT_EQ(r.body.find(v), std::string::npos) << "the secret's value is in " << r.body;
    }
  }
};

TEST_F(WebhookSecret, ShownOnCreateAndRotateAndByItsOwnRouteNeverByGetOrList) {
  ASSERT_EQ(webhook_secret_.rfind("whsec_", 0), 0u) << "the 201 of POST /webhook carries the secret";
  expect_no_secret(admin("GET", "/webhook/" + webhook_id_), {webhook_secret_});
  expect_no_secret(admin("GET", "/webhook"), {webhook_secret_});
  expect_no_secret(admin("PATCH", "/webhook/" + webhook_id_, R"({"event_types":["record:*","test"]})"),
                   {webhook_secret_});

  auto secret = admin("GET", "/webhook/" + webhook_id_ + "/secret");
  ASSERT_EQ(secret.status, 200) << secret.body;
  EXPECT_EQ(secret.json().get("webhook_id").string_or(""), webhook_id_);
  EXPECT_EQ(secret.json().get("secret").string_or(""), webhook_secret_);
  EXPECT_TRUE(secret.json().get("previous_secret").is_undefined()) << "no rotation yet: " << secret.body;

  // Rotated: the answer shows the new one and the previous one (still signing); GET and the list show neither.
  auto rotated = admin("POST", "/webhook/" + webhook_id_ + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  std::string new_secret(rotated.json().get("secret").string_or(""));
  ASSERT_EQ(new_secret.rfind("whsec_", 0), 0u) << rotated.body;
  EXPECT_EQ(rotated.json().get("previous_secret").string_or(""), webhook_secret_);
  expect_no_secret(admin("GET", "/webhook/" + webhook_id_), {webhook_secret_, new_secret});
  expect_no_secret(admin("GET", "/webhook"), {webhook_secret_, new_secret});
  expect_no_secret(admin("POST", "/webhook/" + webhook_id_ + "/disable", "{}"),
                   {webhook_secret_, new_secret});
  auto enabled = admin("POST", "/webhook/" + webhook_id_ + "/enable", "{}");
  expect_no_secret(enabled, {webhook_secret_, new_secret});

  auto both = admin("GET", "/webhook/" + webhook_id_ + "/secret");
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(both.json().get("secret").string_or(""), new_secret);
  EXPECT_EQ(both.json().get("previous_secret").string_or(""), webhook_secret_);
  EXPECT_TRUE(both.json().get("previous_secret_expires_at").is_string()) << both.body;

  // Deliveries are still signed with it: the stored record keeps the secret.
  ASSERT_EQ(admin("POST", "/webhook/test", R"({"id":")" + webhook_id_ + R"("})").status, 202);
  wait_until_dispatched();
  auto received = sink_.requests();  // a copy: back() of the temporary would dangle
  ASSERT_FALSE(received.empty());
  const auto& sent = received.back();
  // The new secret's signature first, the previous one's second (the overlap).
  std::string signature = sent.header("X-Truto-Signature").value_or("");
  EXPECT_EQ(signature.rfind("format=sha256,v=" + to_hex(hmac_sha256(new_secret, sent.body)) + ",v=", 0), 0u)
      << signature;
  EXPECT_EQ(metric("hookd_webhook_secret_reads_total"), 2);
}

TEST_F(WebhookSecret, TheReadIsAuditedWithoutTheValueAndAnotherEnvironmentGets404) {
  auto secret = admin("GET", "/webhook/" + webhook_id_ + "/secret");
  ASSERT_EQ(secret.status, 200) << secret.body;
  std::string other = other_environment_token();
  auto foreign = admin("GET", "/webhook/" + webhook_id_ + "/secret", {}, other);
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(foreign.json().get("error").string_or(""), "not_found");
  EXPECT_EQ(foreign.body.find(webhook_secret_), std::string::npos);
  EXPECT_EQ(admin("GET", "/webhook/no-such-endpoint/secret").status, 404);
  EXPECT_EQ(operator_call("GET", "/webhook/" + webhook_id_ + "/secret").status, 403)
      << "the operator token has no environment";

  // One audit line, for the one read that answered: ids, never the value.
  std::string log = hookd_->log();
  size_t at = log.find("\"webhook.secret_read\"");
  ASSERT_NE(at, std::string::npos) << log;
  std::string line = log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
  EXPECT_NE(line.find(webhook_id_), std::string::npos) << line;
  EXPECT_NE(line.find(environment_id_), std::string::npos) << line;
  EXPECT_NE(line.find("token_id"), std::string::npos) << line;
  EXPECT_EQ(log.find("\"webhook.secret_read\"", at + 1), std::string::npos) << "the 404s are not reads";
  EXPECT_EQ(log.find(webhook_secret_), std::string::npos) << "the secret's value is in the log";
}

TEST_F(WebhookSecret, AnEventsBodyIsShownToItsEnvironmentOnly) {
  auto sent = admin("POST", "/webhook/test", R"({"id":")" + webhook_id_ + R"("})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  std::string event_id(sent.json().get("id").string_or(""));
  wait_until_dispatched();

  auto event = admin("GET", "/event/" + event_id);
  ASSERT_EQ(event.status, 200) << event.body;
  EXPECT_EQ(event.json().get("id").string_or(""), event_id);
  EXPECT_EQ(event.json().get("event").string_or(""), "test");
  EXPECT_EQ(event.json().get("environment_id").string_or(""), environment_id_);
  EXPECT_EQ(event.json().get("payload").get("message").string_or(""), "This is a test event from hookd.");
  EXPECT_EQ(event.json().get("payload").get("webhook_id").string_or(""), webhook_id_);
  EXPECT_TRUE(event.json().get("created_at").is_string());

  auto foreign = admin("GET", "/event/" + event_id, {}, other_environment_token());
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(foreign.body.find("This is a test event"), std::string::npos);
  auto missing = admin("GET", "/event/00000000-0000-7000-8000-000000000000");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(missing.json().get("error").string_or(""), "not_found");

  // Its copy expires (HOOKD_EVENT_RETENTION; deleted here as the TTL would): 404, not an error.
  std::string url = redis_url(kRedisDb);  // redis://host:port/db
  std::string hostport = url.substr(8, url.rfind('/') - 8);
  redisContext* redis = redisConnect(hostport.substr(0, hostport.find(':')).c_str(),
                                     std::stoi(hostport.substr(hostport.find(':') + 1)));
  ASSERT_TRUE(redis && !redis->err);
  freeReplyObject(redisCommand(redis, "SELECT %d", kRedisDb));
  std::string key = store::keys::event(store::keys::delivery_shard(environment_id_), event_id);
  auto* deleted = static_cast<redisReply*>(redisCommand(redis, "DEL %b", key.data(), key.size()));
  ASSERT_TRUE(deleted && deleted->type == REDIS_REPLY_INTEGER && deleted->integer == 1) << "no key " << key;
  freeReplyObject(deleted);
  redisFree(redis);
  auto expired = admin("GET", "/event/" + event_id);
  EXPECT_EQ(expired.status, 404) << expired.body;
  EXPECT_EQ(expired.json().get("error").string_or(""), "not_found");
}

}  // namespace
}  // namespace hookd::test
