// Issue 17: endpoint health (GET /webhook/{id}/stats) and the console's charts (GET /stats/deliveries), computed
// from the deliveries dispatch recorded, scoped to the token's environment.
#include "e2e_fixture.h"
#include "store/keys.h"

namespace hookd::test {
namespace {

class Stats : public E2eTest {
 protected:
  void send_test_events(int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(admin("POST", "/webhook/test", R"({"id":")" + webhook_id_ + R"("})").status, 202);
    wait_until_dispatched();
  }

  // The sum of one member over every minute of a /stats/deliveries answer.
  static double sum(const json::Value& stats, std::string_view member) {
    double total = 0;
    for (const auto& b : stats.get("buckets").as_array())
      total += b.get(member).number_or(0);
    return total;
  }
};

TEST_F(Stats, AnEndpointsHealthFollowsItsDeliveries) {
  auto empty = admin("GET", "/webhook/" + webhook_id_ + "/stats");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json().get("state").string_or(""), "active");
  EXPECT_TRUE(empty.json().get("success_rate").is_null()) << empty.body;
  EXPECT_TRUE(empty.json().get("latency_ms").is_null()) << empty.body;

  send_test_events(3);
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "down"); });
  send_test_events(2);  // dead-lettered after their 3 attempts each

  auto failing = admin("GET", "/webhook/" + webhook_id_ + "/stats");
  ASSERT_EQ(failing.status, 200) << failing.body;
  const json::Value f = failing.json();
  EXPECT_EQ(f.get("state").string_or(""), "failing") << failing.body;
  EXPECT_EQ(f.get("consecutive_failures").number_or(0), 6) << failing.body;
  EXPECT_TRUE(f.get("failing_since").is_string());
  EXPECT_EQ(f.get("deliveries").get("succeeded").number_or(-1), 3);
  EXPECT_EQ(f.get("deliveries").get("failed").number_or(-1), 2);
  EXPECT_DOUBLE_EQ(f.get("success_rate").number_or(-1), 0.6);
  EXPECT_EQ(f.get("attempts").get("total").number_or(-1), 9);
  EXPECT_EQ(f.get("attempts").get("failed").number_or(-1), 6);
  EXPECT_EQ(f.get("window").get("deliveries").number_or(-1), 5);
  EXPECT_FALSE(f.get("window").get("truncated").bool_or(true));
  const json::Value& latency = f.get("latency_ms");
  ASSERT_TRUE(latency.is_object()) << failing.body;
  EXPECT_LE(latency.get("p50").number_or(-1), latency.get("p95").number_or(-1));
  EXPECT_LE(latency.get("p95").number_or(-1), latency.get("max").number_or(-1));
  EXPECT_GE(latency.get("p50").number_or(-1), 0);

  // A bounded read: the newest two deliveries only (the two failed ones).
  auto two = admin("GET", "/webhook/" + webhook_id_ + "/stats?limit=2").json();
  EXPECT_EQ(two.get("window").get("deliveries").number_or(-1), 2);
  EXPECT_TRUE(two.get("window").get("truncated").bool_or(false));
  EXPECT_EQ(two.get("deliveries").get("failed").number_or(-1), 2);

  // One success ends the run of failures; disabling it shows as disabled.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  send_test_events(1);
  EXPECT_EQ(admin("GET", "/webhook/" + webhook_id_ + "/stats").json().get("state").string_or(""), "active");
  ASSERT_EQ(admin("POST", "/webhook/" + webhook_id_ + "/disable", R"({"reason":"maintenance"})").status, 200);
  auto disabled = admin("GET", "/webhook/" + webhook_id_ + "/stats").json();
  EXPECT_EQ(disabled.get("state").string_or(""), "disabled");
  EXPECT_EQ(disabled.get("disabled_reason").string_or(""), "maintenance");
  EXPECT_GE(metric("hookd_admin_stats_deliveries_read_total"), 15);
}

// A deleted endpoint leaves no health record behind (it has no expiry: it would stay for good).
TEST_F(Stats, ADeletedEndpointLeavesNoHealthBehind) {
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "down"); });
  send_test_events(1);  // dead-lettered after its 3 attempts: none is in flight or due when it is deleted
  const std::string health =
      store::keys::webhook_health(store::keys::delivery_shard(environment_id_), webhook_id_);
  ASSERT_TRUE(redis_key_exists(health)) << "no health record after failed attempts: " << health;
  ASSERT_EQ(admin("DELETE", "/webhook/" + webhook_id_).status, 204);
  EXPECT_FALSE(redis_key_exists(health)) << "the deleted endpoint's health is still in Redis";
}

TEST_F(Stats, DeliveriesPerMinuteByOutcomeForTheEnvironmentOrOneEndpoint) {
  send_test_events(2);
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "down"); });
  send_test_events(1);

  auto env = admin("GET", "/stats/deliveries?minutes=5");
  ASSERT_EQ(env.status, 200) << env.body;
  const json::Value e = env.json();
  ASSERT_EQ(e.get("buckets").size(), 5u) << env.body;
  EXPECT_TRUE(e.get("webhook_id").is_null());
  EXPECT_EQ(sum(e, "succeeded"), 2) << env.body;
  EXPECT_EQ(sum(e, "failed"), 1) << env.body;
  EXPECT_EQ(sum(e, "attempts"), 5) << env.body;
  EXPECT_EQ(e.get("deliveries_read").number_or(-1), 3);
  bool some_latency = false;
  for (const auto& b : e.get("buckets").as_array())
    some_latency |= b.get("latency_ms").is_object();
  EXPECT_TRUE(some_latency) << env.body;
  // Oldest first, one minute apart, the last one now.
  const auto& buckets = e.get("buckets").as_array();
  EXPECT_EQ(buckets.front().get("minute").string_or(""), e.get("from").string_or("-"));
  EXPECT_LT(buckets.front().get("minute").string_or(""), buckets.back().get("minute").string_or(""));

  // One endpoint: another endpoint's deliveries are not counted.
  json::Value other = create_webhook(sink_.url("/hooks/other"), R"(["test"])");
  std::string other_id(other.get("id").string_or(""));
  auto none = admin("GET", "/stats/deliveries?minutes=5&webhook_id=" + other_id).json();
  EXPECT_EQ(none.get("webhook_id").string_or(""), other_id);
  EXPECT_EQ(sum(none, "succeeded") + sum(none, "failed"), 0);
  auto mine = admin("GET", "/stats/deliveries?minutes=5&webhook_id=" + webhook_id_).json();
  EXPECT_EQ(sum(mine, "succeeded"), 2);
  auto bounded = admin("GET", "/stats/deliveries?minutes=5&limit=1").json();
  EXPECT_TRUE(bounded.get("truncated").bool_or(false));
  EXPECT_EQ(bounded.get("deliveries_read").number_or(-1), 1);
}

TEST_F(Stats, BadParametersAndAnotherEnvironment) {
  send_test_events(1);
  for (const char* bad : {"minutes=0", "minutes=1441", "minutes=ten", "limit=0", "limit=5001"}) {
    auto r = admin("GET", std::string("/stats/deliveries?") + bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(r.json().get("error").string_or(""), "validation_error") << r.body;
    EXPECT_EQ(r.json().get("field").string_or(""), std::string(bad).substr(0, std::string(bad).find('=')));
  }
  EXPECT_EQ(admin("GET", "/webhook/" + webhook_id_ + "/stats?limit=1001").status, 400);

  auto env_b = operator_call("POST", "/environment", R"({"name":"beta"})");
  ASSERT_EQ(env_b.status, 201) << env_b.body;
  auto token_b = operator_call(
      "POST", "/environment/" + std::string(env_b.json().get("id").string_or("")) + "/api-token",
      R"({"name":"beta"})");
  ASSERT_EQ(token_b.status, 201) << token_b.body;
  std::string b(token_b.json().get("token").string_or(""));
  EXPECT_EQ(admin("GET", "/webhook/" + webhook_id_ + "/stats", {}, b).status, 404);
  EXPECT_EQ(admin("GET", "/stats/deliveries?webhook_id=" + webhook_id_, {}, b).status, 404);
  auto theirs = admin("GET", "/stats/deliveries?minutes=5", {}, b);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(sum(theirs.json(), "succeeded"), 0) << "A's delivery counted for B: " << theirs.body;
  EXPECT_EQ(theirs.json().get("deliveries_read").number_or(-1), 0);
}

}  // namespace
}  // namespace hookd::test
