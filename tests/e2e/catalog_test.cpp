// The catalog (integrations/*.json): every entry loads with one hookctl command, and each vendor's documented
// requests get the right answer through the running hookd: handshake, a valid event, a tampered event, a wrong
// secret, a stale timestamp where the vendor signs one, and a key roll where the vendor has one.
#include <filesystem>
#include <memory>

#include "catalog_fixture.h"

namespace hookd::test {
namespace {

using Catalog = CatalogTest;

TEST_F(Catalog, EveryEntryLoadsWithOneCommand) {
  std::string dir = std::string(HOOKD_SOURCE_DIR) + "/integrations";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    files += entry.path().extension() == ".json";
  ASSERT_GT(files, 0u);
  auto [rc, out] = hookctl(*hookd_, kOperatorToken, "--json catalog import " + dir + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  json::Value result;
  ASSERT_TRUE(json::parse(out, result)) << out;
  ASSERT_EQ(result.size(), files) << out;
  for (size_t i = 0; i < result.size(); ++i) {
    std::string name(result.at(i).get("name").string_or(""));
    // The fixture's own "shopify" exists already: the import updates it; every other entry is new.
    EXPECT_EQ(result.at(i).get("result").string_or(""), name == "shopify" ? "updated" : "added") << name;
    auto stored = operator_call("GET", "/integration/" + name);
    EXPECT_EQ(stored.status, 200) << name << ": " << stored.body;
  }
  // Importing again changes nothing but the versions: every entry is an update now.
  auto [again_rc, again] = hookctl(*hookd_, kOperatorToken, "catalog import " + dir + " 2>&1");
  EXPECT_EQ(again_rc, 0) << again;
  EXPECT_EQ(again.find("added"), std::string::npos) << again;
}

// ---- Stripe (https://docs.stripe.com/webhooks#verify-manually): Stripe publishes the algorithm, not vectors;
// the requests are built from it.
TEST_F(Catalog, Stripe) {
  const std::string secret = "whsec_test_secret";
  std::string account = install("stripe", R"({"webhook_secret":")" + secret + R"("})");
  const std::string body =
      R"({"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"charge.succeeded",)"
      R"("data":{"object":{"id":"ch_1","amount":2000}}})";
  const int64_t t = 1700000000;
  auto sign = [&](const std::string& key, int64_t ts, const std::string& payload) {
    return to_hex(hmac_of(EVP_sha256(), key, std::to_string(ts) + "." + payload));
  };
  auto request = [&](const std::string& header, const std::string& payload, int64_t now) {
    return VendorRequest{
        "POST", "", payload, {{"Content-Type", "application/json"}, {"Stripe-Signature", header}}, now};
  };
  std::string valid = "t=" + std::to_string(t) + ",v1=" + sign(secret, t, body);

  auto ok = send(account, request(valid, body, t + 30));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:updated") << ok.body;

  std::string tampered = body;
  tampered.replace(tampered.find("2000"), 4, "9999");
  expect_refused(send(account, request(valid, tampered, t + 30)), "signature_mismatch");
  std::string wrong = "t=" + std::to_string(t) + ",v1=" + sign("whsec_other", t, body);
  expect_refused(send(account, request(wrong, body, t + 30)), "signature_mismatch");
  expect_refused(send(account, request(valid, body, t + 301)), "timestamp_outside_tolerance");
  expect_refused(send(account, request(valid, body, t - 301)), "timestamp_outside_tolerance");
  expect_refused(send(account, request("t=" + std::to_string(t), body, t)), "signature_missing");

  // A roll: Stripe signs with both secrets while both are active, and the account may hold the new one only.
  std::string both =
      "t=" + std::to_string(t) + ",v1=" + sign("whsec_new", t, body) + ",v1=" + sign(secret, t, body);
  expect_accepted(send(account, request(both, body, t)));
  // Or the account already holds the new secret and keeps the old one as the previous: a request signed
  // with the old one alone still passes, one signed with neither does not.
  std::string rolled =
      install("stripe", R"({"webhook_secret":"whsec_new","webhook_secret_previous":")" + secret + R"("})");
  expect_accepted(send(rolled, request(valid, body, t)));
  expect_refused(send(rolled, request(wrong, body, t)), "signature_mismatch");
}

// ---- SendGrid: the published vector of SendGrid's own library (sendgrid-nodejs,
// packages/eventwebhook/src/eventwebhook.spec.js: PUBLIC_KEY, SIGNATURE, TIMESTAMP, PAYLOAD).
TEST_F(Catalog, SendGrid) {
  const std::string key =
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+"
      "u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/"
      "1FwCM/QmGUhA==";
  const std::string other_key =
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+"
      "y7GjUuFDb/R1NGe1OPzpA==";
  const std::string signature =
      "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
  const std::string payload =
      R"({"category":"example_payload","event":"test_event","message_id":"message_id"})";
  std::string account = install("sendgrid", R"({"verification_key":")" + key + R"("})");
  auto request = [&](const std::string& sig, const std::string& ts, const std::string& body) {
    return VendorRequest{"POST",
                         "",
                         body,
                         {{"Content-Type", "application/json"},
                          {"X-Twilio-Email-Event-Webhook-Signature", sig},
                          {"X-Twilio-Email-Event-Webhook-Timestamp", ts}},
                         {}};
  };
  expect_accepted(send(account, request(signature, "1588788367", payload)));
  expect_refused(send(account, request(signature, "1588788367", "payload")), "signature_mismatch");
  expect_refused(send(account, request(signature, "1588788368", payload)), "signature_mismatch");
  std::string bad_signature = signature;
  bad_signature[bad_signature.size() - 4] = '3';  // the spec's "bad signature" case
  expect_refused(send(account, request(bad_signature, "1588788367", payload)), "signature_mismatch");
  std::string wrong_key = install("sendgrid", R"({"verification_key":")" + other_key + R"("})");
  expect_refused(send(wrong_key, request(signature, "1588788367", payload)), "signature_mismatch");
  auto unsigned_request =
      send(account, VendorRequest{"POST", "", payload, {{"Content-Type", "application/json"}}, {}});
  expect_refused(unsigned_request, "signature_missing");
}

// ---- Jira (Atlassian Connect): a JWT built here as the Connect docs define it (HS256 over
// base64url(header).base64url(claims); qsh = hex SHA-256 of "METHOD&path&sorted-query").
std::string base64url(std::string_view bytes) {
  std::string s = to_base64(bytes);
  for (char& c : s)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  return s;
}

std::string connect_jwt(const std::string& secret, const std::string& claims) {
  std::string input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
  return input + "." + base64url(hmac_of(EVP_sha256(), secret, input));
}

TEST_F(Catalog, JiraAtlassianConnect) {
  const std::string secret = "connect-shared-secret";
  std::string account = install("jira", R"({"shared_secret":")" + secret + R"(","client_key":"jira:1234"})");
  const std::string path = "/integrated-account-webhook/" + account;
  const int64_t now = 1700000000;
  auto claims = [&](const std::string& iss, int64_t exp, const std::string& canonical) {
    return R"({"iss":")" + iss + R"(","iat":)" + std::to_string(now - 10) + R"(,"exp":)" +
           std::to_string(exp) + R"(,"qsh":")" + to_hex(digest_of(EVP_sha256(), canonical)) + R"("})";
  };
  const std::string body = R"({"webhookEvent":"jira:issue_created","issue":{"id":"10001","key":"HD-1"}})";
  auto request = [&](const std::string& token, const std::string& query = "") {
    return VendorRequest{
        "POST", query, body, {{"Content-Type", "application/json"}, {"Authorization", "JWT " + token}}, now};
  };
  std::string good = connect_jwt(secret, claims("jira:1234", now + 180, "POST&" + path + "&"));
  auto ok = send(account, request(good));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;

  // The query is part of the hash: sorted by name, the token's own jwt parameter left out.
  std::string with_query =
      connect_jwt(secret, claims("jira:1234", now + 180, "POST&" + path + "&a=1&b=x%20y"));
  expect_accepted(send(account, request(with_query, "?b=x%20y&a=1")));
  auto in_query =
      send(account,
           VendorRequest{
               "POST", "?b=x%20y&a=1&jwt=" + with_query, body, {{"Content-Type", "application/json"}}, now});
  expect_accepted(in_query);
  EXPECT_EQ(send(account, request(with_query, "?b=x%20y&a=2")).json().get("error").string_or(""),
            "claim_mismatch");

  expect_refused(
      send(account, request(connect_jwt("wrong", claims("jira:1234", now + 180, "POST&" + path + "&")))),
      "token_invalid");
  expect_refused(
      send(account, request(connect_jwt(secret, claims("jira:9999", now + 180, "POST&" + path + "&")))),
      "claim_mismatch");
  expect_refused(
      send(account, request(connect_jwt(secret, claims("jira:1234", now - 60, "POST&" + path + "&")))),
      "token_expired");
  expect_refused(
      send(account, request(connect_jwt(secret, claims("jira:1234", now + 180, "GET&" + path + "&")))),
      "claim_mismatch");
  std::string tampered = good;
  tampered[tampered.find('.') + 3] ^= 1;
  expect_refused(send(account, request(tampered)), "token_invalid");
  expect_refused(send(account, VendorRequest{"POST", "", body, {{"Content-Type", "application/json"}}, now}),
                 "signature_missing");
}

// ---- Discord (https://discord.com/developers/docs/interactions/overview, "Validating Security Request
// Headers"): Ed25519 over timestamp + body; Discord publishes no vectors, so the key pair is made here by
// OpenSSL. Discord checks that a PING with a bad signature gets 401, and that a signed one gets {"type":1}.
TEST_F(Catalog, DiscordPingOnlyWhenSigned) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"),
                                                          &EVP_PKEY_free);
  unsigned char raw[32];
  size_t raw_len = sizeof raw;
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(key.get(), raw, &raw_len), 1);
  auto sign = [&](const std::string& message) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
    unsigned char sig[64];
    size_t len = sizeof sig;
    EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                   message.size());
    return to_hex(std::string_view(reinterpret_cast<char*>(sig), len));
  };
  std::string account = install(
      "discord", R"({"public_key":")" + to_hex(std::string_view(reinterpret_cast<char*>(raw), 32)) + R"("})");
  auto request = [&](const std::string& body, const std::string& sig) {
    return VendorRequest{"POST",
                         "",
                         body,
                         {{"Content-Type", "application/json"},
                          {"X-Signature-Ed25519", sig},
                          {"X-Signature-Timestamp", "1700000000"}},
                         {}};
  };
  const std::string ping = R"({"id":"1","application_id":"2","type":1,"version":1})";
  auto pong = send(account, request(ping, sign("1700000000" + ping)));
  EXPECT_EQ(pong.status, 200) << pong.body;
  EXPECT_EQ(pong.body, R"({"type":1})");
  expect_refused(send(account, request(ping, sign("1700000001" + ping))), "signature_mismatch");
  expect_refused(send(account, request(ping, std::string(128, '0'))), "signature_mismatch");

  const std::string command = R"({"id":"3","application_id":"2","type":2,"data":{"name":"hello"}})";
  auto ok = send(account, request(command, sign("1700000000" + command)));
  expect_accepted(ok);
  EXPECT_EQ(ok.json().get("events").at(0).get("event").string_or(""), "record:created") << ok.body;
  expect_refused(send(account, request(command + " ", sign("1700000000" + command))), "signature_mismatch");
}

}  // namespace
}  // namespace hookd::test
