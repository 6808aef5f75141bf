// Rules of signature_verification that no catalog vendor exercises alone, through the running hookd: HTTP
// Basic credentials, the test clock honoured only in test mode, a bad config refused when stored with its
// field named, and an account without its secret answered 500 (never a match).
#include "catalog_fixture.h"

namespace hookd::test {
namespace {

class Verification : public E2eTest {};  // not in test mode

constexpr const char* kTolerant = R"({"webhook":{"signature_verification":{"format":"hmac","config":{
  "secret":"{{context.secret}}","string_type":"hex","compare_with":"{{headers.x-sig}}",
  "parts":["{{headers.x-ts}}",".","raw_body"]},
  "timestamp_tolerance":{"value":"{{headers.x-ts}}","max_age_seconds":300}}}})";

HttpResult post(uint16_t port, const std::string& account, const std::string& body,
                std::vector<std::pair<std::string, std::string>> headers) {
  headers.emplace_back("Content-Type", "application/json");
  return http_call(port, "POST", "/integrated-account-webhook/" + account, body, headers);
}

// Without HOOKD_TEST_MODE a request cannot choose the time it is judged at: a stale request stays stale.
TEST_F(Verification, TheTestClockHeaderIsIgnoredOutsideTestMode) {
  std::string account = add_account("tolerant", kTolerant, R"({"secret":"k"})");
  const std::string body = R"({"id":"e1","type":"thing.created"})";
  const std::string old_ts = "1700000000";
  std::string sig = to_hex(hmac_of(EVP_sha256(), "k", old_ts + "." + body));
  auto stale =
      post(hookd_->port(), account, body, {{"X-Sig", sig}, {"X-Ts", old_ts}, {"X-Hookd-Test-Clock", old_ts}});
  EXPECT_EQ(stale.status, 401) << stale.body;
  EXPECT_EQ(stale.json().get("error").string_or(""), "timestamp_outside_tolerance") << stale.body;

  std::string now = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  auto fresh = post(hookd_->port(), account, body,
                    {{"X-Sig", to_hex(hmac_of(EVP_sha256(), "k", now + "." + body))}, {"X-Ts", now}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
}

TEST_F(Verification, BasicCredentials) {
  std::string account =
      add_account("basic", R"({"webhook":{"signature_verification":{"format":"basic","config":{
        "username":"{{context.user}}","password":"{{context.password}}"}}}})",
                  R"({"user":"vendor","password":"pa:ss"})");
  auto call = [&](std::vector<std::pair<std::string, std::string>> headers) {
    return post(hookd_->port(), account, R"({"id":"b1","type":"x.created"})", std::move(headers));
  };
  EXPECT_EQ(call({{"Authorization", "Basic " + to_base64("vendor:pa:ss")}}).status, 200);
  auto wrong = call({{"Authorization", "Basic " + to_base64("vendor:pass")}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json().get("error").string_or(""), "signature_mismatch") << wrong.body;
  EXPECT_EQ(wrong.body.find("pa:ss"), std::string::npos) << "an expected value never reaches the answer";
  EXPECT_EQ(call({}).json().get("error").string_or(""), "signature_missing");
}

TEST_F(Verification, AnAccountWithoutItsSecretIs500NeverAMatch) {
  std::string account = add_account("tolerant", kTolerant, R"({"secret":""})");
  const std::string body = "{}";
  auto res = post(hookd_->port(), account, body,
                  {{"X-Sig", to_hex(hmac_of(EVP_sha256(), "", "1." + body))}, {"X-Ts", "1"}});
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.json().get("error").string_or(""), "signature_secret_missing") << res.body;
}

TEST_F(Verification, ABadConfigIsRefusedWhenStoredNamingTheField) {
  struct Case {
    const char* config;
    const char* field;
  } cases[] = {
      {R"({"webhook":{"signature_verification":{"format":"rsa","config":{}}}})",
       "signature_verification.format"},
      {R"({"webhook":{"signature_verification":[{"format":"hmac","config":{"secret":"{{context.s}}",
        "compare_with":"{{headers.x}}","algoritm":"sha1"}}]}})",
       "signature_verification[0].config.algoritm"},
      {R"({"webhook":{"signature_verification":{"format":"ecdsa","config":{"public_key":"not a key",
        "compare_with":"{{headers.x}}"}}}})",
       "signature_verification.config.public_key"},
      {R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"{{context.s}}",
        "compare_with":"{{headers.x}}"},"timestamp_tolerance":{"value":"{{headers.t}}","max_age_seconds":300,
        "format":"unix"}}}})",
       "signature_verification.timestamp_tolerance.format"},
      {R"({"webhook":{"timestamp_tolerance":{"value":"{{headers.t}}","max_age_seconds":300}}})",
       "webhook.timestamp_tolerance"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto res = operator_call("POST", "/integration",
                             R"({"name":"bad-)" + std::to_string(n++) + R"(","config":)" + c.config + "}");
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_NE(res.json().get("message").string_or("").find(c.field), std::string::npos) << res.body;
  }
}

}  // namespace
}  // namespace hookd::test
