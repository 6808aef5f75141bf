// Endpoint-aware retries through the running service: what an endpoint says about itself (Retry-After, 429,
// 410, no answer in time) decides when it is tried again, or whether it is tried at all.
//
// The waits are read from the delivery record (next_attempt_at against the attempt that failed), not from
// clocks around the test: the schedule is exact with HOOKD_RETRY_JITTER=0. Never earlier than the delay (the
// lower bounds are tight); later by what started_at + latency_ms does not cover (started_at is taken before
// the request is signed and queued in the client, latency_ms counts from the send; the outcome is recorded
// after the answer), which a loaded machine under ASan has stretched past 100 ms: the upper bounds allow 500 ms,
// far below the 3 s that tell a throttled wait from an error's.
#include <thread>

#include "core/clock.h"
#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

class RetryPolicyE2e : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_RETRY_SCHEDULE"] = "1s";
    env["HOOKD_RETRY_JITTER"] = "0";
    env["HOOKD_RETRY_THROTTLED_FACTOR"] = "4";
    env["HOOKD_RETRY_AFTER_MAX"] = "30s";
    env["HOOKD_MAX_ATTEMPTS"] = "5";
    env["HOOKD_DELIVERY_TIMEOUT"] = "700ms";
    return env;
  }

  // The endpoint's newest delivery once `attempts` attempts are on record and its state is `status`.
  json::Value delivery_when(const std::string& status, size_t attempts) {
    json::Value d;
    for (auto deadline = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < deadline;) {
      auto list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries");
      EXPECT_EQ(list.status, 200) << list.body;
      d = list.json().get("result").at(0);
      if (d.get("status").string_or("") == status && d.get("attempts").size() == attempts) break;
      std::this_thread::sleep_for(50ms);
    }
    return d;
  }

  // How long after attempt `n` (0-based) ended the delivery's next attempt is due, in ms.
  static int64_t wait_after(const json::Value& d, size_t n) {
    const json::Value& a = d.get("attempts").at(n);
    auto started = clock::parse_iso8601(a.get("started_at").string_or(""));
    auto next = clock::parse_iso8601(d.get("next_attempt_at").string_or(""));
    if (!started || !next) {
      ADD_FAILURE() << "no times in " << json::dump(d);
      return -1;
    }
    return *next - (*started + static_cast<int64_t>(a.get("latency_ms").as_number()));
  }
};

TEST_F(RetryPolicyE2e, ARetryAfterInSecondsHoldsTheNextAttemptBack) {
  sink_.enqueue(Reply{429, "slow down", {{"Retry-After", "7"}}});
  ASSERT_EQ(post_shopify(R"({"id":1})").status, 200);

  json::Value d = delivery_when("retrying", 1);
  ASSERT_EQ(d.get("attempts").size(), 1u) << json::dump(d);
  EXPECT_EQ(d.get("attempts").at(0).get("status_code").as_number(), 429);
  // The schedule says 1 s and a 429 waits 4 times that; the endpoint asked for 7 s, which wins.
  int64_t wait = wait_after(d, 0);
  EXPECT_GE(wait, 6'900) << json::dump(d);
  EXPECT_LE(wait, 8'000) << json::dump(d);

  // And it is tried then, and succeeds.
  d = delivery_when("succeeded", 2);
  ASSERT_EQ(d.get("status").string_or(""), "succeeded") << json::dump(d);
  ASSERT_GE(sink_.request_count(), 2u);
  auto requests = sink_.requests();
  EXPECT_GE(requests[1].received_at - requests[0].received_at, 6'500ms);
}

TEST_F(RetryPolicyE2e, A503WithAnHttpDateWaitsUntilThatTime) {
  // An IMF-fixdate 9 s from now (whole seconds: the wait is 8 to 9 s).
  std::time_t at = std::time(nullptr) + 9;
  std::tm tm{};
  gmtime_r(&at, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  sink_.enqueue(Reply{503, "maintenance", {{"Retry-After", date}}});
  ASSERT_EQ(post_shopify(R"({"id":2})").status, 200);

  json::Value d = delivery_when("retrying", 1);
  ASSERT_EQ(d.get("attempts").size(), 1u) << json::dump(d);
  int64_t wait = wait_after(d, 0);
  EXPECT_GE(wait, 7'000) << date << ' ' << json::dump(d);
  EXPECT_LE(wait, 9'500) << date << ' ' << json::dump(d);
}

TEST_F(RetryPolicyE2e, ThrottledAndTimedOutAttemptsBackOffHarderThanErrors) {
  sink_.enqueue(
      {Reply::with_status(500, "boom"), Reply::with_status(429, "busy"), Reply::of(Reply::Action::hang)});
  ASSERT_EQ(post_shopify(R"({"id":3})").status, 200);

  json::Value d = delivery_when("retrying", 1);
  ASSERT_EQ(d.get("attempts").size(), 1u) << json::dump(d);
  EXPECT_EQ(d.get("attempts").at(0).get("status_code").as_number(), 500);
  int64_t after_error = wait_after(d, 0);
  EXPECT_GE(after_error, 950) << json::dump(d);
  EXPECT_LE(after_error, 1'500) << json::dump(d);

  d = delivery_when("retrying", 2);
  ASSERT_EQ(d.get("attempts").size(), 2u) << json::dump(d);
  EXPECT_EQ(d.get("attempts").at(1).get("status_code").as_number(), 429);
  int64_t after_throttle = wait_after(d, 1);
  EXPECT_GE(after_throttle, 3'950) << json::dump(d);
  EXPECT_LE(after_throttle, 4'500) << json::dump(d);

  // The third attempt gets no answer within the delivery timeout: throttled as well.
  d = delivery_when("retrying", 3);
  ASSERT_EQ(d.get("attempts").size(), 3u) << json::dump(d);
  EXPECT_TRUE(d.get("attempts").at(2).get("status_code").is_null()) << "no answer";
  int64_t after_timeout = wait_after(d, 2);
  EXPECT_GE(after_timeout, 3'950) << json::dump(d);
  EXPECT_LE(after_timeout, 4'500) << json::dump(d);
}

TEST_F(RetryPolicyE2e, A410GoneDisablesTheEndpointAtOnceAndTheEnvironmentIsTold) {
  TestHttpServer watcher;
  create_webhook(watcher.url("/watch"), R"(["webhook:disabled"])");
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(410, "gone"); });
  ASSERT_EQ(post_shopify(R"({"id":4})").status, 200);

  ASSERT_TRUE(watcher.wait_for_requests(1, 30s)) << "no webhook:disabled event";
  json::Value e;
  ASSERT_TRUE(json::parse(watcher.requests()[0].body, e));
  EXPECT_EQ(e.get("event").as_string(), "webhook:disabled");
  EXPECT_EQ(e.get("payload").get("webhook_id").as_string(), webhook_id_);

  json::Value w = admin("GET", "/webhook/" + webhook_id_).json();
  EXPECT_FALSE(w.get("is_active").as_bool());
  EXPECT_NE(std::string(w.get("disabled_reason").string_or("")).find("410"), std::string::npos)
      << json::dump(w);
  // One attempt, no retry: the delivery is failed at once.
  json::Value d = delivery_when("failed", 1);
  EXPECT_EQ(d.get("status").string_or(""), "failed") << json::dump(d);
  EXPECT_EQ(sink_.request_count(), 1u);
}

}  // namespace
}  // namespace hookd::test
