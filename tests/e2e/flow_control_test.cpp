// Per-endpoint flow control through the running service: a slow endpoint gets no more than its own
// concurrency and never the slots of a healthy one; a failing one trips its breaker; one that comes back after
// an outage gets its backlog at a rate that grows as it keeps succeeding, not in one burst.
#include <algorithm>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The most requests the sink had open at once, for a sink that answers each after exactly `delay`.
size_t max_concurrency(const std::vector<RecordedRequest>& requests, std::chrono::milliseconds delay) {
  size_t most = 0;
  for (const auto& r : requests) {
    size_t open = static_cast<size_t>(std::count_if(requests.begin(), requests.end(), [&](const auto& o) {
      return o.received_at <= r.received_at && o.received_at + delay > r.received_at;
    }));
    most = std::max(most, open);
  }
  return most;
}

// The most requests received within any `window`.
size_t max_in_window(const std::vector<RecordedRequest>& requests, std::chrono::milliseconds window) {
  size_t most = 0;
  for (const auto& r : requests) {
    size_t n = static_cast<size_t>(std::count_if(requests.begin(), requests.end(), [&](const auto& o) {
      return o.received_at >= r.received_at && o.received_at < r.received_at + window;
    }));
    most = std::max(most, n);
  }
  return most;
}

class FlowControl : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_DISPATCH_CONCURRENCY"] = "8";
    env["HOOKD_ENDPOINT_CONCURRENCY_INITIAL"] = "2";
    env["HOOKD_ENDPOINT_LATENCY_TARGET"] = "300ms";
    env["HOOKD_RETRY_SCHEDULE"] = "300ms";
    env["HOOKD_RETRY_JITTER"] = "0";
    env["HOOKD_MAX_ATTEMPTS"] = "50";
    env["HOOKD_BREAKER_FAILURES"] = "4";  // the fixture's defaults turn flow control down: back on here
    env["HOOKD_BREAKER_COOLDOWN"] = "1s";
    env["HOOKD_BREAKER_COOLDOWN_MAX"] = "1s";
    env["HOOKD_RETRY_BUDGET_INITIAL"] = "4";
    env["HOOKD_RETRY_BUDGET_MIN"] = "2";
    env["HOOKD_RETRY_BUDGET_INCREASE"] = "1";
    env["HOOKD_DISABLE_AFTER_FAILURES"] = "100000";
    return env;
  }
  void TearDown() override {
    sink_.stop();  // before the flags its handler reads go
    E2eTest::TearDown();
  }
  void post_events(int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(post_shopify(R"({"id":)" + std::to_string(i) + "}").status, 200);
  }
  // The sink answers 503 until up_, counting those answers.
  void sink_down_until_up() {
    sink_.set_handler([this](const RecordedRequest&) {
      if (up_) return Reply{};
      ++failures_;
      return Reply::with_status(503, "down");
    });
  }
  void wait_for_metric(const std::string& series, double at_least) {
    for (auto deadline = Clock::now() + 30s; metric(series) < at_least && Clock::now() < deadline;)
      std::this_thread::sleep_for(20ms);
    ASSERT_GE(metric(series), at_least) << series;
  }

  std::atomic<bool> up_{false};
  std::atomic<int> failures_{0};
};

// The breaker out of the way, to see the retry budget alone.
class FlowRecovery : public FlowControl {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = FlowControl::hookd_env();
    env["HOOKD_BREAKER_FAILURES"] = "100000";
    return env;
  }
};

TEST_F(FlowControl, ASlowEndpointGetsItsOwnConcurrencyAndNeverTheSlotsOfAHealthyOne) {
  static constexpr auto kSlow = 600ms;
  TestHttpServer healthy;
  create_webhook(healthy.url("/fast"));
  sink_.set_handler([](const RecordedRequest&) {
    Reply r;
    r.delay = kSlow;
    return r;
  });
  constexpr int kEvents = 20;
  post_events(kEvents);

  ASSERT_TRUE(healthy.wait_for_requests(kEvents, 60s)) << healthy.request_count();
  // The healthy endpoint has everything while the slow one is still far behind: the node's 8 slots were not
  // held by attempts to the slow one.
  size_t slow_done = sink_.request_count();
  EXPECT_LT(slow_done, static_cast<size_t>(kEvents) / 2) << "the slow endpoint was not held back";
  // Slow answers are congestion: never more than the initial 2 at once, cut to 1 after the first.
  EXPECT_LE(max_concurrency(sink_.requests(), kSlow), 2u);
  EXPECT_GT(metric("hookd_dispatch_deferred_total{reason=\"busy\"}"), 0);
  // And every event reaches the slow one in the end.
  ASSERT_TRUE(sink_.wait_for_requests(kEvents, 90s)) << sink_.request_count();
}

TEST_F(FlowControl, AFailingEndpointTripsItsBreakerAndAProbeClosesItWhenItIsBack) {
  sink_down_until_up();
  post_events(10);
  // Opened after 4 consecutive failures; from then on attempts are put off, not sent.
  wait_for_metric("hookd_dispatch_breaker_transitions_total{to=\"open\"}", 1);
  wait_for_metric("hookd_dispatch_deferred_total{reason=\"breaker_open\"}", 1);
  // While open, one probe per cooldown (1 s) reaches the endpoint: the next two requests are a second apart.
  size_t n = sink_.request_count();
  ASSERT_TRUE(sink_.wait_for_requests(n + 2, 30s));
  auto requests = sink_.requests();
  EXPECT_GE(requests[n + 1].received_at - requests[n].received_at, 900ms);

  // The API shows it: this node's breaker, the fleet's record of it, and the retry budget cut by the failures.
  // (The budget has a record once a retry has been asked for or answered.)
  json::Value flow;
  for (auto deadline = Clock::now() + 30s; Clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
    flow = admin("GET", "/webhook/" + webhook_id_ + "/flow").json();
    if (flow.get("retry_budget").is_object()) break;
  }
  EXPECT_NE(flow.get("node").get("breaker").string_or(""), "closed") << json::dump(flow);
  EXPECT_EQ(flow.get("node").get("concurrency_limit").as_number(), 1) << json::dump(flow);
  EXPECT_NE(flow.get("breaker").get("state").string_or(""), "closed") << json::dump(flow);
  EXPECT_LE(flow.get("retry_budget").get("rate_per_second").as_number(), 4) << json::dump(flow);

  up_ = true;
  wait_until_dispatched({}, 60s);
  flow = admin("GET", "/webhook/" + webhook_id_ + "/flow").json();
  EXPECT_EQ(flow.get("node").get("breaker").string_or(""), "closed") << json::dump(flow);
  EXPECT_EQ(flow.get("breaker").get("state").string_or(""), "closed") << json::dump(flow);
  EXPECT_GE(metric("hookd_dispatch_breaker_transitions_total{to=\"closed\"}"), 1);
  EXPECT_EQ(metric("hookd_dispatch_open_breakers"), 0);
}

TEST_F(FlowRecovery, AnEndpointBackFromAnOutageGetsItsBacklogAtARateThatGrowsNotInOneBurst) {
  sink_down_until_up();
  constexpr int kEvents = 60;
  post_events(kEvents);
  // Every event failed at least once: the backlog is all retries.
  for (auto deadline = Clock::now() + 30s; failures_ < kEvents && Clock::now() < deadline;)
    std::this_thread::sleep_for(20ms);
  ASSERT_GE(failures_.load(), kEvents);

  auto back = Clock::now();
  up_ = true;
  wait_until_dispatched({}, 120s);
  std::vector<RecordedRequest> after;
  for (auto& r : sink_.requests())
    if (r.received_at >= back) after.push_back(r);
  // The delivery rate over time, for the record.
  std::vector<int> per_second;
  for (const auto& r : after) {
    auto s =
        static_cast<size_t>(std::chrono::duration_cast<std::chrono::seconds>(r.received_at - back).count());
    if (per_second.size() <= s) per_second.resize(s + 1, 0);
    ++per_second[s];
  }
  std::string rates;
  for (int c : per_second)
    rates += std::to_string(c) + " ";
  std::printf("deliveries per second after recovery: %s\n", rates.c_str());
  RecordProperty("recovery_rates", rates);
  // Not in one burst (the 60 retries due together would come within a few ms): never more than 15 within
  // 250 ms, and the first second holds little more than the budget's floor.
  EXPECT_LE(max_in_window(after, 250ms), 15u) << rates;
  ASSERT_FALSE(per_second.empty());
  EXPECT_LE(per_second[0], 12) << rates;
  EXPECT_GE(after.size(), static_cast<size_t>(kEvents)) << "every event delivered once the endpoint was back";
}

}  // namespace
}  // namespace hookd::test
