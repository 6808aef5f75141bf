// Replay jobs in a real Redis: the runner writes only while it owns a running job, a cancel reaches it, a
// finished job cannot be cancelled, the environment's list is newest first, and jobs whose lease ran out are
// failed once, with the reason.
#include <thread>

#include <gtest/gtest.h>

#include "admin/replay_job.h"
#include "core/clock.h"
#include "core/ids.h"
#include "run_coroutine.h"
#include "redis_store.h"
#include "services.h"

namespace hookd::admin {
namespace {

constexpr int kDb = 6;

class ReplayJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { jobs_ = std::make_unique<ReplayJobStore>(redis_.store(), std::chrono::hours(1)); }
  void TearDown() override { redis_.stop(); }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }

  ReplayJob job(std::string env, std::string owner = "node-a") {
    ReplayJob j;
    j.id = ids::uuid_v7();
    j.environment_id = std::move(env);
    j.spec.scope = "environment";
    j.spec.rate_per_second = 2.5;
    j.owner = std::move(owner);
    j.created_at = j.updated_at = clock::now_millis();
    j.lease_until = j.created_at + 30'000;
    return j;
  }

  test::RedisStore redis_{kDb, 1};
  std::unique_ptr<ReplayJobStore> jobs_;
};

TEST_F(ReplayJobStoreTest, ProgressIsWrittenByTheOwnerOfARunningJobOnly) {
  ReplayJob j = job("env-1");
  ASSERT_TRUE(run(jobs_->create(j)).ok());
  j.state = JobState::running;
  j.selected = 10;
  j.replayed = 3;
  j.skipped["in_flight"] = 1;
  auto w = run(jobs_->write(j));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(*w, WriteResult::ok);

  auto read = run(jobs_->get("env-1", j.id));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->state, JobState::running);
  EXPECT_EQ(read->replayed, 3);
  EXPECT_EQ(read->skipped["in_flight"], 1);
  EXPECT_DOUBLE_EQ(read->spec.rate_per_second, 2.5);

  ReplayJob other = j;
  other.owner = "node-b";
  other.replayed = 9;
  EXPECT_EQ(*run(jobs_->write(other)), WriteResult::lost) << "another node never overwrites the owner's job";
  EXPECT_EQ(run(jobs_->get("env-1", j.id))->replayed, 3);

  // A cancel reaches the owner with its next write; once finished, nothing more is written.
  ASSERT_TRUE(run(jobs_->request_cancel("env-1", j.id)).ok());
  EXPECT_EQ(*run(jobs_->write(j)), WriteResult::cancel_requested);
  j.state = JobState::cancelled;
  EXPECT_EQ(*run(jobs_->write(j)), WriteResult::cancel_requested);
  j.state = JobState::running;
  EXPECT_EQ(*run(jobs_->write(j)), WriteResult::lost) << "a finished job stays finished";
  auto again = run(jobs_->request_cancel("env-1", j.id));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, store::StoreErrc::conflict);
}

TEST_F(ReplayJobStoreTest, AnEnvironmentSeesItsOwnJobsNewestFirst) {
  ReplayJob a = job("env-1"), b = job("env-1"), foreign = job("env-2");
  b.id = ids::uuid_v7(a.created_at + 1);  // strictly later
  for (const auto& j : {a, b, foreign})
    ASSERT_TRUE(run(jobs_->create(j)).ok());
  auto page = run(jobs_->list("env-1", "", 1));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, b.id);
  auto next = run(jobs_->list("env-1", page->next_cursor, 10));
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].id, a.id);
  EXPECT_TRUE(next->next_cursor.empty());
  auto cross = run(jobs_->get("env-2", a.id));
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code, store::StoreErrc::not_found);
  EXPECT_FALSE(run(jobs_->request_cancel("env-2", a.id)).ok());
}

TEST_F(ReplayJobStoreTest, AJobWhoseLeaseRanOutIsFailedOnce) {
  ReplayJob stale = job("env-1"), live = job("env-1");
  stale.lease_until = 1000;
  ASSERT_TRUE(run(jobs_->create(stale)).ok());
  ASSERT_TRUE(run(jobs_->create(live)).ok());
  int64_t now = clock::now_millis();
  auto failed = run(jobs_->fail_expired(now));
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(*failed, 1u);
  auto read = run(jobs_->get("env-1", stale.id));
  EXPECT_EQ(read->state, JobState::failed);
  EXPECT_NE(read->error.find("admin node lost"), std::string::npos);
  EXPECT_EQ(run(jobs_->get("env-1", live.id))->state, JobState::queued);
  EXPECT_EQ(*run(jobs_->fail_expired(now)), 0u) << "failed once";
  stale.state = JobState::running;
  EXPECT_EQ(*run(jobs_->write(stale)), WriteResult::lost) << "its runner, if alive after all, stops";
}

}  // namespace
}  // namespace hookd::admin
