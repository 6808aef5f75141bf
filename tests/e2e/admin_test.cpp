// The admin API's contract beyond the happy path: filters, cursor pages, validation errors naming the field,
// conflicts, rate limits, secret rotation.
#include <chrono>
#include <algorithm>
#include <set>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

using AdminApi = E2eTest;

// Lists order by creation time in milliseconds (ties by id): each account is created in a later millisecond
// than the one before, the fixture's included, so the expected order is the creation order.
void next_millisecond() {
  const auto start = std::chrono::system_clock::now();
  const auto ms = [](auto t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  while (ms(std::chrono::system_clock::now()) <= ms(start) + 1)
    std::this_thread::yield();
}

TEST_F(AdminApi, AccountsFilterAndPageNewestFirst) {
  std::vector<std::string> ids;
  next_millisecond();
  for (int i = 0; i < 5; ++i) {
    std::string tenant = i % 2 ? "odd" : "even";
    auto r = admin("POST", "/integrated-account",
                   R"({"tenant_id":")" + tenant + R"(","environment_integration_id":")" + install_id_ +
                       R"(","authentication_method":"api_key"})");
    ASSERT_EQ(r.status, 201) << r.body;
    ids.emplace_back(r.json().get("id").as_string());
    next_millisecond();
  }
  ASSERT_EQ(admin("PATCH", "/integrated-account/" + ids[1], R"({"status":"needs_reauth"})").status, 200);

  // Every page of two, newest first, through the cursor: the fixture's account and the five.
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = admin("GET", "/integrated-account?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    json::Value page = r.json();
    EXPECT_LE(page.get("result").size(), 2u);
    for (const auto& a : page.get("result").as_array())
      seen.emplace_back(a.get("id").as_string());
    cursor = std::string(page.get("next_cursor").string_or(""));
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 5),
            (std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  EXPECT_EQ(seen[5], account_id_);

  auto odd = admin("GET", "/integrated-account?tenant_id=odd").json();
  EXPECT_EQ(odd.get("result").size(), 2u);
  auto reauth = admin("GET", "/integrated-account?status=needs_reauth&integration=shopify").json();
  ASSERT_EQ(reauth.get("result").size(), 1u);
  EXPECT_EQ(reauth.get("result").at(0).get("id").as_string(), ids[1]);
  EXPECT_EQ(admin("GET", "/integrated-account?integration=nothing").json().get("result").size(), 0u);
}

TEST_F(AdminApi, ValidationErrorsNameTheField) {
  struct Case {
    std::string method, path, body, field;
  } cases[] = {
      {"POST", "/integrated-account",
       R"({"environment_integration_id":"x","authentication_method":"api_key"})", "tenant_id"},
      {"POST", "/integrated-account",
       R"({"tenant_id":"t","environment_integration_id":")" + install_id_ +
           R"(","authentication_method":"basic"})",
       "authentication_method"},
      {"POST", "/integrated-account",
       R"({"tenant_id":"t","environment_integration_id":")" + install_id_ +
           R"(","authentication_method":"api_key","region":"mars"})",
       "region"},
      {"PATCH", "/integrated-account/" + account_id_, R"({"status":"sleeping"})", "status"},
      {"PATCH", "/integrated-account/" + account_id_, R"({"tenant_id":"other"})", "tenant_id"},
      {"POST", "/webhook", R"({"target_url":"http://10.0.0.8/hook"})", "target_url"},
      {"POST", "/webhook", R"({"target_url":"https://example.com/h","event_types":["record:exploded"]})",
       "event_types[0]"},
      {"GET", "/integrated-account?limit=0", "", "limit"},
      {"GET", "/webhook/" + webhook_id_ + "/deliveries?status=lost", "", "status"},
      {"GET", "/delivery?since=yesterday", "", "since"},
      {"POST", "/event", R"({"event":"webhook:disabled"})", "event"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.body);
    auto r = admin(c.method, c.path, c.body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json().get("error").string_or(""), "validation_error");
    EXPECT_EQ(r.json().get("field").string_or(""), c.field) << r.body;
  }
  auto malformed = admin("POST", "/webhook", "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.json().get("error").string_or(""), "malformed_json");
  auto config = operator_call("POST", "/integration",
                              R"({"name":"bad","config":{"webhook":{"signature_verification":{"format":"hmac",
                                 "config":{"secret":"k","compare_with":"x","algorithm":"sha3"}}}}})");
  EXPECT_EQ(config.status, 400);
  EXPECT_NE(config.json().get("message").string_or("").find("signature_verification.config.algorithm"),
            std::string::npos)
      << config.body;
}

TEST_F(AdminApi, ConfigListsPageOldestFirstLikeTheOtherLists) {
  // The fixture's endpoint and five more, read in pages of two: oldest first, each once, and a page boundary
  // survives the deletion of the record the cursor names.
  std::set<std::string> created{webhook_id_};
  for (int i = 0; i < 5; ++i)
    created.emplace(create_webhook(sink_.url("/h" + std::to_string(i))).get("id").string_or(""));
  std::vector<std::pair<std::string, std::string>> seen;  // (created_at, id)
  std::string cursor;
  for (int page = 0; page < 6; ++page) {
    auto r = admin("GET", "/webhook?limit=2" + (cursor.empty() ? std::string() : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    json::Value body = r.json();
    ASSERT_LE(body.get("result").size(), 2u);
    for (const auto& w : body.get("result").as_array())
      seen.emplace_back(w.get("created_at").string_or(""), w.get("id").string_or(""));
    if (body.get("next_cursor").is_null()) break;
    cursor = body.get("next_cursor").as_string();
    if (page == 0) {  // delete the record the cursor points after
      ASSERT_EQ(admin("DELETE", "/webhook/" + seen.back().second).status, 204);
      created.erase(seen.back().second);
      seen.pop_back();
    }
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  std::set<std::string> ids;
  for (const auto& [at, id] : seen)
    ids.insert(id);
  EXPECT_EQ(ids.size(), seen.size()) << "an endpoint appeared on two pages";
  EXPECT_EQ(ids, created);

  EXPECT_EQ(admin("GET", "/webhook?cursor=not-a-cursor").json().get("field").string_or(""), "cursor");
  auto bad_limit = operator_call("GET", "/environment?limit=501");
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_EQ(bad_limit.json().get("field").string_or(""), "limit");
  auto one = operator_call("GET", "/integration?limit=1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().get("result").size(), 1u);
  EXPECT_TRUE(one.json().get("next_cursor").is_null()) << "the catalog has only shopify";
}

TEST_F(AdminApi, DuplicateIntegrationNameIsAConflict) {
  auto r = operator_call("POST", "/integration", R"({"name":"shopify"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json().get("error").string_or(""), "conflict");
}

TEST_F(AdminApi, RotatedSecretsBothSignDuringTheOverlap) {
  auto rotated = admin("POST", "/webhook/" + webhook_id_ + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  std::string new_secret(rotated.json().get("secret").as_string());
  EXPECT_NE(new_secret, webhook_secret_);
  EXPECT_EQ(rotated.json().get("previous_secret").as_string(), webhook_secret_);
  ASSERT_EQ(post_shopify(R"({"id":7})").status, 200);
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));
  RecordedRequest r = sink_.requests()[0];
  EXPECT_EQ(r.header("X-Truto-Signature").value_or(""),
            "format=sha256,v=" + to_hex(hmac_sha256(new_secret, r.body)) +
                ",v=" + to_hex(hmac_sha256(webhook_secret_, r.body)));
}

class RateLimited : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_ADMIN_RATE_LIMIT"] = "5";
    return env;
  }
};

TEST_F(RateLimited, ATokenOverItsRateGets429WithRetryAfter) {
  // 5/s with bursts of 10. How many requests get through depends on how fast this machine sends them, so the
  // test sends until it is refused, then checks the count against what the rate allows for the time that
  // took.
  const auto started = std::chrono::steady_clock::now();
  int allowed = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 500 && limited < 3; ++i) {
    auto r = admin("GET", "/webhook");
    if (r.status == 429) {
      ++limited;
      retry_after = r.header("Retry-After");
      EXPECT_EQ(r.json().get("error").string_or(""), "too_many_requests");
    } else {
      EXPECT_EQ(r.status, 200);
      ++allowed;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(limited, 3) << "never refused in " << allowed << " requests";
  EXPECT_LE(allowed, 10 + 5 * seconds + 1)
      << "more than the burst plus the rate let through in " << seconds << " s";
  EXPECT_FALSE(retry_after.empty());
  // The catalog, readable with any token, spends the same budget.
  bool catalog_limited = false;
  for (int i = 0; i < 100 && !catalog_limited; ++i)
    catalog_limited = admin("GET", "/integration").status == 429;
  EXPECT_TRUE(catalog_limited) << "GET /integration is not rate limited";
  // Vendors are never rate limited.
  for (int i = 0; i < 15; ++i)
    EXPECT_EQ(post_shopify(R"({"id":1})").status, 200);
}

}  // namespace
}  // namespace hookd::test

namespace hookd::test {
namespace {

TEST_F(AdminApi, InternalProducersPublishThroughPostEvent) {
  TestHttpServer jobs;
  create_webhook(jobs.url("/jobs"), R"(["sync_job_run:*"])");
  auto r = admin("POST", "/event",
                 R"({"event":"sync_job_run:completed","integrated_account_id":")" + account_id_ +
                     R"(","payload":{"sync_job_run_id":"sjr_1","records":42}})");
  ASSERT_EQ(r.status, 202) << r.body;
  std::string id(r.json().get("id").as_string());
  ASSERT_TRUE(jobs.wait_for_requests(1, 30s));
  json::Value e;
  ASSERT_TRUE(json::parse(jobs.requests()[0].body, e));
  EXPECT_EQ(e.get("id").as_string(), id);
  EXPECT_EQ(e.get("event").as_string(), "sync_job_run:completed");
  EXPECT_EQ(e.get("payload").get("records").as_number(), 42);
  EXPECT_EQ(e.get("environment_id").as_string(), environment_id_);
  EXPECT_EQ(admin("POST", "/event", R"({"event":"nope:never"})").status, 400);
}

TEST_F(AdminApi, AConfigChangeAppliesFromTheNextRequest) {
  ASSERT_EQ(post_shopify(R"({"id":1})").status, 200);
  // The operator moves the signing secret from the account's context to the environment's variables.
  ASSERT_EQ(operator_call("PATCH", "/environment/" + environment_id_,
                          R"({"variables":{"SHOPIFY_SECRET":"rotated"}})")
                .status,
            200);
  auto patched =
      operator_call("PATCH", "/integration/shopify", R"({"config":{"webhook":{"signature_verification":{
      "format":"hmac","config":{"secret":"{{environment_variables.SHOPIFY_SECRET}}","algorithm":"sha256",
      "string_type":"base64","compare_with":"{{headers.x-shopify-hmac-sha256}}"}}}}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().get("version").as_number(), 2);
  std::string body = R"({"id":2})";
  EXPECT_EQ(post_shopify(body).status, 401) << "the old secret no longer verifies";
  EXPECT_EQ(post_shopify(body, {}, to_base64(hmac_sha256("rotated", body))).status, 200);
}

}  // namespace
}  // namespace hookd::test
