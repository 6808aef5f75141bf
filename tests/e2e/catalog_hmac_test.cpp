// Catalog vendors that sign with an HMAC and answer a handshake or carry a timestamp: Slack, GitHub, Standard
// Webhooks, Svix, HubSpot, Zoom, Microsoft Graph, Asana, Paddle. Published vectors where the vendor publishes
// them (cited); otherwise requests built from the vendor's documented algorithm (cited per test).
#include "catalog_fixture.h"

namespace hookd::test {
namespace {

class CatalogHmac : public CatalogTest {
 protected:
  void standard_webhooks(const std::string& vendor, const std::string& prefix);
};
using Headers = std::vector<std::pair<std::string, std::string>>;

Headers json_with(Headers more) {
  more.emplace_back("Content-Type", "application/json");
  return more;
}

// https://api.slack.com/authentication/verifying-requests-from-slack: the page's own example (signing secret,
// timestamp 1531420618, the slash command body, and its v0= signature) is the vector.
TEST_F(CatalogHmac, Slack) {
  std::string account = install("slack", R"({"signing_secret":"8f742231b10e8888abcd99yyyzzz85a5"})");
  const std::string body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
      "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
      "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%"
      "2F96rGlfmibIGlgcZRskXaIFfN"
      "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  const std::string published = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
  auto form = [&](const std::string& sig, const std::string& ts, const std::string& b, int64_t now) {
    return VendorRequest{"POST",
                         "",
                         b,
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Slack-Signature", sig},
                          {"X-Slack-Request-Timestamp", ts}},
                         now};
  };
  expect_accepted(send(account, form(published, "1531420618", body, 1531420618 + 60)));
  expect_refused(send(account, form(published, "1531420618", body + "x", 1531420618)), "signature_mismatch");
  expect_refused(send(account, form(published, "1531420619", body, 1531420618)), "signature_mismatch");
  expect_refused(send(account, form(published, "1531420618", body, 1531420618 + 301)),
                 "timestamp_outside_tolerance");
  expect_refused(send(account, form(published, "1531420618", body, 1531420618 - 301)),
                 "timestamp_outside_tolerance");
  expect_refused(send(account, VendorRequest{"POST",
                                             "",
                                             body,
                                             {{"Content-Type", "application/x-www-form-urlencoded"},
                                              {"X-Slack-Request-Timestamp", "1531420618"}},
                                             1531420618}),
                 "signature_missing");

  // url_verification (https://api.slack.com/events/url_verification), signed like every Slack request.
  const std::string challenge =
      R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",)"
      R"("type":"url_verification"})";
  auto sign = [&](const std::string& ts, const std::string& b) {
    return "v0=" + to_hex(hmac_of(EVP_sha256(), "8f742231b10e8888abcd99yyyzzz85a5", "v0:" + ts + ":" + b));
  };
  auto verify = send(account, VendorRequest{"POST", "", challenge,
                                            json_with({{"X-Slack-Signature", sign("1700000000", challenge)},
                                                       {"X-Slack-Request-Timestamp", "1700000000"}}),
                                            1700000000});
  EXPECT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.body, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  expect_refused(send(account, VendorRequest{"POST", "", challenge,
                                             json_with({{"X-Slack-Signature", sign("1700000000", "{}")},
                                                        {"X-Slack-Request-Timestamp", "1700000000"}}),
                                             1700000000}),
                 "signature_mismatch");
  // An Events API event: its type comes from event.type.
  const std::string event =
      R"({"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi"}})";
  expect_accepted(send(account, VendorRequest{"POST", "", event,
                                              json_with({{"X-Slack-Signature", sign("1700000000", event)},
                                                         {"X-Slack-Request-Timestamp", "1700000000"}}),
                                              1700000000}));
}

// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries: "It's a Secret to Everybody"
// and "Hello, World!" give sha256=757107ea...; the legacy sha1 header is computed here.
TEST_F(CatalogHmac, GitHub) {
  const std::string secret = "It's a Secret to Everybody";
  std::string account = install("github", R"({"webhook_secret":"It's a Secret to Everybody"})");
  const std::string body = "Hello, World!";
  auto request = [&](Headers h, const std::string& b = "Hello, World!") {
    h.emplace_back("Content-Type", "text/plain");  // the documented vector's body is not JSON
    h.emplace_back("X-GitHub-Event", "push");
    h.emplace_back("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    return VendorRequest{"POST", "", b, h, {}};
  };
  expect_accepted(
      send(account, request({{"X-Hub-Signature-256",
                              "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}})));
  std::string sha1 = "sha1=" + to_hex(hmac_of(EVP_sha1(), secret, body));
  expect_accepted(send(account, request({{"X-Hub-Signature", sha1}})));
  expect_refused(
      send(account, request({{"X-Hub-Signature-256",
                              "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}},
                            "Hello, World?")),
      "signature_mismatch");
  expect_refused(
      send(account,
           request({{"X-Hub-Signature-256", "sha256=" + to_hex(hmac_of(EVP_sha256(), "wrong", body))}})),
      "signature_mismatch");
  expect_refused(send(account, request({})), "signature_missing");

  const std::string ping = R"({"zen":"Design for failure.","hook_id":1})";
  auto ping_request = [&](const std::string& sig) {
    return VendorRequest{
        "POST", "", ping, json_with({{"X-GitHub-Event", "ping"}, {"X-Hub-Signature-256", sig}}), {}};
  };
  auto pong = send(account, ping_request("sha256=" + to_hex(hmac_of(EVP_sha256(), secret, ping))));
  EXPECT_EQ(pong.status, 200) << pong.body;
  EXPECT_EQ(pong.json().get("status").string_or(""), "ignored") << pong.body;
  expect_refused(send(account, ping_request("sha256=" + to_hex(hmac_of(EVP_sha256(), "x", ping)))),
                 "signature_mismatch");
}

// The Standard Webhooks specification's vector, as its libraries test it
// (github.com/standard-webhooks/standard-webhooks, libraries/javascript/src/index.test.ts and the other
// languages'): whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, msg_p5jXN8AQM9LWM0D4loKWxJek, 1614265330,
// {"test": 2432232314} -> v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=. Svix is the same with svix- names.
void CatalogHmac::standard_webhooks(const std::string& vendor, const std::string& prefix) {
  std::string account = install(vendor, R"({"webhook_secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})");
  const std::string body = R"({"test": 2432232314})";
  auto request = [&](const std::string& sig, const std::string& b, int64_t now,
                     const std::string& ts = "1614265330") {
    return VendorRequest{"POST", "", b,
                         json_with({{prefix + "-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
                                    {prefix + "-timestamp", ts},
                                    {prefix + "-signature", sig}}),
                         now};
  };
  const std::string good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  expect_accepted(send(account, request(good, body, 1614265330 + 10)));
  expect_accepted(
      send(account, request("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + good, body, 1614265330)));
  expect_refused(send(account, request(good, R"({"test": 2432232315})", 1614265330)), "signature_mismatch");
  expect_refused(send(account, request(good, body, 1614265330, "1614265331")), "signature_mismatch");
  expect_refused(send(account, request(good, body, 1614265330 + 301)), "timestamp_outside_tolerance");
  expect_refused(send(account, request(good, body, 1614265330 - 301)), "timestamp_outside_tolerance");
  expect_refused(send(account, request("v2," + good.substr(3), body, 1614265330)), "signature_missing");
  std::string other = install(vendor, R"({"webhook_secret":"whsec_dGhlIG90aGVyIHNlY3JldA=="})");
  expect_refused(send(other, request(good, body, 1614265330)), "signature_mismatch");
}

TEST_F(CatalogHmac, StandardWebhooks) {
  standard_webhooks("standard-webhooks", "webhook");
}
TEST_F(CatalogHmac, Svix) {
  standard_webhooks("svix", "svix");
}

// https://developers.hubspot.com/docs/guides/apps/authentication/validating-requests: v3 (HMAC over method,
// URL, body, timestamp; 5 minutes), v2 and v1 (SHA-256 digests with the client secret).
TEST_F(CatalogHmac, HubSpot) {
  const std::string secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
  std::string account = install("hubspot", R"({"client_secret":")" + secret + R"("})");
  const std::string body = R"([{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":1700000000000,)"
                           R"("subscriptionType":"contact.creation","attemptNumber":0,"objectId":123}])";
  const std::string url = public_url(account);
  const std::string ts = "1700000000000";
  std::string v3 = to_base64(hmac_of(EVP_sha256(), secret, "POST" + url + body + ts));
  auto v3_request = [&](const std::string& sig, const std::string& b, int64_t now) {
    return VendorRequest{"POST", "", b,
                         json_with({{"X-HubSpot-Signature-v3", sig}, {"X-HubSpot-Request-Timestamp", ts}}),
                         now};
  };
  auto ok = send(account, v3_request(v3, body, 1700000000 + 60));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, v3_request(v3, body + " ", 1700000000)), "signature_mismatch");
  expect_refused(send(account, v3_request(v3, body, 1700000000 + 301)), "timestamp_outside_tolerance");

  auto digest_request = [&](const std::string& sig, const std::string& version) {
    return VendorRequest{"POST",
                         "",
                         body,
                         json_with({{"X-HubSpot-Signature", sig}, {"X-HubSpot-Signature-Version", version}}),
                         {}};
  };
  expect_accepted(
      send(account, digest_request(to_hex(digest_of(EVP_sha256(), secret + "POST" + url + body)), "v2")));
  expect_accepted(send(account, digest_request(to_hex(digest_of(EVP_sha256(), secret + body)), "v1")));
  expect_refused(send(account, digest_request(to_hex(digest_of(EVP_sha256(), "wrong" + body)), "v1")),
                 "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, json_with({}), {}}), "signature_missing");
}

// https://developers.zoom.us/docs/api/webhooks/: v0 HMAC over "v0:<ts>:<body>"; endpoint.url_validation answered
// with plainToken and its HMAC, only for a signed request.
TEST_F(CatalogHmac, Zoom) {
  const std::string secret = "zoom-secret-token";
  std::string account = install("zoom", R"({"secret_token":")" + secret + R"("})");
  auto request = [&](const std::string& b, const std::string& key, int64_t now = 1700000000) {
    std::string sig = "v0=" + to_hex(hmac_of(EVP_sha256(), key, "v0:1700000000:" + b));
    return VendorRequest{"POST", "", b,
                         json_with({{"x-zm-signature", sig}, {"x-zm-request-timestamp", "1700000000"}}), now};
  };
  const std::string validation =
      R"({"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"})";
  auto answer = send(account, request(validation, secret));
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json().get("plainToken").string_or(""), "qgg8vlvZRS6UYooatFL8Aw") << answer.body;
  EXPECT_EQ(answer.json().get("encryptedToken").string_or(""),
            to_hex(hmac_of(EVP_sha256(), secret, "qgg8vlvZRS6UYooatFL8Aw")));
  expect_refused(send(account, request(validation, "not the secret")), "signature_mismatch");

  const std::string event =
      R"({"event":"meeting.started","event_ts":1700000000000,"payload":{"object":{"id":"1"}}})";
  expect_accepted(send(account, request(event, secret)));
  expect_refused(send(account, request(event, "wrong")), "signature_mismatch");
  expect_refused(send(account, request(event, secret, 1700000000 + 301)), "timestamp_outside_tolerance");
}

// https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks: validationToken answered as
// text; clientState checked on every notification.
TEST_F(CatalogHmac, MicrosoftGraph) {
  std::string account = install("microsoft-graph", R"({"client_state":"secretClientValue"})");
  auto validation = send(account, VendorRequest{"POST",
                                                "?validationToken=Validation%3A%20Testing%20client",
                                                "",
                                                {{"Content-Type", "text/plain; charset=utf-8"}},
                                                {}});
  EXPECT_EQ(validation.status, 200) << validation.body;
  EXPECT_EQ(validation.body, "Validation: Testing client");
  EXPECT_EQ(validation.header("Content-Type"), "text/plain");

  auto notification = [](const std::string& state) {
    return R"({"value":[{"subscriptionId":"s-1","clientState":")" + state +
           R"(","changeType":"created","resource":"Users/u1/Messages/m1","resourceData":{"id":"m1"}},)"
           R"({"subscriptionId":"s-1","clientState":")" +
           state +
           R"(","changeType":"deleted","resource":"Users/u1/Messages/m0","resourceData":{"id":"m0"}}]})";
  };
  auto ok = send(account, VendorRequest{"POST", "", notification("secretClientValue"), json_with({}), {}});
  expect_accepted(ok, 2);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  EXPECT_EQ(ok.json().get("events").at(1).get("event").string_or(""), "record:deleted") << ok.body;
  expect_refused(send(account, VendorRequest{"POST", "", notification("guess"), json_with({}), {}}),
                 "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", R"({"value":[]})", json_with({}), {}}),
                 "signature_missing");
}

// https://developers.asana.com/docs/webhooks-guide: X-Hook-Secret handshake, then X-Hook-Signature.
TEST_F(CatalogHmac, Asana) {
  std::string account = install("asana", "{}");
  auto handshake = [&](const std::string& secret) {
    return send(account, VendorRequest{"POST", "", "", {{"X-Hook-Secret", secret}}, {}});
  };
  auto first = handshake("b537207f20cbfa02357cf448134da559");
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("X-Hook-Secret"), "b537207f20cbfa02357cf448134da559");
  auto forged = handshake("attacker-secret");
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(forged.json().get("error").string_or(""), "context_update_refused") << forged.body;

  const std::string body = R"({"events":[{"action":"added","resource":{"gid":"1","resource_type":"task"}},)"
                           R"({"action":"deleted","resource":{"gid":"2","resource_type":"task"}}]})";
  auto event = [&](const std::string& key, const std::string& b) {
    return VendorRequest{
        "POST", "", b, json_with({{"X-Hook-Signature", to_hex(hmac_of(EVP_sha256(), key, b))}}), {}};
  };
  auto ok = send(account, event("b537207f20cbfa02357cf448134da559", body));
  expect_accepted(ok, 2);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  EXPECT_EQ(ok.json().get("events").at(1).get("event").string_or(""), "record:deleted") << ok.body;
  expect_refused(send(account, event("attacker-secret", body)), "signature_mismatch");
}

// https://developer.paddle.com/webhooks/signature-verification: "ts=<unix>;h1=<hex HMAC of ts:body>".
TEST_F(CatalogHmac, Paddle) {
  const std::string key = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI";
  std::string account = install("paddle", R"({"secret_key":")" + key + R"("})");
  const std::string body =
      R"({"event_id":"evt_01h","event_type":"transaction.completed","data":{"id":"txn_1"}})";
  auto request = [&](const std::string& header, const std::string& b, int64_t now) {
    return VendorRequest{"POST", "", b, json_with({{"Paddle-Signature", header}}), now};
  };
  auto h1 = [&](const std::string& secret, const std::string& ts, const std::string& b) {
    return "h1=" + to_hex(hmac_of(EVP_sha256(), secret, ts + ":" + b));
  };
  std::string good = "ts=1671552777;" + h1(key, "1671552777", body);
  expect_accepted(send(account, request(good, body, 1671552777 + 2)));
  expect_accepted(send(
      account, request("ts=1671552777;" + h1("old", "1671552777", body) + ";" + h1(key, "1671552777", body),
                       body, 1671552777)));
  expect_refused(send(account, request(good, body + " ", 1671552777)), "signature_mismatch");
  expect_refused(send(account, request("ts=1671552777;" + h1("wrong", "1671552777", body), body, 1671552777)),
                 "signature_mismatch");
  expect_refused(send(account, request(good, body, 1671552777 + 6)), "timestamp_outside_tolerance");
  expect_refused(send(account, request("ts=1671552777", body, 1671552777)), "signature_missing");
}

}  // namespace
}  // namespace hookd::test
