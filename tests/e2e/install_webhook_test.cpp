// POST /environment-integration-webhook/{id}: one URL per installed app (a Slack app's Events API URL), the
// accounts found by the context lookup field. Handshakes are answered at the install, events reach exactly
// the accounts whose context holds the payload's value, and the lookup follows context changes and deletions.
#include <set>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

using InstallWebhook = E2eTest;

// A Slack app: one signing secret for the app (an environment variable), the workspace in `team_id`.
constexpr const char* kSlackAppConfig = R"j({"webhook":{
  "handle_verification":"body.type = 'url_verification' ? {'type':'verify','verification_response':{'status_code':200,'body':{'challenge':body.challenge}}} : {'type':'payload'}",
  "payload_transform":"$merge([$, {'event_type':'created', 'resource':'chat/messages', 'id': body.event_id, 'record': body.event}])",
  "context_lookup_field_name":"slack.team_id",
  "context_lookup_field_value":"body.team_id",
  "signature_verification":{"format":"hmac","config":{"secret":"{{environment_variables.SLACK_SIGNING_SECRET}}",
    "string_type":"hex","compare_with":"{{headers.x-slack-signature}}","prefix":"v0=",
    "parts":["v0:","$header.x-slack-request-timestamp",":","$body"]}}}})j";
constexpr const char* kSigningSecret = "slack-app-signing-secret";

class SlackApp {
 public:
  SlackApp(uint16_t port, std::string install) : port_(port), install_(std::move(install)) {}
  HttpResult post(const std::string& body, const std::string& secret = kSigningSecret,
                  const std::string& install = {}) const {
    std::string ts = "1700000000";
    std::string sig = "v0=" + to_hex(hmac_sha256(secret, "v0:" + ts + ":" + body));
    return http_call(port_, "POST",
                     "/environment-integration-webhook/" + (install.empty() ? install_ : install), body,
                     {{"Content-Type", "application/json"},
                      {"X-Slack-Request-Timestamp", ts},
                      {"X-Slack-Signature", sig}});
  }
  static std::string message(const std::string& team, const std::string& event_id) {
    return R"({"type":"event_callback","team_id":")" + team + R"(","event_id":")" + event_id +
           R"(","event":{"type":"message","text":"hi from )" + team + R"("}})";
  }

 private:
  uint16_t port_;
  std::string install_;
};

// The integrated_account_id of each event the sink received, by the vendor's event id.
std::map<std::string, std::multiset<std::string>> accounts_by_event(const TestHttpServer& sink) {
  std::map<std::string, std::multiset<std::string>> out;
  for (const auto& r : sink.requests()) {
    json::Value e;
    if (!json::parse(r.body, e)) continue;
    out[std::string(e.get("payload").get("vendor_event_id").string_or(""))].insert(
        std::string(e.get("payload").get("integrated_account_id").string_or("")));
  }
  return out;
}

TEST_F(InstallWebhook, EventsReachExactlyTheAccountsTheirLookupValueNames) {
  ASSERT_EQ(
      operator_call("PATCH", "/environment/" + environment_id_,
                    R"({"variables":{"SLACK_SIGNING_SECRET":")" + std::string(kSigningSecret) + R"("}})")
          .status,
      200);
  std::string first = add_account("slack", kSlackAppConfig, R"({"slack":{"team_id":"T1"}})");
  std::string install(
      admin("GET", "/integrated-account/" + first).json().get("environment_integration_id").string_or(""));
  ASSERT_FALSE(install.empty());
  auto import = [&](const std::string& context) {
    auto r = admin("POST", "/integrated-account",
                   R"({"tenant_id":"globex","environment_integration_id":")" + install +
                       R"(","authentication_method":"oauth2","context":)" + context + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().get("id").string_or(""));
  };
  std::string second = import(R"({"slack":{"team_id":"T2"}})");
  TestHttpServer chat;
  create_webhook(chat.url("/chat"), R"(["record:*"])");
  SlackApp slack(hookd_->port(), install);

  // The handshake names no workspace: the install answers it.
  auto handshake = slack.post(R"({"type":"url_verification","challenge":"c-123"})");
  EXPECT_EQ(handshake.status, 200) << handshake.body;
  EXPECT_EQ(handshake.body, R"({"challenge":"c-123"})");

  // T2's message reaches T2's account only, signed with the app's secret.
  auto res = slack.post(SlackApp::message("T2", "Ev2"));
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_EQ(res.json().get("events").size(), 1u);
  EXPECT_EQ(slack.post(SlackApp::message("T2", "Ev2-forged"), "wrong-secret").status, 401);

  // No account holds T9; an unknown install; an install whose integration has no lookup field.
  auto unknown = slack.post(SlackApp::message("T9", "Ev9"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().get("error").string_or(""), "no_matching_account");
  EXPECT_NE(unknown.json().get("message").string_or("").find("context.slack.team_id = \"T9\""),
            std::string::npos)
      << unknown.body;
  EXPECT_EQ(slack.post(SlackApp::message("T2", "Ev-x"), kSigningSecret, "no-such-install").status, 404);
  auto shopify = slack.post(SlackApp::message("T2", "Ev-y"), kSigningSecret, install_id_);
  EXPECT_EQ(shopify.status, 404);
  EXPECT_NE(shopify.json().get("message").string_or("").find("context_lookup_field_name"), std::string::npos);

  // The same workspace connected twice: both accounts get the event, in one answer.
  std::string third = import(R"({"slack":{"team_id":"T1"}})");
  auto both = slack.post(SlackApp::message("T1", "Ev1"));
  ASSERT_EQ(both.status, 200) << both.body;
  EXPECT_EQ(both.json().get("events").size(), 2u) << both.body;
  EXPECT_EQ(both.json().get("integrated_account_ids").size(), 2u);

  // The lookup follows context changes (PATCH) and deletions.
  ASSERT_EQ(
      admin("PATCH", "/integrated-account/" + second, R"({"context":{"slack":{"team_id":"T3"}}})").status,
      200);
  EXPECT_EQ(slack.post(SlackApp::message("T2", "Ev2-after-move")).status, 404);
  EXPECT_EQ(slack.post(SlackApp::message("T3", "Ev3")).status, 200);
  ASSERT_EQ(admin("DELETE", "/integrated-account/" + third).status, 200);
  EXPECT_EQ(slack.post(SlackApp::message("T1", "Ev1-after-delete")).status, 200);

  ASSERT_TRUE(chat.wait_for_requests(5, 30s));
  wait_until_dispatched();
  auto got = accounts_by_event(chat);
  EXPECT_EQ(
      got,
      (std::map<std::string, std::multiset<std::string>>{
          {"Ev2", {second}}, {"Ev1", {first, third}}, {"Ev3", {second}}, {"Ev1-after-delete", {first}}}));
}

}  // namespace
}  // namespace hookd::test
