// Nothing stranded: the events of a disabled endpoint are kept as paused deliveries (bounded per endpoint), one
// enable call with replay delivers them and what failed since a time, and an auto-disable is announced
// durably (a notice on the environment, a webhook:disabled event to the other endpoints).
#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

#include <hiredis/hiredis.h>

#include "core/event.h"
#include "core/ids.h"
#include "e2e_fixture.h"
#include "services.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

class Paused : public E2eTest {
 protected:
  static constexpr int kBound = 3;
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_PAUSED_MAX_PER_ENDPOINT"] = std::to_string(kBound);
    env["HOOKD_MAX_ATTEMPTS"] = "1";  // a failing delivery is dead-lettered at its first attempt
    return env;
  }

  std::string post_event(int n) {
    auto r = post_shopify(R"({"id":)" + std::to_string(n) + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().get("events").at(0).get("id").string_or(""));
  }
  json::Value deliveries(const std::string& query) {
    auto r = admin("GET", "/webhook/" + webhook_id_ + "/deliveries?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().get("result");
  }
  // Waits until the endpoint has `count` deliveries with `status` (dispatch finishes them asynchronously).
  void wait_for_deliveries(const std::string& status, size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         std::chrono::steady_clock::now() < deadline;) {
      if (deliveries("status=" + status).size() == count) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the endpoint never had " << count << " " << status << " deliveries";
  }
  std::set<std::string> webhook_ids(size_t from) {
    std::set<std::string> out;
    auto all = sink_.requests();
    for (size_t i = from; i < all.size(); ++i)
      out.insert(all[i].header("webhook-id").value_or(""));
    return out;
  }
};

TEST_F(Paused, ADisabledEndpointsEventsArePausedAndOneEnableWithReplayDeliversThemAndWhatFailedSince) {
  // Two dead-lettered deliveries, one before `since` and one after.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "down"); });
  post_event(1);
  wait_for_deliveries("failed", 1);
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  int64_t since = now_ms();
  // Dead-letter times are ms: the next one is strictly after `since` once the clock has moved on.
  while (now_ms() <= since)
    std::this_thread::yield();
  std::string failed_after = post_event(2);
  wait_for_deliveries("failed", 2);
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });

  auto off = admin("POST", "/webhook/" + webhook_id_ + "/disable", R"({"reason":"maintenance"})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(off.json().get("is_active").as_bool());
  EXPECT_EQ(off.json().get("disabled_reason").string_or(""), "maintenance");
  std::set<std::string> paused_events;
  for (int i = 0; i < kBound; ++i)
    paused_events.insert(post_event(10 + i));
  wait_until_dispatched();
  size_t received = sink_.request_count();
  EXPECT_EQ(received, 2u) << "a disabled endpoint receives nothing";
  json::Value paused = deliveries("status=paused");
  ASSERT_EQ(paused.size(), static_cast<size_t>(kBound));
  std::set<std::string> listed;
  for (size_t i = 0; i < paused.size(); ++i)
    listed.insert(std::string(paused.at(i).get("event_id").as_string()));
  EXPECT_EQ(listed, paused_events);
  EXPECT_EQ(metric("hookd_dispatch_paused_total"), kBound);

  // A dry run counts and changes nothing, not even is_active.
  std::string ask = R"({"replay":true,"since":)" + std::to_string(since) + "}";
  std::string dry_ask = R"({"replay":true,"dry_run":true,"since":)" + std::to_string(since) + "}";
  auto dry = admin("POST", "/webhook/" + webhook_id_ + "/enable", dry_ask);
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.json().get("resumed").as_number(), kBound);
  EXPECT_EQ(dry.json().get("replayed").as_number(), 1);
  EXPECT_FALSE(dry.json().get("webhook").get("is_active").as_bool());
  EXPECT_FALSE(admin("GET", "/webhook/" + webhook_id_).json().get("is_active").as_bool());
  EXPECT_EQ(deliveries("status=paused").size(), static_cast<size_t>(kBound));

  // One call: enabled, the paused ones resumed, the failed one since `since` replayed.
  auto on = admin("POST", "/webhook/" + webhook_id_ + "/enable", ask);
  ASSERT_EQ(on.status, 200) << on.body;
  json::Value answer = on.json();
  EXPECT_TRUE(answer.get("webhook").get("is_active").as_bool());
  EXPECT_FALSE(answer.get("webhook").get("disabled_reason").is_string());
  EXPECT_EQ(answer.get("resumed").as_number(), kBound);
  EXPECT_EQ(answer.get("replayed").as_number(), 1);
  EXPECT_EQ(answer.get("skipped").as_number(), 0);
  EXPECT_EQ(answer.get("paused_dropped").as_number(), 0);
  EXPECT_EQ(metric("hookd_dispatch_paused_resumed_total"), kBound);

  ASSERT_TRUE(sink_.wait_for_requests(received + kBound + 1, 30s)) << sink_.request_count();
  wait_until_dispatched();
  EXPECT_EQ(sink_.request_count(), received + kBound + 1) << "exactly those, once each";
  std::set<std::string> expected = paused_events;
  expected.insert(failed_after);
  EXPECT_EQ(webhook_ids(received), expected) << "the same event ids (webhook-id)";
  EXPECT_EQ(deliveries("status=paused").size(), 0u);
  EXPECT_EQ(deliveries("status=succeeded").size(), static_cast<size_t>(kBound + 1));
  EXPECT_EQ(deliveries("status=failed").size(), 1u) << "the failure before `since` stays dead-lettered";

  // Again: idempotent, nothing left to resume; the same failure is not failed any more.
  auto again = admin("POST", "/webhook/" + webhook_id_ + "/enable", ask);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().get("resumed").as_number(), 0);
  EXPECT_EQ(again.json().get("replayed").as_number(), 0);
}

TEST_F(Paused, OverTheBoundEventsAreNotRecordedAndTheCountIsReported) {
  ASSERT_EQ(admin("POST", "/webhook/" + webhook_id_ + "/disable", "{}").status, 200);
  for (int i = 0; i < kBound + 2; ++i)
    post_event(i);
  wait_until_dispatched();
  EXPECT_EQ(deliveries("status=paused").size(), static_cast<size_t>(kBound));
  EXPECT_EQ(metric("hookd_dispatch_paused_dropped_total"), 2);
  EXPECT_EQ(sink_.request_count(), 0u);

  auto on = admin("POST", "/webhook/" + webhook_id_ + "/enable", R"({"replay":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json().get("paused_dropped").as_number(), 2);
  EXPECT_EQ(on.json().get("resumed").as_number(), kBound);
  ASSERT_TRUE(sink_.wait_for_requests(kBound, 30s));
  wait_until_dispatched();
  EXPECT_EQ(sink_.request_count(), static_cast<size_t>(kBound));
}

TEST_F(Paused, EnableWithoutReplayDeliversNewEventsOnlyAndBadInputIsRefused) {
  auto bad = admin("POST", "/webhook/" + webhook_id_ + "/enable", R"({"replay":"yes"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().get("field").string_or(""), "replay");
  bad = admin("POST", "/webhook/" + webhook_id_ + "/enable", R"({"replay":true,"since":"yesterday"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().get("field").string_or(""), "since");
  bad = admin("POST", "/webhook/" + webhook_id_ + "/disable", R"({"reason":7})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().get("field").string_or(""), "reason");
  EXPECT_EQ(admin("POST", "/webhook/nope/enable", "{}").status, 404);

  ASSERT_EQ(admin("PATCH", "/webhook/" + webhook_id_, R"({"is_active":false})").status, 200);
  post_event(1);
  wait_until_dispatched();
  EXPECT_EQ(deliveries("status=paused").size(), 1u) << "a PATCH disables as /disable does";
  auto on = admin("POST", "/webhook/" + webhook_id_ + "/enable", "{}");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json().get("paused").as_number(), 1);
  EXPECT_EQ(on.json().get("resumed").as_number(), 0);
  std::string fresh = post_event(2);
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));
  wait_until_dispatched();
  EXPECT_EQ(sink_.request_count(), 1u) << "the paused one stays paused without replay";
  EXPECT_EQ(sink_.requests()[0].header("webhook-id").value_or(""), fresh);
  EXPECT_EQ(deliveries("status=paused").size(), 1u);
}

TEST_F(Paused, HookctlDisablesAndEnablesWithReplay) {
  auto [rc, out] =
      hookctl(*hookd_, token_, "webhook disable " + webhook_id_ + " --reason 'maintenance window'");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("disabled: maintenance window"), std::string::npos) << out;
  post_event(1);
  wait_for_deliveries("paused", 1);
  EXPECT_EQ(sink_.request_count(), 0u);

  std::tie(rc, out) = hookctl(*hookd_, token_, "webhook enable " + webhook_id_ + " --replay --dry-run");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("would be enabled"), std::string::npos) << out;
  EXPECT_EQ(deliveries("status=paused").size(), 1u) << "a dry run changes nothing";

  std::tie(rc, out) = hookctl(*hookd_, token_, "webhook enable " + webhook_id_ + " --replay");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("paused 1, resumed 1"), std::string::npos) << out;
  ASSERT_TRUE(sink_.wait_for_requests(1, 30s));

  std::tie(rc, out) = hookctl(*hookd_, token_, "webhook enable nope");
  EXPECT_EQ(rc, 1) << out;
  std::tie(rc, out) = hookctl(*hookd_, token_, "webhook pause " + webhook_id_);
  EXPECT_EQ(rc, 2) << out;
}

class DisabledNotice : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_DISABLE_AFTER"] = "0s";
    env["HOOKD_DISABLE_AFTER_FAILURES"] = "2";
    env["HOOKD_MAX_ATTEMPTS"] = "10";
    env["HOOKD_RETRY_SCHEDULE"] = "1s";
    return env;
  }
};

TEST_F(DisabledNotice, AnAutoDisableIsRecordedOnTheEnvironmentAndAnnouncedToTheOtherEndpoints) {
  TestHttpServer watcher;
  create_webhook(watcher.url("/watch"), R"(["webhook:disabled"])");
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(502, "bad gateway"); });
  ASSERT_EQ(post_shopify(R"({"id":1})").status, 200);
  ASSERT_TRUE(watcher.wait_for_requests(1, 30s)) << "no webhook:disabled event";
  json::Value e;
  ASSERT_TRUE(json::parse(watcher.requests()[0].body, e));
  EXPECT_EQ(e.get("event").as_string(), "webhook:disabled");
  EXPECT_EQ(e.get("payload").get("webhook_id").as_string(), webhook_id_);

  json::Value notice;
  for (auto deadline = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < deadline;) {
    auto r = admin("GET", "/environment/notices");
    ASSERT_EQ(r.status, 200) << r.body;
    notice = r.json().get("result").at(0);
    if (notice.get("published").bool_or(false)) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(notice.get("type").string_or(""), "webhook:disabled");
  EXPECT_EQ(notice.get("webhook_id").string_or(""), webhook_id_);
  EXPECT_TRUE(notice.get("published").bool_or(false));
  EXPECT_EQ(notice.get("id").string_or(""), e.get("id").as_string()) << "the notice is the event's record";
  EXPECT_EQ(watcher.requests()[0].header("webhook-id").value_or(""), e.get("id").as_string());

  // Its events from now on are paused, not failed.
  sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  ASSERT_EQ(post_shopify(R"({"id":2})").status, 200);
  wait_until_dispatched();
  auto paused = admin("GET", "/webhook/" + webhook_id_ + "/deliveries?status=paused").json().get("result");
  EXPECT_EQ(paused.size(), 1u);
  EXPECT_EQ(watcher.request_count(), 1u) << "announced once";
}

// A notice recorded but never acknowledged by Kafka (Kafka was down, or the dispatcher died before the ack) is
// published by the next dispatcher that starts.
class NoticeSweep : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_ROLES"] = "ingest,admin";  // the dispatcher is started by the test, after the notice is left
    return env;
  }
  // Writes what NoticeStore::record writes (dispatch/notices.h), with the key names of store/keys.h.
  void leave_unpublished_notice(const Event& e) {
    std::string url = redis_url(kRedisDb);
    std::string hostport = url.substr(url.find("//") + 2);
    hostport = hostport.substr(0, hostport.find('/'));
    redisContext* c = redisConnect(hostport.substr(0, hostport.rfind(':')).c_str(),
                                   std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str()));
    ASSERT_TRUE(c && !c->err);
    std::string key = "hookd:{" + environment_id_ + "}:notice:" + e.id;
    std::string index = "hookd:{" + environment_id_ + "}:notices";
    std::string member = environment_id_ + "/" + e.id;
    std::string text = serialize_event(e), at = std::to_string(e.created_at);
    for (auto* reply : {
             static_cast<redisReply*>(redisCommand(c, "SELECT %d", kRedisDb)),
             static_cast<redisReply*>(redisCommand(c, "SADD hookd:notices:unpublished %s", member.c_str())),
             static_cast<redisReply*>(redisCommand(
                 c,
                 "HSET %s id %s environment_id %s type webhook:disabled webhook_id %s target_url x reason %s "
                 "created_at %s event %b",
                 key.c_str(), e.id.c_str(), environment_id_.c_str(), webhook_id_.c_str(), "left behind",
                 at.c_str(), text.data(), text.size())),
             static_cast<redisReply*>(
                 redisCommand(c, "ZADD %s %s %s", index.c_str(), at.c_str(), e.id.c_str())),
         }) {
      EXPECT_TRUE(reply && reply->type != REDIS_REPLY_ERROR) << (reply ? reply->str : "no reply");
      if (reply) freeReplyObject(reply);
    }
    redisFree(c);
  }
};

TEST_F(NoticeSweep, ANoticeNotYetPublishedIsPublishedWhenADispatcherStarts) {
  TestHttpServer watcher;
  create_webhook(watcher.url("/watch"), R"(["webhook:disabled"])");
  json::ObjectBuilder payload;
  payload.set("webhook_id", webhook_id_).set("reason", "left behind");
  Event e = make_event("webhook:disabled", environment_id_, std::move(payload).build());
  e.id = ids::uuid_v4();
  leave_unpublished_notice(e);
  auto listed = admin("GET", "/environment/notices").json().get("result");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed.at(0).get("published").as_bool());

  auto env = E2eTest::hookd_env();
  env["HOOKD_ROLES"] = "dispatch";
  HookdProcess dispatcher(hookd_binary(), env);
  ASSERT_TRUE(watcher.wait_for_requests(1, 30s)) << "the left notice was never published";
  EXPECT_EQ(watcher.requests()[0].header("webhook-id").value_or(""), e.id);
  bool published = false;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       !published && std::chrono::steady_clock::now() < deadline;) {
    published =
        admin("GET", "/environment/notices").json().get("result").at(0).get("published").bool_or(false);
    if (!published) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(published);
}

}  // namespace
}  // namespace hookd::test
