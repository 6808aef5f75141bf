// Notices against a real Redis: recorded before they are published, listed per environment newest first, and
// found by the start sweep until Kafka has acknowledged them (NoticeStore).
#include <algorithm>

#include <gtest/gtest.h>

#include "core/clock.h"

#include "dispatch/notices.h"
#include "run_coroutine.h"
#include "redis_store.h"
#include "services.h"
#include "store/keys.h"

namespace hookd::dispatch {
namespace {

constexpr int kDb = 3;

class NoticesTest : public ::testing::Test {
 protected:
  void SetUp() override { notices_ = std::make_unique<NoticeStore>(redis_.store()); }
  void TearDown() override { redis_.stop(); }
  template <typename T>
  T run(awaitable<T> a) {
    return redis_.run(std::move(a));
  }
  Notice notice(std::string id, std::string env, int64_t at) {
    return Notice{id, env, "webhook:disabled",       "wh-" + id, "https://x.test/h", "failing",
                  at, 0,   "{\"id\":\"" + id + "\"}"};
  }
  std::vector<std::string> unpublished_ids() {
    auto r = run(notices_->unpublished());
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<std::string> ids;
    if (r.ok())
      for (const auto& n : *r)
        ids.push_back(n.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  test::RedisStore redis_{kDb, 1};
  std::unique_ptr<NoticeStore> notices_;
};

TEST_F(NoticesTest, RecordedNoticesAreListedPerEnvironmentAndSweptUntilPublished) {
  int64_t now = clock::now_millis();
  ASSERT_TRUE(run(notices_->record(notice("n1", "env-a", now - 2000), std::chrono::hours(1))).ok());
  ASSERT_TRUE(run(notices_->record(notice("n2", "env-a", now - 1000), std::chrono::hours(1))).ok());
  ASSERT_TRUE(run(notices_->record(notice("n3", "env-b", now), std::chrono::hours(1))).ok());

  auto a = run(notices_->list("env-a", 10));
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->size(), 2u) << "env-b's notice is not env-a's";
  EXPECT_EQ((*a)[0].id, "n2") << "newest first";
  EXPECT_EQ((*a)[0].webhook_id, "wh-n2");
  EXPECT_EQ((*a)[0].event_json, "{\"id\":\"n2\"}");
  EXPECT_EQ((*a)[0].published_at, 0);
  EXPECT_EQ(unpublished_ids(), (std::vector<std::string>{"n1", "n2", "n3"}));

  ASSERT_TRUE(run(notices_->mark_published((*a)[0], now)).ok());
  EXPECT_EQ(unpublished_ids(), (std::vector<std::string>{"n1", "n3"}));
  auto again = run(notices_->list("env-a", 1));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].published_at, now);
  EXPECT_TRUE(to_json((*again)[0]).get("published").as_bool());
}

TEST_F(NoticesTest, TheSweepForgetsAnEntryWhoseNoticeIsGone) {
  ASSERT_TRUE(run(notices_->record(notice("n1", "env-a", clock::now_millis()), std::chrono::hours(1))).ok());
  ASSERT_TRUE(
      run(redis_.store().command(store::RedisCommand{"DEL", store::keys::notice("env-a", "n1")})).ok());
  EXPECT_TRUE(unpublished_ids().empty());
  auto left = run(redis_.store().command(store::RedisCommand{"SCARD", store::keys::unpublished_notices()}));
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->integer(), 0);
}

}  // namespace
}  // namespace hookd::dispatch
