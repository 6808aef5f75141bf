// Catalog vendors that sign the body with an HMAC, some with a timestamp, a key roll or a handshake:
// PagerDuty, DocuSign, Xero, Notion, Shopify, Linear, Zendesk, Intercom, Calendly, Box, Typeform. None publishes
// a vector usable here; each request is built from the vendor's documented algorithm (cited per test).
#include "catalog_fixture.h"

namespace hookd::test {
namespace {

using CatalogHmac2 = CatalogTest;
using Headers = std::vector<std::pair<std::string, std::string>>;

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
TEST_F(CatalogHmac2, PagerDuty) {
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
TEST_F(CatalogHmac2, DocuSign) {
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
TEST_F(CatalogHmac2, Xero) {
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
TEST_F(CatalogHmac2, Notion) {
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

// https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
TEST_F(CatalogHmac2, Shopify) {
  std::string account = install("shopify", R"({"webhook_secret":"shpss_catalog"})");
  const std::string body = R"({"id":820982911946154508,"email":"jon@example.com"})";
  auto request = [&](const std::string& sig, const std::string& b) {
    return post(b, {{"X-Shopify-Hmac-Sha256", sig},
                    {"X-Shopify-Topic", "orders/create"},
                    {"X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}});
  };
  auto ok = send(account, request(b64_hmac("shpss_catalog", body), body));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, request(b64_hmac("shpss_catalog", body), body + " ")), "signature_mismatch");
  expect_refused(send(account, request(b64_hmac("other", body), body)), "signature_mismatch");
  expect_refused(send(account, post(body, {{"X-Shopify-Topic", "orders/create"}})), "signature_missing");
}

// https://linear.app/developers/webhooks#securing-webhooks: Linear-Signature, webhookTimestamp within a minute.
TEST_F(CatalogHmac2, Linear) {
  std::string account = install("linear", R"({"webhook_secret":"lin_wh_secret"})");
  const std::string body =
      R"({"action":"create","type":"Issue","data":{"id":"i1"},"webhookTimestamp":1700000000000})";
  auto request = [&](const std::string& key, const std::string& b, int64_t now) {
    return post(b, {{"Linear-Signature", hex_hmac(key, b)}}, now);
  };
  expect_accepted(send(account, request("lin_wh_secret", body, 1700000000 + 30)));
  expect_refused(send(account, request("lin_wh_secret", body, 1700000000 + 61)),
                 "timestamp_outside_tolerance");
  expect_refused(send(account, request("wrong", body, 1700000000)), "signature_mismatch");
  std::string tampered = body;
  tampered.replace(tampered.find("i1"), 2, "i2");
  expect_refused(
      send(account, post(tampered, {{"Linear-Signature", hex_hmac("lin_wh_secret", body)}}, 1700000000)),
      "signature_mismatch");
  expect_refused(send(account, post(body, {}, 1700000000)), "signature_missing");
}

// https://developer.zendesk.com/documentation/webhooks/verifying/: base64 HMAC of timestamp + body.
TEST_F(CatalogHmac2, Zendesk) {
  std::string account = install("zendesk", R"({"signing_secret":"zd-secret"})");
  const std::string body = R"({"type":"zen:event-type:ticket.created","id":"e1","detail":{"id":"35"}})";
  const std::string ts = "2026-12-06T12:00:00Z";
  auto request = [&](const std::string& key, const std::string& b) {
    return post(b, {{"X-Zendesk-Webhook-Signature", b64_hmac(key, ts + body)},
                    {"X-Zendesk-Webhook-Signature-Timestamp", ts}});
  };
  auto ok = send(account, request("zd-secret", body));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, request("wrong", body)), "signature_mismatch");
  expect_refused(
      send(account, post(body, {{"X-Zendesk-Webhook-Signature", b64_hmac("zd-secret", ts + body)}})),
      "signed_part_missing");
}

// https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications
TEST_F(CatalogHmac2, Intercom) {
  std::string account = install("intercom", R"({"client_secret":"ic-secret"})");
  const std::string body =
      R"({"type":"notification_event","topic":"conversation.user.created","id":"notif_1"})";
  auto sig = [&](const std::string& key, const std::string& b) {
    return "sha1=" + to_hex(hmac_of(EVP_sha1(), key, b));
  };
  auto ok = send(account, post(body, {{"X-Hub-Signature", sig("ic-secret", body)}}));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, post(body + " ", {{"X-Hub-Signature", sig("ic-secret", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body, {{"X-Hub-Signature", sig("wrong", body)}})), "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

// https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures: "t=<unix>,v1=<hex HMAC of t.body>",
// three minutes of tolerance.
TEST_F(CatalogHmac2, Calendly) {
  std::string account = install("calendly", R"({"signing_key":"cal-key"})");
  const std::string body = R"({"event":"invitee.created","payload":{"email":"a@example.com"}})";
  auto request = [&](const std::string& key, const std::string& b, int64_t now) {
    return post(b, {{"Calendly-Webhook-Signature", "t=1700000000,v1=" + hex_hmac(key, "1700000000." + b)}},
                now);
  };
  auto ok = send(account, request("cal-key", body, 1700000000 + 60));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, request("cal-key", body, 1700000000 + 181)), "timestamp_outside_tolerance");
  expect_refused(send(account, request("wrong", body, 1700000000)), "signature_mismatch");
  expect_refused(send(account, post(body, {}, 1700000000)), "signature_missing");
}

// https://developer.box.com/guides/webhooks/v2/signatures-v2/: primary and secondary keys, 10 minutes.
TEST_F(CatalogHmac2, BoxPrimaryAndSecondaryKeys) {
  const std::string body =
      R"({"type":"webhook_event","id":"e1","trigger":"FILE.UPLOADED","source":{"id":"f1","type":"file"}})";
  const std::string ts = "2023-11-14T22:13:20+00:00";  // 1700000000
  auto request = [&](const std::string& primary_key, const std::string& secondary_key, const std::string& b,
                     int64_t now) {
    return post(b,
                {{"BOX-DELIVERY-TIMESTAMP", ts},
                 {"BOX-SIGNATURE-PRIMARY", b64_hmac(primary_key, b + ts)},
                 {"BOX-SIGNATURE-SECONDARY", b64_hmac(secondary_key, b + ts)},
                 {"BOX-SIGNATURE-VERSION", "1"},
                 {"BOX-SIGNATURE-ALGORITHM", "HmacSHA256"}},
                now);
  };
  std::string account = install("box", R"({"primary_key":"p-key"})");
  auto ok = send(account, request("p-key", "unknown", body, 1700000000));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:updated") << ok.body;
  // Rotating: the account moved to a new primary and keeps the old one as secondary; Box signs with both.
  std::string rotating = install("box", R"({"primary_key":"p-key-2","secondary_key":"p-key"})");
  expect_accepted(send(rotating, request("p-key-old", "p-key", body, 1700000000)));
  expect_refused(send(account, request("wrong", "wrong2", body, 1700000000)), "signature_mismatch");
  expect_refused(send(account, request("p-key", "x", body, 1700000000 + 601)), "timestamp_outside_tolerance");
  expect_refused(send(account, request("p-key", "x", body, 1700000000 - 601)), "timestamp_outside_tolerance");
}

// https://www.typeform.com/developers/webhooks/secure-your-webhooks/: sha256=<base64 HMAC>.
TEST_F(CatalogHmac2, Typeform) {
  std::string account = install("typeform", R"({"webhook_secret":"tf-secret"})");
  const std::string body =
      R"({"event_id":"01H","event_type":"form_response","form_response":{"form_id":"f"}})";
  auto ok = send(account, post(body, {{"Typeform-Signature", "sha256=" + b64_hmac("tf-secret", body)}}));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(
      send(account, post(body + " ", {{"Typeform-Signature", "sha256=" + b64_hmac("tf-secret", body)}})),
      "signature_mismatch");
  expect_refused(send(account, post(body, {{"Typeform-Signature", "sha256=" + b64_hmac("x", body)}})),
                 "signature_mismatch");
  expect_refused(send(account, post(body, {})), "signature_missing");
}

}  // namespace
}  // namespace hookd::test
