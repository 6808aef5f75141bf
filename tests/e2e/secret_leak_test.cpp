// No secret ever appears in a log line or an error body (issue 15, hardening). The test creates every kind of
// secret hookd holds: endpoint signing secrets (and a rotated one's previous secret), environment API tokens (a
// rotated and a revoked one too), the operator token, literal secrets in a catalog integration's config,
// secret environment variables, and integrated accounts' secret context values. Then it drives the service
// through what logs or answers errors: bad and missing signatures, secrets that are missing or not in their
// encoding, bad and revoked tokens, refused configs and accounts (some carrying the secrets themselves),
// deliveries that fail with 500s, time out, are redirected, or disable their endpoint, rotated secrets, and
// admin errors. Every answer of 400 or more, and the whole log at debug level, must hold none of the values.
#include <chrono>
#include <set>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

class SecretLeak : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_LOG_LEVEL"] = "debug";  // the most a log ever says
    return env;
  }

  // A call whose answer is kept for the final check.
  HttpResult call(std::string_view method, const std::string& path, const std::string& body = {},
                  const std::string& token = {}) {
    HttpResult r = admin(method, path, body, token);
    answers_.push_back({std::string(method) + " " + path, r});
    return r;
  }
  HttpResult vendor(const std::string& path, const std::string& body, HeaderList headers) {
    headers.emplace_back("Content-Type", "application/json");
    HttpResult r = http_call(hookd_->port(), "POST", path, body, headers);
    answers_.push_back({"vendor POST " + path, r});
    return r;
  }
  void secret(std::string value) { secrets_.insert(std::move(value)); }

  // The check itself: no secret in any error answer nor anywhere in the log.
  void expect_no_secret_anywhere() {
    size_t error_answers = 0;
    for (const auto& [what, r] : answers_) {
      if (r.status < 400) continue;
      ++error_answers;
      for (const auto& s : secrets_)
        EXPECT_EQ(r.body.find(s), std::string::npos)
            << what << " answered " << r.status << " with secret " << s << ": " << r.body;
    }
    EXPECT_GE(error_answers, 20u) << "the error paths were not driven";
    std::string log = hookd_->log();
    EXPECT_GT(log.size(), 1000u);
    for (const auto& s : secrets_) {
      size_t at = log.find(s);
      EXPECT_EQ(at, std::string::npos)
          << "secret " << s
          << " in the log: " << (at == std::string::npos ? "" : log.substr(log.rfind('\n', at) + 1, 600));
    }
  }

  std::vector<std::pair<std::string, HttpResult>> answers_;
  std::set<std::string> secrets_;
};

// Catalog config with a literal secret (the operator's own; environments see it redacted) and one read from an
// environment variable, each checked against a request.
constexpr const char* kLiteralSecret = "lit-integration-secret-7f3a91c2";
constexpr const char* kEnvVarSecret = "env-var-secret-5b8e22d4";
constexpr const char* kContextSecret = "ctx-signing-secret-0c6d7e15";
constexpr const char* kContextToken = "ctx-webhook-secret-9a4f03b8";

std::string hmac_config(const std::string& secret_template, const std::string& header) {
  return R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":")" + secret_template +
         R"(","algorithm":"sha256","string_type":"hex","compare_with":"{{headers.)" + header +
         R"j(}}","prefix":"v1=","parts":[{"jsonata":"$string(headers.`x-ts`)"},".","raw_body"]}}}})j";
}

TEST_F(SecretLeak, NoSecretInAnyLogLineOrErrorBody) {
  // ---- the secrets
  secret(kOperatorToken);
  secret(token_);
  secret(webhook_secret_);
  secret(kShopifySecret);
  secret(kLiteralSecret);
  secret(kEnvVarSecret);
  secret(kContextSecret);
  secret(kContextToken);

  auto vars =
      call("PATCH", "/environment/" + environment_id_,
           R"({"variables":{"WEBHOOK_SECRET":")" + std::string(kEnvVarSecret) + R"("}})", kOperatorToken);
  ASSERT_EQ(vars.status, 200) << vars.body;
  auto second_token =
      call("POST", "/environment/" + environment_id_ + "/api-token", R"({"name":"second"})", kOperatorToken);
  ASSERT_EQ(second_token.status, 201) << second_token.body;
  std::string revoked(second_token.json().get("token").string_or(""));
  secret(revoked);
  auto rotated_token = call("POST",
                            "/environment/" + environment_id_ + "/api-token/" +
                                std::string(second_token.json().get("id").string_or("")) + "/rotate",
                            "", kOperatorToken);
  ASSERT_EQ(rotated_token.status, 201) << rotated_token.body;
  secret(std::string(rotated_token.json().get("token").string_or("")));

  std::string literal_account = add_account("literal-catalog", hmac_config(kLiteralSecret, "x-sig"));
  std::string env_account =
      add_account("env-var", hmac_config("{{environment_variables.WEBHOOK_SECRET}}", "x-sig"));
  std::string context_account =
      add_account("ctx-secret", hmac_config("{{context.signing_secret}}", "x-sig"),
                  R"({"signing_secret":")" + std::string(kContextSecret) + R"(","webhook_secret":")" +
                      kContextToken + R"(","team":"t1"})");
  // A secret the account lacks, and one that is not in its declared encoding: the operator's 500 paths.
  std::string missing_account =
      add_account("ctx-missing", hmac_config("{{context.absent_secret}}", "x-sig"), R"({"team":"t2"})");
  std::string bad_encoding_account = add_account(
      "ctx-base64",
      R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}",
          "secret_encoding":"base64","compare_with":"{{headers.x-sig}}"}}}})",
      R"({"webhook_secret":"!)" + std::string(kContextToken) + R"(!"})");

  // A literal catalog secret that is not in its declared encoding is found per request (500), and transforms
  // that fail on a secret context value: JSONata's messages quote the value they could not use.
  std::string literal_bad_encoding = add_account(
      "lit-base64", R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":")" +
                        std::string(kLiteralSecret) +
                        R"(!","secret_encoding":"base64","compare_with":"{{headers.x-sig}}"}}}})");
  std::string failing_transform =
      add_account("ctx-transform", R"j({"webhook":{"payload_transform":"$number(context.signing_secret)"}})j",
                  R"({"signing_secret":")" + std::string(kContextSecret) + R"("})");
  std::string failing_lookup = add_account(
      "ctx-verification",
      R"j({"webhook":{"handle_verification":"{'type': 'verify', 'verification_response': {'status_code': $number(context.webhook_secret)}}"}})j",
      R"({"webhook_secret":")" + std::string(kContextToken) + R"("})");

  // Endpoints whose deliveries fail: a 500, a timeout (the delivery timeout is 2 s), a redirect.
  TestHttpServer failing, hanging, redirecting;
  failing.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "upstream broke"); });
  hanging.set_handler([](const RecordedRequest&) { return Reply::of(Reply::Action::hang); });
  redirecting.set_handler([&](const RecordedRequest&) {
    Reply r = Reply::with_status(302, "");
    r.headers.emplace_back("Location", sink_.url("/elsewhere"));
    return r;
  });
  for (TestHttpServer* s : {&failing, &hanging, &redirecting}) {
    json::Value w = create_webhook(s->url("/hooks"));
    secret(std::string(w.get("secret").string_or("")));
  }
  auto rotated = call("POST", "/webhook/" + webhook_id_ + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  secret(std::string(rotated.json().get("secret").string_or("")));

  // ---- vendors: good and bad signatures on every account
  const std::string body = R"({"id":"evt_1","type":"order.created"})";
  auto signed_with = [&](const std::string& key) {
    return HeaderList{{"X-Ts", "1700000000"},
                      {"X-Sig", "v1=" + to_hex(hmac_sha256(key, "1700000000." + body))}};
  };
  for (const auto& [account, key] :
       std::vector<std::pair<std::string, std::string>>{{literal_account, kLiteralSecret},
                                                        {env_account, kEnvVarSecret},
                                                        {context_account, kContextSecret}}) {
    EXPECT_EQ(vendor("/integrated-account-webhook/" + account, body, signed_with(key)).status, 200);
    EXPECT_EQ(vendor("/integrated-account-webhook/" + account, body, signed_with("wrong")).status, 401);
    EXPECT_EQ(vendor("/integrated-account-webhook/" + account, body, {{"X-Ts", "1"}}).status, 401);
    EXPECT_EQ(vendor("/integrated-account-webhook/" + account, "{not json", signed_with(key)).status, 400);
  }
  EXPECT_EQ(vendor("/integrated-account-webhook/" + missing_account, body, signed_with("x")).status, 500);
  EXPECT_EQ(vendor("/integrated-account-webhook/" + bad_encoding_account, body, {{"X-Sig", "abc"}}).status,
            500);
  EXPECT_EQ(vendor("/integrated-account-webhook/" + literal_bad_encoding, body, {{"X-Sig", "abc"}}).status,
            500);
  EXPECT_GE(vendor("/integrated-account-webhook/" + failing_transform, body, {}).status, 400);
  EXPECT_GE(vendor("/integrated-account-webhook/" + failing_lookup, body, {}).status, 400);
  EXPECT_EQ(post_shopify(R"({"id":1})").status, 200);
  auto shopify_bad = post_shopify(R"({"id":2})", {}, to_base64(hmac_sha256("not-the-secret", "{}")));
  answers_.push_back({"shopify bad signature", shopify_bad});
  EXPECT_EQ(shopify_bad.status, 401);
  EXPECT_EQ(vendor("/integrated-account-webhook/no-such-account", body, {}).status, 404);

  // ---- bad tokens: wrong, revoked, an environment token on operator routes, none
  EXPECT_EQ(call("GET", "/webhook", "", token_ + "x").status, 401);
  EXPECT_EQ(call("GET", "/webhook", "", revoked).status, 401);
  EXPECT_EQ(call("GET", "/webhook", "", std::string(kOperatorToken) + "-not").status, 401);
  EXPECT_EQ(call("POST", "/environment", R"({"name":"x"})").status, 403);
  auto no_token = http_call(hookd_->port(), "GET", "/webhook");
  answers_.push_back({"GET /webhook without a token", no_token});
  EXPECT_EQ(no_token.status, 401);

  // ---- refused configs and inputs, some carrying the secrets themselves
  EXPECT_EQ(
      call("POST", "/integration",
           R"({"name":"bad-algo","config":{"webhook":{"signature_verification":{"format":"hmac","config":{
                     "secret":")" +
               std::string(kLiteralSecret) + R"(","algorithm":"sha3"}}}}})",
           kOperatorToken)
          .status,
      400);
  EXPECT_EQ(
      call("POST", "/integration",
           R"({"name":"bad-key","config":{"webhook":{"signature_verification":{"format":"ed25519","config":{
                     "public_key":")" +
               std::string(kLiteralSecret) + R"(","compare_with":"{{headers.x}}"}}}}})",
           kOperatorToken)
          .status,
      400);
  EXPECT_EQ(call("POST", "/integration",
                 R"({"name":"bad-transform","config":{"webhook":{"payload_transform":"'" +
                     std::string(kLiteralSecret) + R"(' & ("}}})",
                 kOperatorToken)
                .status,
            400);
  EXPECT_EQ(call("POST", "/integrated-account",
                 R"({"tenant_id":"t","environment_integration_id":"missing","context":{"webhook_secret":")" +
                     std::string(kContextToken) + R"("}})")
                .status,
            400);
  EXPECT_EQ(call("POST", "/integrated-account",
                 R"({"tenant_id":"t","environment_integration_id":")" + install_id_ + R"(","context":")" +
                     kContextToken + R"("})")
                .status,
            400);
  EXPECT_EQ(
      call("PATCH", "/integrated-account/" + context_account,
           R"({"context":{"signing_secret":)" + std::string("[\"") + kContextSecret + R"("]},"status":"x"})")
          .status,
      400);
  EXPECT_EQ(call("PATCH", "/environment/" + environment_id_,
                 R"({"variables":")" + std::string(kEnvVarSecret) + R"("})", kOperatorToken)
                .status,
            400);
  EXPECT_EQ(call("POST", "/webhook", R"({"target_url":"http://169.254.169.254/)" + webhook_secret_ + R"("})")
                .status,
            400);
  EXPECT_EQ(
      call("PATCH", "/webhook/" + webhook_id_, R"({"secret":")" + webhook_secret_ + R"(","is_active":3})")
          .status,
      400);
  EXPECT_EQ(call("GET", "/webhook/no-such-webhook").status, 404);
  EXPECT_EQ(call("POST", "/webhook/no-such-webhook/rotate-secret").status, 404);
  EXPECT_EQ(call("GET", "/delivery?status=nonsense").status, 400);

  // ---- deliveries: every event goes to the four endpoints; three fail until their attempts run out
  wait_until_dispatched({}, 60s);
  EXPECT_GE(failing.request_count(), 3u);
  EXPECT_GE(hanging.request_count(), 1u);
  EXPECT_GE(redirecting.request_count(), 1u);
  auto dead = call("GET", "/delivery?status=failed&limit=5");
  ASSERT_EQ(dead.status, 200) << dead.body;
  if (dead.json().get("result").size() > 0) {
    std::string id(dead.json().get("result").at(0).get("id").string_or(""));
    auto attempts = call("GET", "/delivery/" + id);
    EXPECT_EQ(attempts.status, 200) << attempts.body;
    for (const auto& s : secrets_)
      EXPECT_EQ(attempts.body.find(s), std::string::npos) << s;
  }

  expect_no_secret_anywhere();
}

}  // namespace
}  // namespace hookd::test
