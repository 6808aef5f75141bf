// Issue 16, part 5: replays run as jobs (rate-capped, with progress, cancellable, per environment) and can read
// events back from Kafka once their Redis copies have expired.
#include <cstdio>
#include <fstream>
#include <thread>

#include <hiredis/hiredis.h>

#include "e2e_fixture.h"
#include "services.h"
#include "store/keys.h"

namespace hookd::test {
namespace {

using namespace std::chrono_literals;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ReplayJobs : public E2eTest {
 protected:
  // `n` events whose deliveries to the fixture's endpoint are dead-lettered; the sink answers 200 afterwards.
  void dead_letter(int n) {
    sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(500, "broken"); });
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(post_shopify(R"({"id":)" + std::to_string(1000 + i) + "}").status, 200);
    wait_until_dispatched();
    json::Value failed =
        admin("GET", "/webhook/" + webhook_id_ + "/deliveries?status=failed&limit=200").json();
    ASSERT_EQ(failed.get("result").size(), static_cast<size_t>(n));
    sink_.set_handler([](const RecordedRequest&) { return Reply::with_status(200, "ok"); });
  }

  std::string start_job(const std::string& body, const std::string& token = {}) {
    auto r = admin("POST", "/replay", body, token);
    EXPECT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.json().get("state").string_or(""), "queued") << r.body;
    return std::string(r.json().get("id").string_or(""));
  }

  // Polls GET /replay/{id} until the job has finished (a condition on the job's own record).
  json::Value wait_job(const std::string& id, std::chrono::milliseconds timeout = 30s) {
    json::Value job;
    for (auto deadline = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < deadline;) {
      job = admin("GET", "/replay/" + id).json();
      std::string state(job.get("state").string_or(""));
      if (state != "queued" && state != "running") return job;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "job " << id << " did not finish: " << json::dump(job);
    return job;
  }

  // Deletes the Redis copies of `event_id` and its deliveries, as their retention would.
  void expire_in_redis(const std::string& event_id) {
    json::Value list = admin("GET", "/delivery?event_id=" + event_id).json();
    const int shard = store::keys::delivery_shard(environment_id_);
    std::vector<std::string> keys = {store::keys::event(shard, event_id),
                                     store::keys::event_deliveries(shard, event_id)};
    for (const auto& d : list.get("result").as_array()) {
      keys.push_back(store::keys::delivery(shard, d.get("id").as_string()));
      keys.push_back(store::keys::delivery_attempts(shard, d.get("id").as_string()));
    }
    std::string url = redis_url(kRedisDb);  // redis://host:port/db
    std::string hostport = url.substr(8, url.rfind('/') - 8);
    redisContext* c = redisConnect(hostport.substr(0, hostport.find(':')).c_str(),
                                   std::stoi(hostport.substr(hostport.find(':') + 1)));
    ASSERT_TRUE(c && !c->err);
    freeReplyObject(redisCommand(c, "SELECT %d", kRedisDb));
    for (const auto& k : keys)
      freeReplyObject(redisCommand(c, "DEL %b", k.data(), k.size()));
    redisFree(c);
    ASSERT_EQ(admin("GET", "/delivery?event_id=" + event_id).json().get("result").size(), 0u);
  }

  std::vector<RecordedRequest> requests_from(size_t first) {
    auto all = sink_.requests();
    return {all.begin() + static_cast<std::ptrdiff_t>(std::min(first, all.size())), all.end()};
  }
};

TEST_F(ReplayJobs, AJobHoldsItsRateAndItsProgressReachesTheTotals) {
  dead_letter(20);
  size_t before = sink_.request_count();
  double replayed_before = metric("hookd_replay_items_total{result=\"replayed\"}");
  std::string id =
      start_job(R"({"scope":"webhook","webhook_id":")" + webhook_id_ + R"(","rate_per_second":10})");
  ASSERT_TRUE(sink_.wait_for_requests(before + 20, 30s));
  json::Value job = wait_job(id);
  EXPECT_EQ(job.get("state").string_or(""), "succeeded") << json::dump(job);
  EXPECT_EQ(job.get("selected").number_or(-1), 20);
  EXPECT_EQ(job.get("replayed").number_or(-1), 20);
  EXPECT_EQ(job.get("processed").number_or(-1), 20);
  EXPECT_EQ(job.get("rate_per_second").number_or(-1), 10);
  EXPECT_TRUE(job.get("finished_at").is_string());

  // 20 items at 10 a second: the first goes at once, the last 1.9 s later, whatever the dispatcher's pace.
  auto replays = requests_from(before);
  ASSERT_EQ(replays.size(), 20u);
  for (const auto& r : replays)
    EXPECT_EQ(r.header("X-Hookd-Replay").value_or(""), "true");
  auto span = replays.back().received_at - replays.front().received_at;
  EXPECT_GE(span, 1700ms) << "the cap of 10/s was not held";
  EXPECT_EQ(metric("hookd_replay_items_total{result=\"replayed\"}") - replayed_before, 20);
  EXPECT_GE(metric("hookd_replay_jobs_total{state=\"succeeded\"}"), 1);

  // The environment's jobs, newest first.
  std::string second =
      start_job(R"({"scope":"environment","filters":{"status":"succeeded"},"rate_per_second":50})");
  wait_job(second);
  json::Value list = admin("GET", "/replay").json();
  ASSERT_GE(list.get("result").size(), 2u);
  EXPECT_EQ(list.get("result").at(0).get("id").string_or(""), second);
  EXPECT_EQ(list.get("result").at(1).get("id").string_or(""), id);
}

TEST_F(ReplayJobs, CancelStopsARunningJob) {
  dead_letter(10);
  size_t before = sink_.request_count();
  std::string id = start_job(R"({"scope":"environment","rate_per_second":2})");
  ASSERT_TRUE(sink_.wait_for_requests(before + 2, 30s));
  auto cancel = admin("POST", "/replay/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  json::Value job = wait_job(id);
  EXPECT_EQ(job.get("state").string_or(""), "cancelled") << json::dump(job);
  EXPECT_LT(job.get("replayed").number_or(99), 10);
  EXPECT_EQ(job.get("selected").number_or(-1), 10);
  wait_until_dispatched();
  EXPECT_LT(sink_.request_count(), before + 10) << "a cancelled job stops sending";
  EXPECT_EQ(sink_.request_count() - before, static_cast<size_t>(job.get("replayed").as_number()));
  // A finished job cannot be cancelled again.
  EXPECT_EQ(admin("POST", "/replay/" + id + "/cancel").status, 409);
}

TEST_F(ReplayJobs, ADryRunCountsAndCreatesNothing) {
  dead_letter(3);
  size_t before = sink_.request_count();
  auto dry =
      admin("POST", "/replay", R"({"scope":"webhook","webhook_id":")" + webhook_id_ + R"(","dry_run":true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.json().get("selected").number_or(-1), 3);
  EXPECT_TRUE(dry.json().get("dry_run").bool_or(false));
  EXPECT_EQ(admin("GET", "/replay").json().get("result").size(), 0u) << "a dry run creates no job";
  // Bad requests name the field.
  auto bad = admin("POST", "/replay", R"({"scope":"environment","rate_per_second":100000})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().get("field").string_or(""), "rate_per_second");
  auto no_range = admin("POST", "/replay", R"({"scope":"environment","source":"kafka"})");
  EXPECT_EQ(no_range.status, 400);
  EXPECT_EQ(no_range.json().get("field").string_or(""), "filters.since");
  wait_until_dispatched();
  EXPECT_EQ(sink_.request_count(), before);

  // One delivery, by id.
  std::string delivery(admin("GET", "/webhook/" + webhook_id_ + "/deliveries?status=failed&limit=1")
                           .json()
                           .get("result")
                           .at(0)
                           .get("id")
                           .string_or(""));
  json::Value one = wait_job(start_job(R"({"scope":"delivery","delivery_id":")" + delivery + R"("})"));
  EXPECT_EQ(one.get("replayed").number_or(-1), 1) << json::dump(one);
  ASSERT_TRUE(sink_.wait_for_requests(before + 1, 30s));
  EXPECT_EQ(sink_.requests().back().header("X-Hookd-Delivery-Id").value_or(""), delivery);
}

TEST_F(ReplayJobs, AnotherEnvironmentsTokenNeitherSeesNorCancelsAJob) {
  dead_letter(2);
  std::string id = start_job(R"({"scope":"environment","rate_per_second":1})");
  auto env_b = operator_call("POST", "/environment", R"({"name":"other"})");
  std::string b_token(
      operator_call("POST", "/environment/" + std::string(env_b.json().get("id").as_string()) + "/api-token",
                    "{}")
          .json()
          .get("token")
          .as_string());
  EXPECT_EQ(admin("GET", "/replay/" + id, "", b_token).status, 404);
  EXPECT_EQ(admin("POST", "/replay/" + id + "/cancel", "", b_token).status, 404);
  json::Value b_list = admin("GET", "/replay", "", b_token).json();
  EXPECT_EQ(b_list.get("result").size(), 0u);
  EXPECT_EQ(admin("GET", "/replay/" + id).json().get("cancel_requested").bool_or(true), false);
  EXPECT_EQ(admin("POST", "/replay/" + id + "/cancel").status, 202);  // its own token can
  EXPECT_EQ(wait_job(id).get("state").string_or(""), "cancelled");
}

TEST_F(ReplayJobs, FromKafkaAfterTheRedisCopiesExpired) {
  int64_t since = now_ms() - 1;
  std::vector<std::string> event_ids;
  for (int i = 0; i < 3; ++i) {
    auto r = post_shopify(R"({"id":)" + std::to_string(2000 + i) + "}");
    ASSERT_EQ(r.status, 200);
    event_ids.emplace_back(r.json().get("events").at(0).get("id").as_string());
  }
  wait_until_dispatched();
  ASSERT_EQ(sink_.request_count(), 3u);
  for (const auto& e : event_ids)
    expire_in_redis(e);
  // An endpoint created after the events: the log replay leaves it out unless asked.
  TestHttpServer late_sink;
  json::Value late = create_webhook(late_sink.url("/late"), "[]");
  std::string late_id(late.get("id").as_string());
  int64_t until = now_ms() + 1;
  std::string range =
      R"("filters":{"since":)" + std::to_string(since) + R"(,"until":)" + std::to_string(until) + "}";

  // Redis alone has nothing left to replay.
  auto from_redis = admin("POST", "/replay", R"({"scope":"environment","dry_run":true,)" + range + "}");
  EXPECT_EQ(from_redis.json().get("selected").number_or(-1), 0) << from_redis.body;

  auto dry =
      admin("POST", "/replay", R"({"scope":"environment","source":"kafka","dry_run":true,)" + range + "}");
  EXPECT_EQ(dry.json().get("selected").number_or(-1), 3) << dry.body;
  std::string id =
      start_job(R"({"scope":"environment","source":"kafka","rate_per_second":100,)" + range + "}");
  json::Value job = wait_job(id);
  EXPECT_EQ(job.get("state").string_or(""), "succeeded") << json::dump(job);
  EXPECT_EQ(job.get("selected").number_or(-1), 3) << json::dump(job);
  EXPECT_EQ(job.get("created").number_or(-1), 3);
  EXPECT_GE(job.get("scanned").number_or(0), 3);
  ASSERT_TRUE(sink_.wait_for_requests(6, 30s));
  std::set<std::string> again;
  for (const auto& r : requests_from(3)) {
    json::Value e;
    ASSERT_TRUE(json::parse(r.body, e));
    again.insert(std::string(e.get("id").as_string()));
  }
  EXPECT_EQ(again, std::set<std::string>(event_ids.begin(), event_ids.end())) << "the same event ids, again";
  wait_until_dispatched();
  EXPECT_EQ(late_sink.request_count(), 0u) << "an endpoint newer than the events gets them only on request";

  std::string late_job = start_job(R"({"scope":"webhook","webhook_id":")" + late_id +
                                   R"(","source":"kafka","include_new_endpoints":true,)" + range + "}");
  EXPECT_EQ(wait_job(late_job).get("created").number_or(-1), 3);
  ASSERT_TRUE(late_sink.wait_for_requests(3, 30s));
  std::set<std::string> late_ids;
  for (const auto& r : late_sink.requests()) {
    json::Value e;
    ASSERT_TRUE(json::parse(r.body, e));
    late_ids.insert(std::string(e.get("id").as_string()));
  }
  EXPECT_EQ(late_ids, std::set<std::string>(event_ids.begin(), event_ids.end()));
  wait_until_dispatched();
  EXPECT_EQ(sink_.request_count(), 6u) << "the webhook-scoped job sent nothing to the other endpoint";
}

TEST_F(ReplayJobs, HookctlDrivesAJobToCompletion) {
  dead_letter(3);
  auto [dry_rc, dry] = hookctl(*hookd_, token_, "replay --webhook " + webhook_id_ + " --rate 20 --dry-run");
  EXPECT_EQ(dry_rc, 0) << dry;
  EXPECT_NE(dry.find("dry run: would replay 3"), std::string::npos) << dry;
  auto [rc, out] =
      hookctl(*hookd_, token_, "replay --webhook " + webhook_id_ + " --rate 20 --wait 2>progress.txt");
  EXPECT_EQ(rc, 0) << out;
  // Not a terminal: the progress is plain lines on stderr, the last one at the totals.
  std::ifstream progress("progress.txt");
  std::string line, last;
  while (std::getline(progress, line))
    last = line;
  EXPECT_NE(last.find("3/3  replayed 3  skipped 0  succeeded"), std::string::npos) << last;
  std::remove("progress.txt");
  EXPECT_NE(out.find(": succeeded"), std::string::npos) << out;
  EXPECT_NE(out.find("replayed 3 of 3"), std::string::npos) << out;
  ASSERT_TRUE(sink_.wait_for_requests(9 + 3, 30s));
  std::string id = out.substr(out.find("replay job ") + 11, 36);
  auto [status_rc, status] = hookctl(*hookd_, token_, "replay status " + id + " --json");
  EXPECT_EQ(status_rc, 0) << status;
  json::Value job;
  ASSERT_TRUE(json::parse(status, job)) << status;
  EXPECT_EQ(job.get("replayed").number_or(-1), 3);
  auto [cancel_rc, cancel] = hookctl(*hookd_, token_, "replay cancel " + id + " 2>&1");
  EXPECT_EQ(cancel_rc, 1) << "a finished job cannot be cancelled: " << cancel;
  auto [jobs_rc, jobs] = hookctl(*hookd_, token_, "replay jobs");
  EXPECT_EQ(jobs_rc, 0);
  EXPECT_NE(jobs.find(id), std::string::npos) << jobs;
}

}  // namespace
}  // namespace hookd::test

namespace hookd::test {
namespace {

// A job whose admin process died: its lease runs out and a live admin node marks it failed, with the reason.
class ReplayJobLease : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_REPLAY_LEASE"] = "2s";  // the sweeper looks every lease/3
    return env;
  }
};

TEST_F(ReplayJobLease, AJobWhoseNodeDiedIsMarkedFailed) {
  // The record a runner on another node would have written before dying (its lease ran out long ago).
  std::string id = "01a00000-0000-7000-8000-000000000001";
  std::string key = store::keys::replay_job(environment_id_, id);
  std::string member = environment_id_ + "/" + id;
  std::string url = redis_url(kRedisDb);
  std::string hostport = url.substr(8, url.rfind('/') - 8);
  redisContext* c = redisConnect(hostport.substr(0, hostport.find(':')).c_str(),
                                 std::stoi(hostport.substr(hostport.find(':') + 1)));
  ASSERT_TRUE(c && !c->err);
  freeReplyObject(redisCommand(c, "SELECT %d", kRedisDb));
  freeReplyObject(redisCommand(c,
                               "HSET %b id %s environment_id %s scope environment source redis state running "
                               "owner dead-node lease_until 1 selected 10 replayed 4 created_at 1",
                               key.data(), key.size(), id.c_str(), environment_id_.c_str()));
  std::string leases = store::keys::replay_leases();
  freeReplyObject(
      redisCommand(c, "ZADD %b 1 %b", leases.data(), leases.size(), member.data(), member.size()));
  redisFree(c);

  json::Value job;
  for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
    job = admin("GET", "/replay/" + id).json();
    if (job.get("state").string_or("") != "running") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(job.get("state").string_or(""), "failed") << json::dump(job);
  EXPECT_NE(std::string(job.get("error").string_or("")).find("admin node lost"), std::string::npos);
  EXPECT_EQ(job.get("replayed").number_or(-1), 4) << "what it did before is still on record";
  EXPECT_GE(metric("hookd_replay_jobs_lost_total"), 1);
}

}  // namespace
}  // namespace hookd::test
