// Dispatcher failover through Kafka's consumer group: two dispatchers share a topic and one killed with
// SIGKILL hands its partitions to the other within the session timeout; a dispatcher restarted with its
// group.instance.id takes its partitions back at once (static membership), without waiting for its old session
// to expire; an idle dispatcher keeps polling and stays in the group, and so does one whose every slot is held
// by slow attempts. Leases: an attempt in flight keeps its delivery's lease however long it takes; a first
// attempt whose dispatcher died is sent again once its partition moved, and an event consumed again is not
// delivered again. A dispatcher stopped with SIGTERM records its attempts in flight
// before it exits.
#include <chrono>
#include <functional>
#include <thread>

#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Failover : public E2eTest {
 protected:
  // The fixture's hookd takes vendor requests and admin calls; the dispatchers are started by each test.
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_ROLES"] = "ingest,admin";
    return env;
  }

  // `wait_ready` false: returns once it listens, before it has joined the group.
  std::unique_ptr<HookdProcess> dispatcher(const std::string& instance_id,
                                           std::map<std::string, std::string> extra = {},
                                           bool wait_ready = true) {
    auto env = E2eTest::hookd_env();
    env["HOOKD_ROLES"] = "dispatch";
    env["HOOKD_KAFKA_GROUP_INSTANCE_ID"] = instance_id;
    env["HOOKD_KAFKA_SESSION_TIMEOUT"] = "6s";  // the broker's least (group.min.session.timeout.ms)
    env["HOOKD_KAFKA_HEARTBEAT_INTERVAL"] = "1s";
    for (auto& [k, v] : extra)
      env[k] = v;
    return std::make_unique<HookdProcess>(hookd_binary(), env, wait_ready);
  }

  // Accounts keyed to spread events over the topic's three partitions (Kafka's key is the account).
  void make_accounts(int n) {
    for (int i = 0; i < n; ++i) {
      auto account = admin("POST", "/integrated-account",
                           R"({"tenant_id":"t)" + std::to_string(i) + R"(","environment_integration_id":")" +
                               install_id_ + R"(","authentication_method":"api_key","context":{}})");
      ASSERT_EQ(account.status, 201) << account.body;
      accounts_.emplace_back(account.json().get("id").string_or(""));
    }
  }
  // One event per account.
  void publish_round() {
    for (const auto& a : accounts_) {
      auto r =
          admin("POST", "/event",
                R"({"event":"record:created","payload":{"n":1},"integrated_account_id":")" + a + R"("})");
      ASSERT_EQ(r.status, 202) << r.body;
    }
  }

  // The deliveries to the fixture's endpoint, once `done` holds for the list (or 30 s passed).
  json::Value deliveries_when(const std::function<bool(const json::Value&)>& done) {
    json::Value list;
    for (auto deadline = Clock::now() + 30s; Clock::now() < deadline;) {
      list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries").json().get("result");
      if (done(list)) break;
      std::this_thread::sleep_for(50ms);
    }
    return list;
  }
  static bool all_succeeded(const json::Value& list, size_t n) {
    if (list.size() != n) return false;
    for (const auto& d : list.as_array())
      if (d.get("status").string_or("") != "succeeded") return false;
    return true;
  }

  std::vector<std::string> accounts_;
};

// Lifecycle events (integrated_account:created) are not record:*, so the sink sees only the test's events.
TEST_F(Failover, AKilledDispatchersPartitionsMoveToTheOtherWithinTheSessionTimeout) {
  make_accounts(12);
  auto first = dispatcher("failover-a");
  auto second = dispatcher("failover-b");
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(12, 30s)) << "both dispatchers deliver before the kill";

  first->kill();
  auto killed = Clock::now();
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(24, 30s)) << second->log();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  // Session timeout 6 s, then a rebalance; the issue's bound is 15 s.
  EXPECT_LT(took, 15s) << "the survivor took " << took.count() << " ms to deliver the killed one's events";
  std::printf("failover: the survivor delivered every event %lld ms after the kill\n",
              static_cast<long long>(took.count()));
  EXPECT_EQ(second->stop(), 0);
}

TEST_F(Failover, ARestartedDispatcherWithItsInstanceIdTakesItsPartitionsBackAtOnce) {
  make_accounts(6);
  // A long session: without static membership a restart would wait for it to expire (the old member holds
  // its partitions until then); with it, the restarted instance replaces its old self at once.
  std::map<std::string, std::string> long_session = {{"HOOKD_KAFKA_SESSION_TIMEOUT", "30s"},
                                                     {"HOOKD_KAFKA_HEARTBEAT_INTERVAL", "3s"}};
  auto d = dispatcher("failover-static", long_session);
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(6, 30s));

  d->kill();
  auto killed = Clock::now();
  d = dispatcher("failover-static", long_session);
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(12, 40s)) << d->log();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  EXPECT_LT(took, 15s) << "the restarted instance waited " << took.count()
                       << " ms: as long as its old session (30 s)?";
  std::printf("failover: restarted with the same instance id, delivering again %lld ms after the kill\n",
              static_cast<long long>(took.count()));
  EXPECT_EQ(d->stop(), 0);
}

TEST_F(Failover, AnIdleDispatcherStaysInTheGroup) {
  make_accounts(1);
  // The group drops a member that has not polled for max.poll.interval.ms (300 s by default; 7 s here).
  auto d = dispatcher("failover-idle", {{"HOOKD_KAFKA_PROPERTIES", "max.poll.interval.ms=7000"}});
  // Nothing to consume for longer than that: the time passing is what is tested.
  std::this_thread::sleep_for(10s);
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(1, 20s)) << d->log();
  std::string log = d->log();
  EXPECT_EQ(log.find("kafka.partitions_revoked"), std::string::npos) << "left the group while idle:\n" << log;
  EXPECT_EQ(d->stop(), 0);
}

TEST_F(Failover, ASlowAttemptKeepsItsLeaseAndIsSentOnce) {
  make_accounts(1);
  // The endpoint answers after 7 s, more than three leases of 2 s: renewed while the attempt is in flight,
  // the lease never runs out, so neither this dispatcher's scheduler nor another claims the delivery again.
  Reply slow;
  slow.delay = 7s;
  sink_.enqueue(slow);
  auto d = dispatcher("lease-slow", {{"HOOKD_LEASE", "2s"}, {"HOOKD_DELIVERY_TIMEOUT", "30s"}});
  publish_round();
  auto list = deliveries_when([](const json::Value& l) { return all_succeeded(l, 1); });
  ASSERT_TRUE(all_succeeded(list, 1)) << json::dump(list) << d->log();
  EXPECT_EQ(sink_.request_count(), 1u) << "sent again while the first attempt was in flight";
  EXPECT_EQ(d->stop(), 0);
}

// A delivery created before its attempt (HOOKD_DISPATCH_RECORD_BEFORE_SEND, as for ordered endpoints and for
// events consumed again) is leased: cut off by a kill, it is sent again by another dispatcher's scheduler once
// the lease runs out.
TEST_F(Failover, AnAttemptInFlightWhenItsDispatcherDiesIsSentAgainWithinItsLease) {
  make_accounts(1);
  sink_.enqueue(Reply::of(Reply::Action::hang));  // the first attempt never gets an answer
  std::map<std::string, std::string> env = {{"HOOKD_LEASE", "3s"},
                                            {"HOOKD_DELIVERY_TIMEOUT", "60s"},
                                            {"HOOKD_DISPATCH_RECORD_BEFORE_SEND", "true"}};
  auto first = dispatcher("lease-a", env);
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s)) << first->log();
  first->kill();
  auto killed = Clock::now();
  // Not waiting for it to join the group (the killed member holds its partitions until its session ends):
  // the resend comes from the schedule once the lease runs out, which is what is measured.
  auto second = dispatcher("lease-b", env, false);
  ASSERT_TRUE(sink_.wait_for_requests(2, 30s)) << second->log();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  // The lease (3 s) runs out, then the other dispatcher's scheduler claims it; the issue's bound is 15 s
  // (with the default 10 s lease).
  EXPECT_LT(took, 8s) << "sent again " << took.count() << " ms after the kill";
  std::printf("lease: an attempt cut off by a kill was sent again %lld ms after it\n",
              static_cast<long long>(took.count()));
  auto requests = sink_.requests();
  EXPECT_EQ(requests[0].header("webhook-id"), requests[1].header("webhook-id")) << "the same event id";
  EXPECT_EQ(second->stop(), 0);
}

// By default a new event's first attempt goes out before anything is written (Dispatcher::deliver_first): one
// cut off by a kill was never recorded, and its event, never committed, comes again from Kafka once the
// partition has moved (the killed member's session, 6 s here).
TEST_F(Failover, AFirstAttemptInFlightWhenItsDispatcherDiesIsSentAgainOnceItsPartitionMoves) {
  make_accounts(1);
  std::map<std::string, std::string> env = {{"HOOKD_DELIVERY_TIMEOUT", "60s"}};
  auto first = dispatcher("first-a", env);
  // The partition's first event is checked (its mark is being read); the next goes out first.
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s)) << first->log();
  sink_.enqueue(Reply::of(Reply::Action::hang));  // the second event's attempt never gets an answer
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(2, 30s)) << first->log();
  EXPECT_EQ(metric_of(*first, "hookd_dispatch_events_checked_total"), 1) << "the second event was checked";
  auto listed = admin("GET", "/webhook/" + webhook_id_ + "/deliveries").json().get("result");
  EXPECT_EQ(listed.size(), 1u) << "a delivery in flight before its record: " << json::dump(listed);
  first->kill();
  auto killed = Clock::now();
  auto second = dispatcher("first-b", env, false);
  ASSERT_TRUE(sink_.wait_for_requests(3, 30s)) << second->log();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  // The session (6 s) ends, the group gives the partition to the other, which consumes the event again: the
  // issue's bound is 15 s.
  EXPECT_LT(took, 15s) << "sent again " << took.count() << " ms after the kill";
  std::printf("failover: a first attempt cut off by a kill was sent again %lld ms after it\n",
              static_cast<long long>(took.count()));
  auto requests = sink_.requests();
  EXPECT_EQ(requests[1].header("webhook-id"), requests[2].header("webhook-id")) << "the same event id";
  auto list = deliveries_when([](const json::Value& l) { return all_succeeded(l, 2); });
  EXPECT_TRUE(all_succeeded(list, 2)) << json::dump(list) << second->log();
  EXPECT_EQ(second->stop(), 0);
}

// Events consumed again (their offsets not committed: a crash, a partition that moved) may have been delivered
// already: the record of each first attempt raised its partition's mark, and what is at or before the mark
// takes the checked path, which creates (and sends) only deliveries that do not exist. A second consumer group
// reads the whole topic again.
TEST_F(Failover, AnEventConsumedAgainIsNotDeliveredAgain) {
  make_accounts(6);
  auto first = dispatcher("again-a");
  publish_round();
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(12, 30s)) << first->log();
  auto list = deliveries_when([](const json::Value& l) { return all_succeeded(l, 12); });
  ASSERT_TRUE(all_succeeded(list, 12)) << json::dump(list) << first->log();
  EXPECT_EQ(first->stop(), 0);

  // One attempt slot: the events go one at a time, so all but the first of each partition come after its mark
  // was read (the read is pipelined ahead of the first event's write on the same connection).
  auto second = dispatcher("again-b", {{"HOOKD_KAFKA_GROUP", "hookd-dispatch-again-" + topic_},
                                       {"HOOKD_DISPATCH_CONCURRENCY", "1"}});
  const double published = metric("hookd_kafka_messages_total{outcome=\"acked\"}");
  auto finished = [&] { return metric_of(*second, "hookd_dispatch_events_finished_total"); };
  for (auto deadline = Clock::now() + 30s; finished() < published && Clock::now() < deadline;)
    std::this_thread::sleep_for(50ms);
  ASSERT_GE(finished(), published) << "the second group did not consume the topic\n" << second->log();
  EXPECT_EQ(sink_.request_count(), 12u) << "events consumed again were delivered again\n" << second->log();
  EXPECT_NE(second->log().find("dispatch.recorded_offsets"), std::string::npos) << second->log();
  EXPECT_GE(metric_of(*second, "hookd_dispatch_events_checked_total"), 12) << "every one checked";
  EXPECT_EQ(second->stop(), 0);
}

TEST_F(Failover, SigtermRecordsTheAttemptsInFlightBeforeExiting) {
  make_accounts(1);
  Reply slow;
  slow.delay = 3s;
  sink_.enqueue(slow);
  auto d = dispatcher("lease-term", {{"HOOKD_DELIVERY_TIMEOUT", "30s"}});
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s)) << d->log();
  // Stopped while the endpoint takes its time: the answer is recorded before Redis is closed, so nothing is
  // left for another dispatcher to send again.
  EXPECT_EQ(d->stop(), 0);
  auto list = admin("GET", "/webhook/" + webhook_id_ + "/deliveries").json().get("result");
  EXPECT_TRUE(all_succeeded(list, 1)) << json::dump(list) << d->log();
}

TEST_F(Failover, ADispatcherStaysInTheGroupWhileEverySlotIsHeld) {
  make_accounts(2);
  // One attempt slot, held 10 s by a slow endpoint: the second event waits for it, the consumer has all it
  // may hold unfinished, and it must go on polling past max.poll.interval.ms (7 s) to stay in the group.
  Reply slow;
  slow.delay = 10s;
  sink_.enqueue(slow);
  auto d = dispatcher("stalled", {{"HOOKD_KAFKA_PROPERTIES", "max.poll.interval.ms=7000"},
                                  {"HOOKD_DISPATCH_CONCURRENCY", "1"},
                                  {"HOOKD_DELIVERY_TIMEOUT", "30s"}});
  publish_round();
  auto list = deliveries_when([](const json::Value& l) { return all_succeeded(l, 2); });
  ASSERT_TRUE(all_succeeded(list, 2)) << json::dump(list) << d->log();
  std::string log = d->log();
  EXPECT_NE(log.find("kafka.consumer_paused"), std::string::npos) << log;
  EXPECT_EQ(log.find("kafka.partitions_revoked"), std::string::npos) << "left the group while stalled:\n"
                                                                     << log;
  EXPECT_EQ(d->stop(), 0);
}

TEST_F(Failover, ADispatcherWithoutPartitionsIsReadyAsAStandby) {
  make_accounts(3);
  // Four dispatchers, three partitions: HookdProcess waits for /readyz, so the fourth starting is the test.
  std::vector<std::unique_ptr<HookdProcess>> ds;
  for (int i = 0; i < 4; ++i)
    ds.push_back(dispatcher("standby-" + std::to_string(i)));
  publish_round();
  ASSERT_TRUE(sink_.wait_for_requests(3, 30s));
  for (auto& d : ds)
    EXPECT_EQ(d->stop(), 0);
}

}  // namespace
}  // namespace hookd::test
