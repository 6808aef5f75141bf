// Catalog vendors that sign the URL they call or check it with a GET or HEAD: Twilio, Square, Trello,
// Dropbox, Okta, Mailchimp. None of them publishes vectors for a URL one could serve here (the URL holds the
// account's id), so each request is built from the vendor's documented algorithm (cited per test); hookd
// runs with HOOKD_PUBLIC_URL=https://hooks.example.com.
#include "catalog_fixture.h"

namespace hookd::test {
namespace {

using CatalogUrl = CatalogTest;

const std::vector<std::pair<std::string, std::string>> kForm = {
    {"Content-Type", "application/x-www-form-urlencoded"}};

// https://www.twilio.com/docs/usage/security#validating-requests: the URL, then each POST parameter's name
// and value, sorted by name; HMAC-SHA1 keyed with the Auth Token; base64.
TEST_F(CatalogUrl, Twilio) {
  std::string account = install("twilio", R"({"auth_token":"12345"})");
  const std::string body =
      "To=%2B18005551212&CallSid=CA1234567890ABCDE&From=%2B14158675310&Digits=1234"
      "&Caller=%2B14158675310&CallStatus=ringing";
  const std::string query = "?foo=1&bar=2";
  const std::string signed_text = public_url(account, query) +
                                  "CallSidCA1234567890ABCDECallStatusringingCaller+14158675310Digits1234"
                                  "From+14158675310To+18005551212";
  std::string signature = to_base64(hmac_of(EVP_sha1(), "12345", signed_text));
  auto request = [&](const std::string& sig, const std::string& b, const std::string& q) {
    auto headers = kForm;
    headers.emplace_back("X-Twilio-Signature", sig);
    return VendorRequest{"POST", q, b, headers, {}};
  };
  auto ok = send(account, request(signature, body, query));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:updated") << ok.body;
  expect_refused(send(account, request(signature, body + "&Extra=1", query)), "signature_mismatch");
  expect_refused(send(account, request(signature, body, "?foo=1&bar=3")), "signature_mismatch");
  expect_refused(send(account, request(to_base64(hmac_of(EVP_sha1(), "54321", signed_text)), body, query)),
                 "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", query, body, kForm, {}}), "signature_missing");
  // A repeated parameter: its values de-duplicated and sorted, as twilio-node's validateRequest does.
  const std::string repeated = "To=%2B1&MediaUrl=b&MediaUrl=a&MediaUrl=b";
  std::string repeated_sig =
      to_base64(hmac_of(EVP_sha1(), "12345", public_url(account) + "MediaUrlaMediaUrlbTo+1"));
  expect_accepted(send(account, request(repeated_sig, repeated, "")));
  // Promoting the secondary Auth Token: both are accepted while the account holds both.
  std::string rolling = install("twilio", R"({"auth_token":"new-token","auth_token_secondary":"12345"})");
  std::string rolling_text = signed_text;
  rolling_text.replace(0, public_url(account, query).size(), public_url(rolling, query));
  expect_accepted(send(rolling, request(to_base64(hmac_of(EVP_sha1(), "12345", rolling_text)), body, query)));
  expect_accepted(
      send(rolling, request(to_base64(hmac_of(EVP_sha1(), "new-token", rolling_text)), body, query)));
}

// https://developer.squareup.com/docs/webhooks/step3validate: HMAC-SHA256 of notification URL + body, base64.
TEST_F(CatalogUrl, Square) {
  std::string account = install("square", R"({"signature_key":"sq0wsk_key"})");
  const std::string body = R"({"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":)"
                           R"("13b867cf-db3d-4b1c-90b6-2f32a9d78124","data":{"type":"payment","id":"KkAk"}})";
  auto request = [&](const std::string& sig, const std::string& b) {
    return VendorRequest{
        "POST", "", b, {{"Content-Type", "application/json"}, {"x-square-hmacsha256-signature", sig}}, {}};
  };
  std::string sig = to_base64(hmac_of(EVP_sha256(), "sq0wsk_key", public_url(account) + body));
  auto ok = send(account, request(sig, body));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:updated") << ok.body;
  std::string tampered = body;
  tampered.replace(tampered.find("KkAk"), 4, "XXXX");
  expect_refused(send(account, request(sig, tampered)), "signature_mismatch");
  expect_refused(
      send(account, request(to_base64(hmac_of(EVP_sha256(), "other", public_url(account) + body)), body)),
      "signature_mismatch");
  expect_refused(
      send(account,
           request(to_base64(hmac_of(EVP_sha256(), "sq0wsk_key", "https://evil.example/x" + body)), body)),
      "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, {{"Content-Type", "application/json"}}, {}}),
                 "signature_missing");
}

// https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/: HEAD on creation; X-Trello-Webhook is
// base64 HMAC-SHA1 of body + callback URL with the app secret.
TEST_F(CatalogUrl, Trello) {
  std::string account = install("trello", R"({"app_secret":"trello-secret"})");
  auto head = send(account, VendorRequest{"HEAD", "", "", {}, {}});
  EXPECT_EQ(head.status, 200) << head.body;
  EXPECT_TRUE(head.body.empty());
  const std::string body = R"({"action":{"id":"5f1","type":"createCard","data":{"card":{"id":"c1"}}},)"
                           R"("model":{"id":"b1"}})";
  auto request = [&](const std::string& sig, const std::string& b) {
    return VendorRequest{
        "POST", "", b, {{"Content-Type", "application/json"}, {"X-Trello-Webhook", sig}}, {}};
  };
  std::string sig = to_base64(hmac_of(EVP_sha1(), "trello-secret", body + public_url(account)));
  auto ok = send(account, request(sig, body));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, request(sig, body + " ")), "signature_mismatch");
  expect_refused(
      send(account, request(to_base64(hmac_of(EVP_sha1(), "x", body + public_url(account))), body)),
      "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, {{"Content-Type", "application/json"}}, {}}),
                 "signature_missing");
}

// https://www.dropbox.com/developers/reference/webhooks: GET ?challenge= echoed as text/plain with nosniff;
// X-Dropbox-Signature is hex HMAC-SHA256 of the body with the app secret.
TEST_F(CatalogUrl, Dropbox) {
  std::string account = install("dropbox", R"({"app_secret":"dbx-secret"})");
  auto challenge = send(account, VendorRequest{"GET", "?challenge=a%20b_c", "", {}, {}});
  EXPECT_EQ(challenge.status, 200) << challenge.body;
  EXPECT_EQ(challenge.body, "a b_c");
  EXPECT_EQ(challenge.header("Content-Type"), "text/plain");
  EXPECT_EQ(challenge.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(send(account, VendorRequest{"GET", "", "", {}, {}}).status, 405) << "a GET without a challenge";

  const std::string body = R"({"list_folder":{"accounts":["dbid:AAH4f99"]},"delta":{"users":[12345678]}})";
  auto request = [&](const std::string& sig, const std::string& b) {
    return VendorRequest{
        "POST", "", b, {{"Content-Type", "application/json"}, {"X-Dropbox-Signature", sig}}, {}};
  };
  expect_accepted(send(account, request(to_hex(hmac_of(EVP_sha256(), "dbx-secret", body)), body)));
  expect_refused(send(account, request(to_hex(hmac_of(EVP_sha256(), "dbx-secret", body)), body + "\n")),
                 "signature_mismatch");
  expect_refused(send(account, request(to_hex(hmac_of(EVP_sha256(), "other", body)), body)),
                 "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, {{"Content-Type", "application/json"}}, {}}),
                 "signature_missing");
}

// https://developer.okta.com/docs/concepts/event-hooks/: one-time GET with X-Okta-Verification-Challenge,
// answered {"verification": ...}; each request carries the configured Authorization value.
TEST_F(CatalogUrl, Okta) {
  std::string account = install("okta", R"({"authorization_secret":"Basic b2t0YTpzZWNyZXQ="})");
  auto verify = send(account, VendorRequest{"GET",
                                            "",
                                            "",
                                            {{"Authorization", "Basic b2t0YTpzZWNyZXQ="},
                                             {"X-Okta-Verification-Challenge", "S0xKwZmcTBr3ztl5q2LS"}},
                                            {}});
  EXPECT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json().get("verification").string_or(""), "S0xKwZmcTBr3ztl5q2LS") << verify.body;

  const std::string body =
      R"({"eventType":"com.okta.event_hook","eventId":"b5a188b9","data":{"events":[)"
      R"({"uuid":"79f6f2ae","eventType":"user.lifecycle.create","target":[{"id":"00u1"}]},)"
      R"({"uuid":"79f6f2af","eventType":"user.lifecycle.delete.initiated"}]}})";
  auto request = [&](const std::string& authorization, const std::string& b) {
    return VendorRequest{
        "POST", "", b, {{"Content-Type", "application/json"}, {"Authorization", authorization}}, {}};
  };
  auto ok = send(account, request("Basic b2t0YTpzZWNyZXQ=", body));
  expect_accepted(ok, 2);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  EXPECT_EQ(ok.json().get("events").at(1).get("event").string_or(""), "record:deleted") << ok.body;
  expect_refused(send(account, request("Basic b2t0YTp3cm9uZw==", body)), "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, {{"Content-Type", "application/json"}}, {}}),
                 "signature_missing");
}

// https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/: a validation GET, then
// form-encoded events; the URL's secret query parameter authenticates them.
TEST_F(CatalogUrl, Mailchimp) {
  std::string account = install("mailchimp", R"({"webhook_secret":"mc-secret-42"})");
  auto validate = send(account, VendorRequest{"GET", "?secret=mc-secret-42", "", {}, {}});
  EXPECT_EQ(validate.status, 200) << validate.body;
  EXPECT_TRUE(validate.body.empty()) << validate.body;

  const std::string body =
      "type=subscribe&fired_at=2009-03-26+21%3A35%3A57&data%5Bid%5D=8a25ff1d98"
      "&data%5Blist_id%5D=a6b5da1054&data%5Bemail%5D=api%40mailchimp.com";
  auto ok = send(account, VendorRequest{"POST", "?secret=mc-secret-42", body, kForm, {}});
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  auto unsubscribe = send(
      account, VendorRequest{"POST", "?secret=mc-secret-42", "type=unsubscribe&data%5Bid%5D=1", kForm, {}});
  expect_accepted(unsubscribe);
  EXPECT_EQ(unsubscribe.json().get("events").at(0).get("event").string_or(""), "record:deleted")
      << unsubscribe.body;
  expect_refused(send(account, VendorRequest{"POST", "?secret=guess", body, kForm, {}}),
                 "signature_mismatch");
  expect_refused(send(account, VendorRequest{"POST", "", body, kForm, {}}), "signature_missing");
}

}  // namespace
}  // namespace hookd::test
