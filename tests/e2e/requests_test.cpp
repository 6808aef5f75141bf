// The vendor-facing request side through the real binary: GET and HEAD challenges (Dropbox, Trello) answered
// from the config, a GET nothing answers is a 405, Trello's signature over the public callback URL, a
// configured accept answer, Asana's X-Hook-Secret handshake that a forged second handshake cannot overwrite,
// and a bad accept_response refused when stored.
#include <openssl/hmac.h>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

constexpr const char* kPublicUrl = "https://hooks.example.com/hookd";

std::string hmac_sha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

class Requests : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_PUBLIC_URL"] = std::string(kPublicUrl) + "/";  // the trailing slash is trimmed
    return env;
  }
  HttpResult call(std::string_view method, const std::string& account, const std::string& suffix = {},
                  const std::string& body = {},
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    return http_call(hookd_->port(), method, "/integrated-account-webhook/" + account + suffix, body,
                     std::move(headers));
  }
};

// Dropbox answers a GET ?challenge= with the challenge as text; Trello checks the callback URL with a HEAD.
constexpr const char* kChallenges = R"j({"webhook":{"handle_verification":
  "method = 'GET' and query.challenge ? {'type':'verify','verification_response':{'status_code':200,'headers':{'Content-Type':'text/plain','X-Content-Type-Options':'nosniff'},'body':query.challenge}} : method = 'HEAD' ? {'type':'verify','verification_response':{'body':'ignored on HEAD'}}"}})j";

TEST_F(Requests, DropboxStyleGetChallengeIsEchoed) {
  std::string account = add_account("dropbox", kChallenges);
  auto r = call("GET", account, "?challenge=abc");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "abc");
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
}

TEST_F(Requests, TrelloStyleHeadIsAnsweredWithoutABody) {
  std::string account = add_account("trello-head", kChallenges);
  auto r = call("HEAD", account);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "15") << "the headers a GET would get";
  auto again = call("GET", account, "?challenge=keep-alive-still-works");
  EXPECT_EQ(again.body, "keep-alive-still-works");
}

TEST_F(Requests, AGetNothingAnswersIs405) {
  std::string account = add_account("dropbox-405", kChallenges);
  auto r = call("GET", account);
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.json().get("error").string_or(""), "method_not_allowed");
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, POST, PUT, PATCH");
  auto del = call("DELETE", account);
  EXPECT_EQ(del.status, 405) << "the router's own 405 for methods no vendor uses";
  EXPECT_EQ(del.header("Allow"), "GET, HEAD, POST, PUT, PATCH");
}

// Trello signs base64 HMAC-SHA1 of the body followed by the callback URL it was given.
constexpr const char* kTrello = R"j({"webhook":{"signature_verification":{"format":"hmac","config":{
  "secret":"{{context.webhook_secret}}","algorithm":"sha1","string_type":"base64",
  "compare_with":"{{headers.x-trello-webhook}}","parts":["raw_body","{{url}}"]}}}})j";

TEST_F(Requests, TrelloSignsTheCallbackUrl) {
  std::string account = add_account("trello", kTrello, R"({"webhook_secret":"trello-secret"})");
  std::string body = R"({"action":{"id":"act1","type":"updateCard"}})";
  std::string suffix = "?src=a%2Fb";
  std::string url = std::string(kPublicUrl) + "/integrated-account-webhook/" + account + suffix;
  std::string signature = to_base64(hmac_sha1("trello-secret", body + url));
  auto ok = call("POST", account, suffix, body, {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto tampered_query = call("POST", account, "?src=a/b", body, {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(tampered_query.status, 401) << tampered_query.body;
  auto tampered_body = call("POST", account, suffix, body + " ", {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(tampered_body.status, 401) << tampered_body.body;
  auto forwarded =
      call("POST", account, suffix, body,
           {{"X-Trello-Webhook", to_base64(hmac_sha1("trello-secret", body +
                                                                          "https://evil.example/integrated-"
                                                                          "account-webhook/" +
                                                                          account + suffix))},
            {"X-Forwarded-Host", "evil.example"},
            {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(forwarded.status, 401) << "an untrusted peer's X-Forwarded-Host is not the URL";
}

TEST_F(Requests, AcceptResponseShapesTheAnswer) {
  std::string account = add_account(
      "quiet",
      R"({"webhook":{"accept_response":{"status_code":202,"headers":{"X-Received":"yes"},"body":""}}})");
  auto r = call("POST", account, "", R"({"type":"contact.created","id":"c1"})");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("X-Received"), "yes");
  EXPECT_EQ(r.header("Content-Length"), "0");
}

// Asana: the first request hands over the secret in X-Hook-Secret, to be echoed; events are then signed with it.
constexpr const char* kAsana = R"j({"webhook":{
  "handle_verification":"headers.'x-hook-secret' ? {'type':'verify','verification_response':{'headers':{'X-Hook-Secret':headers.'x-hook-secret'}},'update_context':{'webhook_secret':headers.'x-hook-secret'}}",
  "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}",
    "string_type":"hex","compare_with":"{{headers.x-hook-signature}}"}}}})j";

TEST_F(Requests, AForgedSecondHandshakeCannotReplaceTheSecret) {
  std::string account = add_account("asana", kAsana);
  auto first = call("POST", account, "", "", {{"X-Hook-Secret", "real-secret"}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("X-Hook-Secret"), "real-secret");

  auto forged = call("POST", account, "", "", {{"X-Hook-Secret", "attacker-secret"}});
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(forged.json().get("error").string_or(""), "context_update_refused");
  EXPECT_NE(forged.body.find("webhook_secret"), std::string::npos) << forged.body;
  EXPECT_EQ(forged.body.find("attacker-secret"), std::string::npos) << "values are never echoed";

  auto stored = admin("GET", "/integrated-account/" + account);
  EXPECT_EQ(stored.json().get("context").get("webhook_secret").string_or(""), "real-secret") << stored.body;
  std::string body = R"({"events":[{"action":"changed","resource":{"gid":"1"}}]})";
  auto with_real =
      call("POST", account, "", body, {{"X-Hook-Signature", to_hex(hmac_sha256("real-secret", body))}});
  EXPECT_EQ(with_real.status, 200) << with_real.body;
  auto with_forged =
      call("POST", account, "", body, {{"X-Hook-Signature", to_hex(hmac_sha256("attacker-secret", body))}});
  EXPECT_EQ(with_forged.status, 401) << with_forged.body;
}

TEST_F(Requests, ABadAcceptResponseIsRefusedWhenStored) {
  auto r =
      operator_call("POST", "/integration",
                    R"({"name":"bad-accept","config":{"webhook":{"accept_response":{"status_code":302}}}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("webhook.accept_response.status_code: must be 200-299"), std::string::npos) << r.body;
  auto unknown =
      operator_call("POST", "/integration",
                    R"({"name":"bad-accept2","config":{"webhook":{"accept_response":{"code":202}}}})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("webhook.accept_response.code"), std::string::npos) << unknown.body;
}

}  // namespace
}  // namespace hookd::test
