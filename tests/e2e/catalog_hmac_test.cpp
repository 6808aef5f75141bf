// Catalog vendors that sign with an HMAC, not covered by catalog_c_test.cpp: Standard Webhooks and Svix (the
// specification's published vector), Paddle, PagerDuty, DocuSign, Xero (intent to receive) and Notion (the
// verification_token handshake), whose requests are built from the documented algorithm (cited per test).
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

CatalogTest::VendorRequest post(std::string body, Headers headers, std::optional<int64_t> now = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return {"POST", "", std::move(body), std::move(headers), now};
}

std::string b64_hmac(std::string_view key, std::string_view data) {
  return to_base64(hmac_of(EVP_sha256(), key, data));
}
std::string hex_hmac(std::string_view key, std::string_view data) {
  return to_hex(hmac_of(EVP_sha256(), key, data));
}

// https://developer.pagerduty.com/docs/webhooks-overview#verifying-signatures
TEST_F(CatalogHmac, PagerDuty) {
  std::string account = install("pagerduty", R"({"webhook_secret":"pd-secret"})");
  const std::string body =
      R"({"event":{"id":"01D","event_type":"incident.triggered","data":{"id":"PGR0VU2"}}})";
  expect_accepted(
      send(account, post(body, {{"X-PagerDuty-Signature", "v1=" + hex_hmac("pd-secret", body)}})));
  // During a rotation PagerDuty sends one v1= per secret.
  expect_accepted(send(account, post(body, {{"X-PagerDuty-Signature", "v1=" + hex_hmac("old", body) + ",v1=" +
                                                                          hex_hmac("pd-secret", body)}})));
  expect_refused(
      send(account, post(body + " ", {{"X-PagerDuty-Signature", "v1=" + hex_hmac("pd-secret", body)}})),
      "signature_mismatch");
  expect_refused(send(account, post(body, {{"X-PagerDuty-Signature", "v1=" + hex_hmac("wrong", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

// https://developers.docusign.com/platform/webhooks/connect/hmac/: one header per Connect HMAC key.
TEST_F(CatalogHmac, DocuSign) {
  std::string account = install("docusign", R"({"hmac_key":"ds-key-2"})");
  const std::string body = R"({"event":"envelope-completed","data":{"envelopeId":"e-1"}})";
  expect_accepted(send(account, post(body, {{"X-DocuSign-Signature-1", b64_hmac("ds-key-1", body)},
                                            {"X-DocuSign-Signature-2", b64_hmac("ds-key-2", body)}})));
  expect_refused(send(account, post(body, {{"X-DocuSign-Signature-1", b64_hmac("ds-key-1", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body + " ", {{"X-DocuSign-Signature-2", b64_hmac("ds-key-2", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

// https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/: the intent to receive
// sends empty event lists, expecting 200 for a correctly signed one and 401 otherwise; accepted events are
// answered 200 with an empty body.
TEST_F(CatalogHmac, Xero) {
  std::string account = install("xero", R"({"webhook_key":"xero-key"})");
  const std::string itr =
      R"({"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"})";
  auto signed_itr = send(account, post(itr, {{"x-xero-signature", b64_hmac("xero-key", itr)}}));
  EXPECT_EQ(signed_itr.status, 200) << signed_itr.body;
  EXPECT_TRUE(signed_itr.body.empty()) << signed_itr.body;
  expect_refused(send(account, post(itr, {{"x-xero-signature", b64_hmac("not-the-key", itr)}})),
                 "signature_mismatch");

  const std::string body =
      R"({"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/1",)"
      R"("resourceId":"1","eventDateUtc":"2026-12-06T12:00:00.000","eventType":"UPDATE",)"
      R"("eventCategory":"INVOICE","tenantId":"t1","tenantType":"ORGANISATION"}],)"
      R"("firstEventSequence":1,"lastEventSequence":1,"entropy":"x"})";
  auto ok = send(account, post(body, {{"x-xero-signature", b64_hmac("xero-key", body)}}));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(ok.body.empty()) << "Xero's accepted answer is empty: " << ok.body;
  expect_refused(send(account, post(body, {{"x-xero-signature", b64_hmac("wrong", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

// https://developers.notion.com/reference/webhooks: the verification_token request, then sha256= signatures.
TEST_F(CatalogHmac, Notion) {
  std::string account = install("notion", "{}");
  const std::string token = "secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl";
  auto verification = send(account, post(R"({"verification_token":")" + token + R"("})", {}));
  EXPECT_EQ(verification.status, 200) << verification.body;
  auto forged = send(account, post(R"({"verification_token":"secret_attacker"})", {}));
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(forged.json().get("error").string_or(""), "context_update_refused") << forged.body;

  const std::string body = R"({"id":"367cba44","type":"page.created","entity":{"id":"p1","type":"page"}})";
  auto ok = send(account, post(body, {{"X-Notion-Signature", "sha256=" + hex_hmac(token, body)}}));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(
      send(account, post(body, {{"X-Notion-Signature", "sha256=" + hex_hmac("secret_attacker", body)}})),
      "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

}  // namespace
}  // namespace hookd::test
