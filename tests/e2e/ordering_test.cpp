// Ordered endpoints (`ordering: "per_account"`) through the running service: one delivery in flight per
// integrated account, in the order the vendor's events were accepted, later ones waiting behind a failing one
// up to a bound.
#include <algorithm>
#include <mutex>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

class Ordering : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_MAX_ATTEMPTS"] = "10";
    env["HOOKD_RETRY_SCHEDULE"] = "200ms";
    return env;
  }
  bool seed_endpoint() const override { return false; }
  void TearDown() override {
    ordered_.stop();  // before what its handler reads goes
    E2eTest::TearDown();
  }

  std::string create_ordered_endpoint() {
    std::string body = R"({"target_url":")" + ordered_.url("/ordered") +
                       R"(","event_types":["record:*"],"ordering":"per_account"})";
    auto r = admin("POST", "/webhook", body);
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().get("ordering").string_or(""), "per_account") << r.body;
    return std::string(r.json().get("id").string_or(""));
  }
  // Posts `n` events for the fixture's account, one after the other; returns their event ids in that order.
  std::vector<std::string> post_events(int n) {
    std::vector<std::string> ids;
    for (int i = 1; i <= n; ++i) {
      auto r = post_shopify(R"({"id":)" + std::to_string(i) + "}");
      EXPECT_EQ(r.status, 200) << r.body;
      ids.emplace_back(r.json().get("events").at(0).get("id").string_or(""));
    }
    return ids;
  }
  static std::string event_id(const RecordedRequest& r) {
    json::Value e;
    return json::parse(r.body, e) ? std::string(e.get("id").string_or("")) : std::string();
  }

  TestHttpServer ordered_;
  std::mutex mu_;
  std::vector<std::string> delivered_;  // event ids answered 200, in the order they were answered
};

TEST_F(Ordering, AFlakyEndpointReceivesAnAccountsEventsInOrderOneAtATime) {
  create_ordered_endpoint();
  // Every third request fails; a successful one takes 50 ms to answer: anything sent out of turn or while
  // another was unanswered would show.
  std::vector<std::pair<std::chrono::steady_clock::time_point, bool>> arrivals;
  ordered_.set_handler([&](const RecordedRequest& r) {
    std::lock_guard lock(mu_);
    bool fail = arrivals.size() % 3 == 0;
    arrivals.emplace_back(std::chrono::steady_clock::now(), !fail);
    if (fail) return Reply::with_status(503, "flaky");
    delivered_.push_back(event_id(r));
    Reply ok;
    ok.delay = 50ms;
    return ok;
  });
  constexpr int kEvents = 12;
  std::vector<std::string> ids = post_events(kEvents);
  wait_until_dispatched({}, 90s);

  std::lock_guard lock(mu_);
  EXPECT_EQ(delivered_, ids) << "delivered in the order accepted, each once";
  for (size_t i = 0; i + 1 < arrivals.size(); ++i) {
    if (!arrivals[i].second) continue;
    EXPECT_GE(arrivals[i + 1].first - arrivals[i].first, 45ms)
        << "request " << i + 1 << " came before " << i << " was answered";
  }
  EXPECT_GT(metric("hookd_dispatch_deferred_total{reason=\"ordering\"}"), 0) << "later events waited";
}

class OrderingBound : public Ordering {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = Ordering::hookd_env();
    env["HOOKD_ORDERING_MAX_WAITING"] = "2";
    env["HOOKD_MAX_ATTEMPTS"] = "50";
    return env;
  }
};

TEST_F(OrderingBound, TooManyWaitingBehindAFailingOneLetItGoOutOfOrderMarked) {
  create_ordered_endpoint();
  std::atomic<bool> first_fails{true};
  std::string first_id;
  std::mutex first_mu;
  ordered_.set_handler([&](const RecordedRequest& r) {
    json::Value e;
    bool is_first = json::parse(r.body, e) && e.get("payload").get("record").get("id").as_number() == 1;
    if (is_first && first_fails) return Reply::with_status(503, "stuck");
    std::lock_guard lock(mu_);
    delivered_.push_back(event_id(r));
    return Reply{};
  });
  std::vector<std::string> ids = post_events(6);
  // Events 2..6 get through although 1 keeps failing: once more than 2 waited behind it, it was let go.
  for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
    {
      std::lock_guard lock(mu_);
      if (delivered_.size() >= 5) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(delivered_.size(), 5u);
    EXPECT_EQ(delivered_, std::vector<std::string>(ids.begin() + 1, ids.end())) << "the rest stayed in order";
  }
  json::Value list = admin("GET", "/delivery?event_id=" + ids[0]).json();
  ASSERT_EQ(list.get("result").size(), 1u) << json::dump(list);
  EXPECT_TRUE(list.get("result").at(0).get("order_skipped").bool_or(false)) << json::dump(list);
  EXPECT_GE(metric("hookd_dispatch_order_skipped_total"), 1);
  // It keeps its own retries and arrives when the endpoint takes it.
  first_fails = false;
  wait_until_dispatched({}, 60s);
  std::lock_guard lock(mu_);
  EXPECT_EQ(delivered_.size(), 6u);
  EXPECT_EQ(delivered_.back(), ids[0]);
}

TEST_F(Ordering, AnUnknownOrderingIsRefusedNamingTheField) {
  auto r =
      admin("POST", "/webhook", R"({"target_url":")" + ordered_.url("/x") + R"(","ordering":"per_tenant"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("ordering"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace hookd::test
