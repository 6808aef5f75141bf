// The request side of the ingest chain against fakes: every method reaches the integration's expressions, a
// GET nothing answers is a 405, replies come from configuration, the `url` is signable, and a handshake's
// update_context cannot overwrite what is set (least of all the signing secret) without a valid signature.
#include "ingest/handshake.h"

#include <gtest/gtest.h>

#include "fake_ports.h"

#include <map>

#include "core/crypto.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

using test::FakePublisher;
using test::FakeResolver;

class PipelineRequests : public ::testing::Test {
 protected:
  PipelineRequests() : publisher_(std::make_shared<FakePublisher>()) {}

  void integration(std::string_view webhook_json, std::string_view context_json = "{}") {
    store::ResolvedAccount r;
    r.environment.id = "env1";
    r.integration.id = "int1";
    r.integration.name = "acme";
    r.integration.config = parse(std::string(R"({"webhook":)") + std::string(webhook_json) + "}");
    r.integration.version = ++version_;
    r.install.id = "inst1";
    r.install.environment_id = "env1";
    r.install.integration_id = "int1";
    r.account.id = "a1";
    r.account.environment_id = "env1";
    r.account.environment_integration_id = "inst1";
    r.account.integration_id = "int1";
    r.account.context = parse(context_json);
    resolver_.accounts.insert_or_assign("a1", std::move(r));
  }

  IngestOutcome call(http::Verb method, std::string target, std::string body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    Pipeline pipeline(resolver_, publisher_, options_);
    http::Request req{method, target, 11};
    for (auto& [k, v] : headers)
      req.set(k, v);
    if (!body.empty() && req[bhttp::field::content_type].empty())
      req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    std::string_view t = req.target();
    size_t q = t.find('?');
    http::RequestContext ctx{req, t.substr(0, q), {}, {}, "127.0.0.1", std::chrono::steady_clock::now()};
    if (q != std::string_view::npos) ctx.query = http::parse_query(t.substr(q + 1));
    return test::run_chain(pipeline, ctx, "a1");
  }

  static json::Value body_of(const http::Response& r) {
    json::Value v;
    EXPECT_TRUE(json::parse(r.body(), v)) << r.body();
    return v;
  }

  FakeResolver resolver_;
  std::shared_ptr<FakePublisher> publisher_;
  IngestOptions options_;
  int64_t version_ = 0;
};

constexpr const char* kChallengeEcho = R"({"handle_verification":
  "method = 'GET' and query.challenge ? {'type':'verify','verification_response':{'body':query.challenge,'headers':{'X-Content-Type-Options':'nosniff'}}} : method = 'HEAD' ? {'type':'verify'}"})";

TEST_F(PipelineRequests, GetAndHeadChallengesAreAnsweredByTheConfig) {
  integration(kChallengeEcho);
  IngestOutcome o = call(http::Verb::get, "/integrated-account-webhook/a1?challenge=abc%20d");
  ASSERT_EQ(o.response.result_int(), 200) << o.response.body();
  EXPECT_EQ(o.response.body(), "abc d");
  EXPECT_EQ(o.response[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(o.response["X-Content-Type-Options"], "nosniff");
  o = call(http::Verb::head, "/integrated-account-webhook/a1");
  EXPECT_EQ(o.response.result_int(), 200) << o.response.body();
  EXPECT_TRUE(publisher_->published.empty());
}

TEST_F(PipelineRequests, AGetNothingAnswersIs405WithAllow) {
  integration(kChallengeEcho);
  IngestOutcome o = call(http::Verb::get, "/integrated-account-webhook/a1");
  EXPECT_EQ(o.response.result_int(), 405) << o.response.body();
  EXPECT_EQ(body_of(o.response).get("error").string_or(""), "method_not_allowed");
  EXPECT_EQ(o.response[bhttp::field::allow], "GET, HEAD, POST, PUT, PATCH");
  o = call(http::Verb::put, "/integrated-account-webhook/a1");
  EXPECT_EQ(o.response.result_int(), 405);
  EXPECT_TRUE(publisher_->published.empty());
  o = call(http::Verb::put, "/integrated-account-webhook/a1", R"({"type":"contact.updated"})");
  EXPECT_EQ(o.response.result_int(), 200) << "a PUT with an event is published";
  EXPECT_EQ(publisher_->published.size(), 1u);
}

TEST_F(PipelineRequests, AGetToASignedIntegrationIs405NotASignatureFailure) {
  integration(R"({"signature_verification":{"format":"hmac","config":{"secret":"{{context.s}}",
    "compare_with":"{{headers.x-sig}}"}}})",
              R"({"s":"k"})");
  IngestOutcome o = call(http::Verb::get, "/integrated-account-webhook/a1");
  EXPECT_EQ(o.response.result_int(), 405) << o.response.body();
  o = call(http::Verb::patch, "/integrated-account-webhook/a1", R"({"type":"a"})");
  EXPECT_EQ(o.response.result_int(), 401)
      << "an event by PATCH is checked like a POST: " << o.response.body();
  EXPECT_TRUE(publisher_->published.empty());
}

TEST_F(PipelineRequests, AnInvalidVerificationStatusIs500NamingIt) {
  integration(R"({"handle_verification":"{'type':'verify','verification_response':{'status_code':700}}"})");
  IngestOutcome o = call(http::Verb::get, "/integrated-account-webhook/a1");
  EXPECT_EQ(o.response.result_int(), 500);
  EXPECT_EQ(body_of(o.response).get("error").string_or(""), "verification_failed");
  EXPECT_NE(o.response.body().find("status_code: must be 100-599"), std::string::npos) << o.response.body();
}

TEST_F(PipelineRequests, AcceptResponseIsTheAnswerToAnAcceptedEvent) {
  integration(R"({"accept_response":{"status_code":202,"headers":{"X-Acme":"ok"},"body":null}})");
  IngestOutcome o = call(http::Verb::post, "/integrated-account-webhook/a1", R"({"type":"a"})");
  EXPECT_EQ(o.response.result_int(), 202);
  EXPECT_EQ(o.response.body(), "");
  EXPECT_EQ(o.response["X-Acme"], "ok");
  EXPECT_EQ(o.events.size(), 1u);
  EXPECT_EQ(publisher_->published.size(), 1u);
}

// Trello: base64 HMAC-SHA1 of the body followed by the callback URL.
constexpr const char* kTrello = R"({"signature_verification":{"format":"hmac","config":{
  "secret":"{{context.webhook_secret}}","algorithm":"sha1","string_type":"base64",
  "compare_with":"{{headers.x-trello-webhook}}","parts":["raw_body","{{url}}"]}}})";

TEST_F(PipelineRequests, TheUrlIsSignable) {
  integration(kTrello, R"({"webhook_secret":"trello-secret"})");
  std::string body = R"({"action":{"type":"updateCard"}})";
  std::string target = "/integrated-account-webhook/a1?x=%2F";
  std::string signature = crypto::base64(
      crypto::hmac(crypto::Digest::sha1, "trello-secret", body + "https://hooks.example.com" + target));
  IngestOutcome o = call(http::Verb::post, target, body, {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(o.response.result_int(), 401) << "without a public URL there is no url to sign";
  options_.public_url = "https://hooks.example.com";
  o = call(http::Verb::post, target, body, {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(o.response.result_int(), 200) << o.response.body();
  o = call(http::Verb::post, "/integrated-account-webhook/a1?x=%2f", body, {{"X-Trello-Webhook", signature}});
  EXPECT_EQ(o.response.result_int(), 401) << "the query is signed as sent";
}

// Asana: the first handshake hands over the secret in X-Hook-Secret; later events are signed with it.
constexpr const char* kAsana = R"({
  "handle_verification":"headers.'x-hook-secret' ? {'type':'verify','verification_response':{'headers':{'X-Hook-Secret':headers.'x-hook-secret'}},'update_context':{'webhook_secret':headers.'x-hook-secret','hook_note':body.note}}",
  "handshake_context_fields":["hook_note","webhook_secret"],
  "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}",
    "string_type":"hex","compare_with":"{{headers.x-hook-signature}}"}}})";

TEST_F(PipelineRequests, AFirstHandshakeStoresTheSecret) {
  integration(kAsana, R"({"webhook_secret":""})");
  IngestOutcome o =
      call(http::Verb::post, "/integrated-account-webhook/a1", R"({"note":"n1"})", {{"X-Hook-Secret", "s1"}});
  ASSERT_EQ(o.response.result_int(), 200) << o.response.body();
  EXPECT_EQ(o.response["X-Hook-Secret"], "s1");
  EXPECT_EQ(resolver_.context("a1").get("webhook_secret").string_or(""), "s1");
}

TEST_F(PipelineRequests, AForgedHandshakeChangesNothing) {
  integration(kAsana, R"({"webhook_secret":"s1","hook_note":"n1"})");
  IngestOutcome o = call(http::Verb::post, "/integrated-account-webhook/a1", R"({"note":"n2"})",
                         {{"X-Hook-Secret", "forged"}});
  EXPECT_EQ(o.response.result_int(), 401);
  auto body = body_of(o.response);
  EXPECT_EQ(body.get("error").string_or(""), "context_update_refused");
  EXPECT_NE(body.get("message").string_or("").find("webhook_secret"), std::string_view::npos);
  EXPECT_EQ(o.response.body().find("forged"), std::string::npos) << "values are never named";
  EXPECT_EQ(o.response["X-Hook-Secret"], "") << "no handshake answer";
  EXPECT_EQ(resolver_.merges, 0) << "nothing at all is stored, not even the listed hook_note";
  EXPECT_EQ(resolver_.context("a1").get("webhook_secret").string_or(""), "s1");
}

TEST_F(PipelineRequests, ASignedHandshakeMayRotateTheSecret) {
  integration(kAsana, R"({"webhook_secret":"s1"})");
  std::string body = R"({"note":"n2"})";
  IngestOutcome o =
      call(http::Verb::post, "/integrated-account-webhook/a1", body,
           {{"X-Hook-Secret", "s2"},
            {"X-Hook-Signature", crypto::hex(crypto::hmac(crypto::Digest::sha256, "s1", body))}});
  ASSERT_EQ(o.response.result_int(), 200) << o.response.body();
  EXPECT_EQ(resolver_.context("a1").get("webhook_secret").string_or(""), "s2");
}

TEST_F(PipelineRequests, MetaAnswersFollowTheSameRule) {
  integration(
      R"({"handle_verification":"{'type':'meta','update_context':{'cursor':body.cursor,'token':body.token}}",
                  "handshake_context_fields":["cursor"]})",
      R"({"cursor":"c1","token":"t1"})");
  IngestOutcome o =
      call(http::Verb::post, "/integrated-account-webhook/a1", R"({"cursor":"c2","token":"t2"})");
  EXPECT_EQ(o.response.result_int(), 401);
  EXPECT_NE(o.response.body().find("token"), std::string::npos);
  EXPECT_EQ(o.response.body().find("cursor"), std::string::npos) << "only the refused field is named";
  EXPECT_EQ(resolver_.context("a1").get("cursor").string_or(""), "c1");
  o = call(http::Verb::post, "/integrated-account-webhook/a1", R"({"cursor":"c3"})");
  EXPECT_EQ(o.response.result_int(), 200) << "a listed field may be overwritten: " << o.response.body();
  EXPECT_EQ(resolver_.context("a1").get("cursor").string_or(""), "c3");
}

TEST(HandshakeRule, SecretsNeedASignatureWithTheSecretStillCurrent) {
  HandshakePolicy p;
  p.listed = {"webhook_secret", "note"};
  p.secret_fields = {"webhook_secret"};
  json::Value current = parse(R"({"webhook_secret":"s1","note":"x","other":"o","empty":"","nul":null})");
  json::Value patch = parse(R"({"webhook_secret":"s2","note":"y","other":"p","empty":"e","nul":1,"new":2})");
  EXPECT_EQ(refused_context_fields(patch, current, p), (std::vector<std::string>{"webhook_secret", "other"}));
  p.signed_request = true;
  p.verified_context = current;
  EXPECT_TRUE(refused_context_fields(patch, current, p).empty());
  json::Value rotated = parse(R"({"webhook_secret":"s9","note":"x","other":"o"})");
  EXPECT_EQ(refused_context_fields(patch, rotated, p), (std::vector<std::string>{"webhook_secret", "other"}))
      << "the secret changed after the check: the signature no longer counts";
}

}  // namespace
}  // namespace hookd::ingest
