#include "e2e_fixture.h"

#include <sys/wait.h>

#include <thread>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <hiredis/hiredis.h>

#include "core/ids.h"
#include "services.h"

namespace hookd::test {

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::pair<int, std::string> hookctl(const HookdProcess& h, const std::string& token,
                                    const std::string& args) {
  std::string cmd =
      "HOOKD_URL=" + h.url("") + " HOOKD_TOKEN=" + token + " " + HOOKCTL_BINARY_PATH + " " + args;
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

std::string to_hex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s.push_back(d[c >> 4]);
    s.push_back(d[c & 15]);
  }
  return s;
}

std::string to_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string from_base64(std::string_view text) {
  std::string out(3 * text.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::map<std::string, std::string> E2eTest::hookd_env() {
  return {
      {"HOOKD_REDIS_URL", redis_url(kRedisDb)},
      {"HOOKD_KAFKA_BROKERS", kafka_brokers()},
      {"HOOKD_KAFKA_TOPIC", topic_},
      {"HOOKD_KAFKA_GROUP", "hookd-e2e-" + topic_},
      {"HOOKD_OPERATOR_TOKEN", kOperatorToken},
      {"HOOKD_ALLOW_TARGETS", "127.0.0.1"},
      {"HOOKD_THREADS", "2"},
      {"HOOKD_BODY_LIMIT", "65536"},
      {"HOOKD_RETRY_SCHEDULE", "300ms"},
      {"HOOKD_RETRY_JITTER", "0"},
      {"HOOKD_MAX_ATTEMPTS", "3"},
      {"HOOKD_DISPATCH_POLL", "50ms"},
      {"HOOKD_DELIVERY_TIMEOUT", "2s"},
      {"HOOKD_CONNECT_TIMEOUT", "1s"},
      {"HOOKD_LEASE", "10s"},
      // Flow control (breaker, retry budget) is tested on its own (flow_control_test.cpp); elsewhere a sink
      // that fails on purpose must see its retries when the 300 ms schedule says, not when a budget cut by
      // those failures allows.
      {"HOOKD_BREAKER_FAILURES", "100000"},
      {"HOOKD_RETRY_BUDGET_INITIAL", "1000"},
      {"HOOKD_RETRY_BUDGET_MIN", "1000"},
      // The default 100 ms is for production; a busy test machine (ASan, two cores) can pause an evaluation
      // that long. Tests of the limit itself still hit it, only later.
      {"HOOKD_JSONATA_TIMEOUT", "2s"},
  };
}

void E2eTest::SetUp() {
  redis_flush(kRedisDb);
  topic_ = "hookd.e2e." + ids::uuid_v4().substr(0, 8);
  kafka_create_topic(topic_, 3);
  hookd_ = std::make_unique<HookdProcess>(hookd_binary(), hookd_env());

  auto env = operator_call("POST", "/environment", R"({"name":"e2e"})");
  ASSERT_EQ(env.status, 201) << env.body;
  environment_id_ = std::string(env.json().get("id").as_string());
  auto token = operator_call("POST", "/environment/" + environment_id_ + "/api-token", R"({"name":"e2e"})");
  ASSERT_EQ(token.status, 201) << token.body;
  token_ = std::string(token.json().get("token").as_string());

  auto integration =
      operator_call("POST", "/integration", R"({"name":"shopify","category":"ecommerce","config":{
      "webhook":{"signature_verification":{"format":"hmac","config":{
        "secret":"{{context.webhook_secret}}","algorithm":"sha256","string_type":"base64",
        "compare_with":"{{headers.x-shopify-hmac-sha256}}","parts":["raw_body"]}}}}})");
  ASSERT_EQ(integration.status, 201) << integration.body;
  integration_id_ = std::string(integration.json().get("id").as_string());
  auto install = admin("POST", "/environment-integration", R"({"integration_id":"shopify"})");
  ASSERT_EQ(install.status, 201) << install.body;
  install_id_ = std::string(install.json().get("id").as_string());
  auto account = admin("POST", "/integrated-account",
                       R"({"tenant_id":"acme","environment_integration_id":")" + install_id_ +
                           R"(","authentication_method":"api_key","context":{"webhook_secret":")" +
                           kShopifySecret + R"("}})");
  ASSERT_EQ(account.status, 201) << account.body;
  account_id_ = std::string(account.json().get("id").as_string());
  if (seed_endpoint()) {
    json::Value w = create_webhook(sink_.url("/hooks/acme"));
    webhook_id_ = std::string(w.get("id").string_or(""));
    webhook_secret_ = std::string(w.get("secret").string_or(""));
  }
}

void E2eTest::TearDown() {
  if (hookd_) {
    // A clean shutdown is part of every test: a crash, a sanitizer report or a hang on SIGTERM fails it.
    int status = hookd_->stop();
    std::string log = hookd_->log();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "hookd " << describe_exit(status);
    EXPECT_EQ(log.find("AddressSanitizer"), std::string::npos);
    EXPECT_EQ(log.find("runtime error:"), std::string::npos);
    EXPECT_EQ(log.find("LeakSanitizer"), std::string::npos);
    if (HasFailure()) std::fprintf(stderr, "---- hookd log ----\n%s\n-------------------\n", log.c_str());
  }
  hookd_.reset();
  sink_.stop();
}

HttpResult E2eTest::admin(std::string_view method, const std::string& path, const std::string& body,
                          const std::string& token) {
  return http_call(hookd_->port(), method, path, body,
                   {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
}

bool E2eTest::redis_key_exists(const std::string& key) {
  std::string url = redis_url(kRedisDb);  // redis://host:port/db
  std::string hostport = url.substr(url.find("//") + 2);
  hostport = hostport.substr(0, hostport.find('/'));
  redisContext* c = redisConnect(hostport.substr(0, hostport.rfind(':')).c_str(),
                                 std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str()));
  EXPECT_TRUE(c && !c->err) << "cannot connect to the test Redis at " << url;
  if (!c || c->err) {
    if (c) redisFree(c);
    return false;
  }
  freeReplyObject(redisCommand(c, "SELECT %d", kRedisDb));
  auto* reply = static_cast<redisReply*>(redisCommand(c, "EXISTS %b", key.data(), key.size()));
  bool exists = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return exists;
}

double E2eTest::metric(std::string_view series) {
  return metric_of(*hookd_, series);
}

double E2eTest::metric_of(HookdProcess& process, std::string_view series) {
  auto res = http_call(process.port(), "GET", "/metrics");
  EXPECT_EQ(res.status, 200);
  std::string needle = std::string(series) + " ";
  for (size_t at = res.body.find(needle); at != std::string::npos; at = res.body.find(needle, at + 1)) {
    if (at != 0 && res.body[at - 1] != '\n') continue;
    return std::stod(res.body.substr(at + needle.size()));
  }
  return 0;
}

void E2eTest::wait_until_dispatched(std::vector<std::string> tokens, std::chrono::milliseconds timeout) {
  if (tokens.empty()) tokens.push_back(token_);
  auto caught_up = [&] {
    return metric("hookd_kafka_messages_total{outcome=\"acked\"}") ==
           metric("hookd_dispatch_events_finished_total");
  };
  auto open_deliveries = [&] {
    size_t open = 0;
    for (const auto& token : tokens)
      for (const char* status : {"pending", "retrying"}) {
        auto res = admin("GET", std::string("/delivery?limit=1&status=") + status, {}, token);
        EXPECT_EQ(res.status, 200) << res.body;
        open += res.json().get("result").size();
      }
    return open;
  };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    // Fanned out first, then nothing open, then still fanned out: an event consumed in between would have
    // made a delivery the second check saw.
    if (caught_up() && open_deliveries() == 0 && caught_up()) {
      EXPECT_GT(metric("hookd_dispatch_events_finished_total"), 0)
          << "no event was produced: the wait proves nothing";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "dispatch did not catch up within " << timeout.count() << " ms";
}

HttpResult E2eTest::operator_call(std::string_view method, const std::string& path, const std::string& body) {
  return admin(method, path, body, kOperatorToken);
}

HttpResult E2eTest::post_shopify(const std::string& body, const std::string& account_id,
                                 std::string signature) {
  if (signature.empty()) signature = to_base64(hmac_sha256(kShopifySecret, body));
  return http_call(hookd_->port(), "POST",
                   "/integrated-account-webhook/" + (account_id.empty() ? account_id_ : account_id), body,
                   {{"Content-Type", "application/json"},
                    {"X-Shopify-Topic", "orders/create"},
                    {"X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
                    {"X-Shopify-Hmac-Sha256", signature}});
}

std::string E2eTest::add_account(const std::string& integration, const std::string& config_json,
                                 const std::string& context_json) {
  auto i = operator_call("POST", "/integration",
                         R"({"name":")" + integration + R"(","config":)" + config_json + "}");
  EXPECT_EQ(i.status, 201) << i.body;
  auto install = admin("POST", "/environment-integration", R"({"integration_id":")" + integration + R"("})");
  EXPECT_EQ(install.status, 201) << install.body;
  std::string install_id(install.json().get("id").string_or(""));
  auto account = admin("POST", "/integrated-account",
                       R"({"tenant_id":"acme","environment_integration_id":")" + install_id +
                           R"(","authentication_method":"oauth2","context":)" + context_json + "}");
  EXPECT_EQ(account.status, 201) << account.body;
  return std::string(account.json().get("id").string_or(""));
}

json::Value E2eTest::create_webhook(const std::string& url, const std::string& event_types_json) {
  auto w =
      admin("POST", "/webhook", R"({"target_url":")" + url + R"(","event_types":)" + event_types_json + "}");
  EXPECT_EQ(w.status, 201) << w.body;
  return w.json();
}

}  // namespace hookd::test
