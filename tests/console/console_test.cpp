// The operator console, end to end: hookd (all roles, real Redis and Kafka) serves /console, and Debian's headless
// Chromium, driven by console.mjs through playwright-core, signs in with environment A's token and works through
// it as an operator would (see console.mjs for the scenario). This file sets the world up (two environments, a
// customer sink whose failures the script switches), runs the script and checks what it cannot see from the
// browser: what hookd sent, and what environment B's records are.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

class ConsoleTest : public E2eTest {};

// A console answer carries the security headers whatever it is.
void expect_console_headers(const HttpResult& r) {
  EXPECT_EQ(r.header("Content-Security-Policy").rfind("default-src 'self'", 0), 0u)
      << r.header("Content-Security-Policy");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
}

TEST_F(ConsoleTest, ServesOnlyItsEmbeddedFilesWithoutAToken) {
  auto index = http_call(hookd_->port(), "GET", "/console");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("Cache-Control"), "no-cache");
  EXPECT_NE(index.body.find("<script type=\"module\" src=\"/console/app.js\"></script>"), std::string::npos);
  expect_console_headers(index);
  EXPECT_EQ(http_call(hookd_->port(), "GET", "/console/").body, index.body);

  auto js = http_call(hookd_->port(), "GET", "/console/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  expect_console_headers(js);
  EXPECT_EQ(http_call(hookd_->port(), "GET", "/console/console.css").header("Content-Type"),
            "text/css; charset=utf-8");

  // HEAD: the GET's headers, no body. A known ETag: 304, no body.
  auto head = http_call(hookd_->port(), "HEAD", "/console/app.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), std::to_string(js.body.size()));
  EXPECT_TRUE(head.body.empty());
  ASSERT_FALSE(js.header("ETag").empty());
  auto cached =
      http_call(hookd_->port(), "GET", "/console/app.js", {}, {{"If-None-Match", js.header("ETag")}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());

  // Only names of the table: no file system behind it, whatever the spelling.
  for (const char* target :
       {"/console/..%2F..%2FCMakeLists.txt", "/console/%2e%2e", "/console/../src/admin/admin.cpp",
        "/console/console.cpp", "/console/index.html%00.js", "/console/APP.JS"}) {
    SCOPED_TRACE(target);
    auto r = http_call(hookd_->port(), "GET", target);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body.find("import "), std::string::npos);
  }
  // Read-only.
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    auto r = http_call(hookd_->port(), method, "/console/app.js", "x");
    EXPECT_EQ(r.status, 405) << method;
  }
}

// popen with stderr folded in; returns (exit status, output).
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST_F(ConsoleTest, AnOperatorFollowsFailsAndReplaysDeliveriesInChromium) {
  // The tools the scenario needs: missing ones fail here, by name, rather than skip.
  auto node = run("command -v node");
  ASSERT_EQ(node.first, 0) << "node is not installed (tools/setup installs it)";
  ASSERT_EQ(access("/usr/bin/chromium", X_OK), 0) << "/usr/bin/chromium is missing: run tools/setup";
  const std::string dir = HOOKD_CONSOLE_TEST_DIR;
  if (!std::filesystem::exists(dir + "/node_modules/playwright-core/package.json")) {
    auto ci = run("cd " + shell_quote(dir) + " && npm ci --no-audit --no-fund");
    ASSERT_EQ(ci.first, 0) << "npm ci failed:\n" << ci.second;
  }

  // The customer sink fails (500) while the script says so: it switches with POST /control/fail and /control/ok.
  std::atomic<bool> failing{false};
  sink_.set_handler([&failing](const RecordedRequest& r) {
    if (r.target == "/control/fail" || r.target == "/control/ok") {
      failing = r.target == "/control/fail";
      return Reply::with_status(200, "ok");
    }
    return failing ? Reply::with_status(500, "sink is down (test)") : Reply::with_status(200, "thanks");
  });

  // Environment B, with an endpoint and a delivery of its own: none of it may show in A's console.
  auto env_b = operator_call("POST", "/environment", R"({"name":"beta"})");
  ASSERT_EQ(env_b.status, 201) << env_b.body;
  std::string env_b_id(env_b.json().get("id").as_string());
  auto token_b_res = operator_call("POST", "/environment/" + env_b_id + "/api-token", R"({"name":"beta"})");
  ASSERT_EQ(token_b_res.status, 201) << token_b_res.body;
  std::string token_b(token_b_res.json().get("token").as_string());
  const std::string target_b = sink_.url("/hooks/beta-secret-endpoint");
  auto webhook_b = admin("POST", "/webhook", R"({"target_url":")" + target_b + R"("})", token_b);
  ASSERT_EQ(webhook_b.status, 201) << webhook_b.body;
  std::string webhook_b_id(webhook_b.json().get("id").as_string());
  auto test_b = admin("POST", "/webhook/test", R"({"id":")" + webhook_b_id + R"("})", token_b);
  ASSERT_EQ(test_b.status, 202) << test_b.body;
  wait_until_dispatched({token_b});
  auto deliveries_b = admin("GET", "/delivery", {}, token_b);
  ASSERT_EQ(deliveries_b.status, 200);
  ASSERT_EQ(deliveries_b.json().get("result").size(), 1u) << deliveries_b.body;
  std::string delivery_b_id(deliveries_b.json().get("result").at(0).get("id").as_string());
  std::string event_b_id(test_b.json().get("id").as_string());

  // Fresh: a picture left by an earlier run must not stand in for one this run failed to take.
  std::filesystem::remove_all(HOOKD_CONSOLE_ARTIFACTS_DIR);
  std::filesystem::create_directories(HOOKD_CONSOLE_ARTIFACTS_DIR);
  std::string env =
      "HOOKD_CONSOLE_URL=" + shell_quote(hookd_->url("/console")) + " HOOKD_TOKEN_A=" + shell_quote(token_) +
      " HOOKD_OPERATOR_TOKEN=" + shell_quote(kOperatorToken) +
      " HOOKD_A_TARGET_URL=" + shell_quote(sink_.url("/hooks/acme")) +
      " HOOKD_SINK_CONTROL=" + shell_quote(sink_.url("/control")) + " HOOKD_B_IDS=" +
      shell_quote(env_b_id + "," + webhook_b_id + "," + delivery_b_id + "," + event_b_id + "," + target_b +
                  ",beta-secret-endpoint") +
      " HOOKD_ARTIFACTS_DIR=" + shell_quote(HOOKD_CONSOLE_ARTIFACTS_DIR) +
      " HOOKD_ACCOUNT_A=" + shell_quote(account_id_) + " HOOKD_VENDOR_SECRET=" + shell_quote(kShopifySecret);
  auto [status, output] = run(env + " node " + shell_quote(dir + "/console.mjs"));
  std::printf("%s", output.c_str());
  ASSERT_EQ(status, 0) << output;
  EXPECT_NE(output.find("console: scenario passed"), std::string::npos);

  // The screenshots the script reported are there.
  for (const char* name : {"sign-in.png", "deliveries.png", "delivery-detail.png", "replay-confirm.png",
                           "replayed.png", "endpoints.png", "deliveries-history.png", "secret-rotated.png",
                           "environments.png", "delivery-body.png", "replay-progress.png", "replay-done.png",
                           "endpoint-health.png", "charts.png", "inbound.png"}) {
    std::string path = std::string(HOOKD_CONSOLE_ARTIFACTS_DIR) + "/" + name;
    EXPECT_NE(output.find(path), std::string::npos) << name << " not reported";
    struct stat st {};
    EXPECT_TRUE(stat(path.c_str(), &st) == 0 && st.st_size > 1000) << path;
  }

  // What hookd did, seen from the sink and the API rather than the page: A's failed delivery went out again as a
  // replay and was accepted; B's endpoint got its one test event and nothing the console did.
  wait_until_dispatched();
  bool replay_accepted = false;
  size_t to_b = 0;
  for (const auto& r : sink_.requests()) {
    if (r.target == "/hooks/beta-secret-endpoint") ++to_b;
    if (r.target == "/hooks/acme" && r.header("X-Hookd-Replay") == "true") replay_accepted = true;
  }
  EXPECT_TRUE(replay_accepted) << "no replay reached A's endpoint";
  EXPECT_EQ(to_b, 1u);
  auto replayed = admin("GET", "/delivery?status=succeeded");
  ASSERT_EQ(replayed.status, 200);
  size_t with_replay = 0;
  for (size_t i = 0; i < replayed.json().get("result").size(); ++i)
    if (replayed.json().get("result").at(i).get("replays").as_number() >= 1) ++with_replay;
  EXPECT_GE(with_replay, 1u) << replayed.body;
}

}  // namespace
}  // namespace hookd::test
