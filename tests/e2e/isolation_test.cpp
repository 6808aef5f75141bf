// Environments are hard boundaries. A token of environment A tries every environment route against
// environment B's ids: each answers 404 (as if B's things did not exist), lists show none of B's things, body
// references to B's things are refused, replays and test sends cannot reach B's endpoints, and B's events
// never reach A's endpoints.
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

// Routes documented for environment tokens (tag `environment`) in schemas/openapi.yaml.
std::set<std::string> environment_routes() {
  std::ifstream in(HOOKD_SOURCE_DIR "/schemas/openapi.yaml");
  std::set<std::string> out;
  std::string line, path, method;
  bool in_paths = false;
  std::regex path_line(R"(^  (/[^:]*):\s*$)"), method_line(R"(^    (get|post|put|patch|delete):)"),
      tags_line(R"(^      tags: \[(.*)\])");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:")
      in_paths = true;
    else if (!in_paths)
      continue;
    else if (!line.empty() && line[0] != ' ')
      break;
    else if (std::regex_search(line, m, path_line))
      path = m[1];
    else if (std::regex_search(line, m, method_line))
      method = m[1];
    else if (std::regex_search(line, m, tags_line) &&
             std::string(m[1]).find("environment") != std::string::npos) {
      for (char& c : method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(method + " " + path);
    }
  }
  return out;
}

class Isolation : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_MAX_ATTEMPTS"] = "1";  // B's failing delivery is dead-lettered at once
    return env;
  }
};

TEST_F(Isolation, AForeignTokenCannotReadChangeReplayOrReceiveAnotherEnvironmentsThings) {
  // Environment B (the fixture's): an install, an account, an endpoint, and a dead-lettered delivery.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "down"); });
  auto posted = post_shopify(R"({"id":1})");
  ASSERT_EQ(posted.status, 200);
  std::string b_event(posted.json().get("events").at(0).get("id").as_string());
  std::string b_delivery;
  for (int i = 0; i < 200 && b_delivery.empty(); ++i) {
    json::Value list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries?status=failed").json();
    if (list.get("result").size() == 1)
      b_delivery = std::string(list.get("result").at(0).get("id").as_string());
    else
      std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(b_delivery.empty());

  // A replay job of B's (it selects nothing: no succeeded delivery, so B's sink gets nothing from it).
  auto b_job_res =
      admin("POST", "/replay",
            R"({"scope":"webhook","webhook_id":")" + webhook_id_ + R"(","filters":{"status":"succeeded"}})");
  ASSERT_EQ(b_job_res.status, 202) << b_job_res.body;
  std::string b_job(b_job_res.json().get("id").as_string());

  // Environment A, with its own endpoint for every event type.
  auto env_a = operator_call("POST", "/environment", R"({"name":"attacker"})");
  std::string a_env(env_a.json().get("id").as_string());
  std::string a_token(
      operator_call("POST", "/environment/" + a_env + "/api-token", "{}").json().get("token").as_string());
  TestHttpServer a_sink;
  auto a_hook =
      admin("POST", "/webhook", R"({"target_url":")" + a_sink.url("/a") + R"(","event_types":[]})", a_token);
  ASSERT_EQ(a_hook.status, 201);

  std::map<std::string, std::string> foreign_id = {{"/environment-integration/{id}", install_id_},
                                                   {"/integrated-account/{id}", account_id_},
                                                   {"/webhook/{id}", webhook_id_},
                                                   {"/delivery/{id}", b_delivery},
                                                   {"/replay/{id}", b_job},
                                                   {"/event/{id}", b_event}};
  struct Probe {
    std::string method, path, body;
    int status;
  };
  std::vector<Probe> probes;
  std::set<std::string> covered;
  for (const std::string& route : environment_routes()) {
    std::string method = route.substr(0, route.find(' ')), tmpl = route.substr(route.find(' ') + 1);
    std::string path = tmpl;
    for (const auto& [prefix, id] : foreign_id) {
      if (tmpl.rfind(prefix, 0) == 0)
        path = prefix.substr(0, prefix.size() - 4) + id + tmpl.substr(prefix.size());
    }
    std::string body = method == "GET" || method == "DELETE" ? "" : "{}";
    int want = 404;
    if (path == tmpl) {  // no id in the path: the body or the listing carries the foreign reference
      if (tmpl == "/integrated-account" && method == "POST") {
        body = R"({"tenant_id":"x","environment_integration_id":")" + install_id_ +
               R"(","authentication_method":"api_key"})";
        want = 400;
      } else if (tmpl == "/event") {
        body = R"({"event":"sync_job_run:completed","integrated_account_id":")" + account_id_ + R"("})";
        want = 400;
      } else if (tmpl == "/webhook/test") {
        body = R"({"id":")" + webhook_id_ + R"("})";
      } else if (tmpl == "/environment-integration" && method == "POST") {
        body = R"({"integration_id":"shopify"})";  // the catalog is shared: A may install it for itself
        want = 201;
      } else if (tmpl == "/webhook" && method == "POST") {
        body = R"({"target_url":")" + a_sink.url("/a2") + R"("})";
        want = 201;
      } else if (tmpl == "/integration/{id}") {
        path = "/integration/shopify";  // the catalog is shared and readable by every token
        want = 200;
      } else if (tmpl == "/replay" && method == "POST") {
        body = R"({"scope":"webhook","webhook_id":")" + webhook_id_ + R"("})";  // B's endpoint: not A's
      } else if (tmpl == "/delivery/replay") {
        want = 202;  // replays A's (none), never B's: checked below
      } else if (tmpl == "/delivery" && method == "GET") {
        path = "/delivery?event_id=" + b_event;
        want = 200;  // and empty: checked below
      } else if (tmpl == "/lineage") {
        path = "/lineage?event_id=" + b_event;  // B's event: A finds no inbound request for it
      } else if (tmpl == "/inbound") {
        path = "/inbound?integrated_account_id=" + account_id_;
        want = 200;  // and empty: checked below
      } else {
        want = 200;  // lists: checked below
      }
    }
    probes.push_back({method, path, body, want});
    covered.insert(route);
  }
  ASSERT_GE(covered.size(), 20u) << "the route table was not read";

  for (const auto& p : probes) {
    SCOPED_TRACE(p.method + " " + p.path);
    auto r = admin(p.method, p.path, p.body, a_token);
    EXPECT_EQ(r.status, p.status) << r.body;
    if (r.status == 404) {
      EXPECT_EQ(r.json().get("error").string_or(""), "not_found");
    }
    // Nothing of B's appears in anything A can read (an error may echo the id A itself sent).
    for (const std::string& b :
         {install_id_, account_id_, webhook_id_, b_delivery, b_event, environment_id_, b_job}) {
      bool echoed = p.path.find(b) != std::string::npos || p.body.find(b) != std::string::npos;
      if (!echoed) {
        EXPECT_EQ(r.body.find(b), std::string::npos) << "leaks " << b << ": " << r.body;
      }
    }
  }

  // B's things are unchanged, and its dead letter was not replayed by A.
  json::Value b_hook = admin("GET", "/webhook/" + webhook_id_).json();
  EXPECT_TRUE(b_hook.get("is_active").as_bool());
  EXPECT_EQ(admin("GET", "/integrated-account/" + account_id_).status, 200);
  EXPECT_EQ(admin("GET", "/delivery/" + b_delivery).json().get("status").string_or(""), "failed");
  std::string received;
  for (const auto& q : sink_.requests())
    received += "\n  +" +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   q.received_at - sink_.requests()[0].received_at)
                                   .count()) +
                " ms " + q.target + " attempt " + q.header("X-Hookd-Attempt").value_or("?") + " replay " +
                q.header("X-Hookd-Replay").value_or("no") + ": " + q.body.substr(0, 200);
  EXPECT_EQ(sink_.request_count(), 1u)
      << "no replay and no test event reached B's endpoint; it got:" << received;

  // B's events never reach A's endpoints, though A's endpoint takes every type.
  size_t before = a_sink.request_count();
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  ASSERT_EQ(post_shopify(R"({"id":2})").status, 200);
  ASSERT_TRUE(sink_.wait_for_requests(2, 30s));
  wait_until_dispatched({token_, a_token});
  for (const auto& r : a_sink.requests())
    EXPECT_EQ(r.body.find(environment_id_), std::string::npos) << "A received B's event: " << r.body;
  EXPECT_EQ(a_sink.request_count(), before);
}

TEST_F(Isolation, TokensOnlyOpenTheirOwnKindOfRoute) {
  EXPECT_EQ(admin("GET", "/webhook", "", kOperatorToken).status, 403)
      << "the operator token is not an environment";
  EXPECT_EQ(admin("GET", "/environment").status, 403) << "an environment token cannot manage environments";
  EXPECT_EQ(admin("POST", "/integration", R"({"name":"x"})").status, 403);
  EXPECT_EQ(admin("GET", "/webhook", "", "hkd_not_a_real_token").status, 401);
  auto none = http_call(hookd_->port(), "GET", "/webhook");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");

  // A revoked token stops working at once.
  auto minted =
      operator_call("POST", "/environment/" + environment_id_ + "/api-token", R"({"name":"short-lived"})");
  std::string token(minted.json().get("token").as_string()), id(minted.json().get("id").as_string());
  EXPECT_EQ(admin("GET", "/webhook", "", token).status, 200);
  auto listed = operator_call("GET", "/environment/" + environment_id_ + "/api-token");
  EXPECT_EQ(listed.body.find(token), std::string::npos) << "listing shows prefixes, never tokens";
  EXPECT_NE(listed.body.find(token.substr(0, 12)), std::string::npos);
  EXPECT_EQ(operator_call("DELETE", "/environment/" + environment_id_ + "/api-token/" + id).status, 204);
  EXPECT_EQ(admin("GET", "/webhook", "", token).status, 401);
}

}  // namespace
}  // namespace hookd::test
