// The context lookup index against a real Redis: built on the first lookup from the accounts already stored,
// then kept current by every account write (create, update, context merge, delete), per install.
#include <algorithm>
#include <future>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "services.h"
#include "store/store.h"
#include "run_coroutine.h"
#include "slot_audit.h"

namespace hookd::store {
namespace {

constexpr int kDb = 4;

class AccountLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::redis_flush(kDb);
    auto ro = RedisOptions::from_url(test::redis_url(kDb));
    ASSERT_TRUE(ro.ok()) << ro.error().message;
    redis_ = RedisClient::create(io_.get_executor(), test::SlotAudit::on(*ro));
    store_ = std::make_unique<Store>(redis_);
    install_.id = "ei-slack";
    install_.environment_id = "env-1";
    other_install_.id = "ei-other";
    other_install_.environment_id = "env-1";
  }
  void TearDown() override {
    redis_->close();
    work_.reset();
    io_.stop();
    thread_.join();
    audit_.check();
  }

  // Runs a coroutine on the test's io_context and waits for its result.
  template <typename T>
  T run(awaitable<T> a) {
    return test::run(io_, std::move(a));
  }

  IntegratedAccount account(const std::string& id, const EnvironmentIntegration& install,
                            const std::string& context_json) {
    IntegratedAccount a;
    a.id = id;
    a.tenant_id = "t";
    a.environment_id = install.environment_id;
    a.environment_integration_id = install.id;
    a.integration_id = "slack";
    EXPECT_TRUE(json::parse(context_json, a.context));
    a.created_at = a.updated_at = clock::now_millis();
    Status s = run(store_->create_account(a));
    EXPECT_TRUE(s.ok()) << s.error().message;
    return a;
  }
  std::vector<std::string> find(const EnvironmentIntegration& install, std::string_view field,
                                std::string_view value) {
    auto r = run(store_->find_accounts_by_context(install, field, value));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<std::string>{"<error>"};
  }
  using Ids = std::vector<std::string>;

  test::SlotAudit audit_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_{[this] { io_.run(); }};
  RedisClientPtr redis_;
  std::unique_ptr<Store> store_;
  EnvironmentIntegration install_;
  EnvironmentIntegration other_install_;
};

TEST_F(AccountLookupTest, TheFirstLookupIndexesTheAccountsAlreadyStored) {
  account("a1", install_, R"({"team_id":"T1"})");
  account("a2", install_, R"({"team_id":"T2"})");
  account("a3", install_, R"({"team_id":"T1","other":"x"})");
  account("b1", other_install_, R"({"team_id":"T1"})");  // same value, another install
  account("a4", install_, R"({"team_id":""})");          // empty: never matches
  EXPECT_EQ(find(install_, "team_id", "T1"), (Ids{"a1", "a3"}));
  EXPECT_EQ(find(install_, "team_id", "T2"), (Ids{"a2"}));
  EXPECT_EQ(find(install_, "team_id", "T9"), Ids{});
  EXPECT_EQ(find(install_, "team_id", ""), Ids{});
  EXPECT_EQ(find(other_install_, "team_id", "T1"), (Ids{"b1"}));
}

TEST_F(AccountLookupTest, WritesAfterTheFirstLookupKeepTheIndexCurrent) {
  IntegratedAccount a1 = account("a1", install_, R"({"team_id":"T1"})");
  EXPECT_EQ(find(install_, "team_id", "T1"), (Ids{"a1"}));  // indexes the field

  account("a2", install_, R"({"team_id":"T1"})");  // created after: indexed by the write itself
  EXPECT_EQ(find(install_, "team_id", "T1"), (Ids{"a1", "a2"}));

  IntegratedAccount moved = a1;
  moved.context = json::Value::empty_object();
  ASSERT_TRUE(json::parse(R"({"team_id":"T5"})", moved.context));
  moved.version = a1.version + 1;
  ASSERT_TRUE(run(store_->update_account(moved, a1.version)).ok());
  EXPECT_EQ(find(install_, "team_id", "T1"), (Ids{"a2"}));
  EXPECT_EQ(find(install_, "team_id", "T5"), (Ids{"a1"}));

  // A stale version changes neither the record nor the index.
  IntegratedAccount stale = a1;
  ASSERT_TRUE(json::parse(R"({"team_id":"T7"})", stale.context));
  EXPECT_EQ(run(store_->update_account(stale, a1.version)).error().code, store::StoreErrc::conflict);
  EXPECT_EQ(find(install_, "team_id", "T7"), Ids{});

  json::Value patch;
  ASSERT_TRUE(json::parse(R"({"team_id":"T6"})", patch));
  ASSERT_TRUE(run(store_->merge_account_context("a2", patch)).ok());
  EXPECT_EQ(find(install_, "team_id", "T1"), Ids{});
  EXPECT_EQ(find(install_, "team_id", "T6"), (Ids{"a2"}));

  auto a2 = run(store_->get_account("a2"));
  ASSERT_TRUE(a2.ok());
  ASSERT_TRUE(run(store_->delete_account(*a2)).ok());
  EXPECT_EQ(find(install_, "team_id", "T6"), Ids{});
  EXPECT_EQ(run(store_->get_account("a2")).error().code, store::StoreErrc::not_found);
}

// A handshake's update_context (ingest/handshake.h): the guard judges the context as stored when the patch is
// written; a refusal writes nothing, and the guard sees a concurrent change made after the caller's read.
TEST_F(AccountLookupTest, GuardedContextMergeJudgesTheStoredContext) {
  account("a1", install_, R"({"team_id":"T1","webhook_secret":""})");
  json::Value patch;
  ASSERT_TRUE(json::parse(R"({"webhook_secret":"s1"})", patch));
  auto unset_only = [](const json::Value& context) -> Status {
    if (context.get("webhook_secret").string_or("").empty()) return {};
    return make_error(StoreErrc::conflict, "webhook_secret is set");
  };
  ASSERT_TRUE(run(store_->merge_account_context("a1", patch, unset_only)).ok());
  EXPECT_EQ(run(store_->get_account("a1"))->context.get("webhook_secret").string_or(""), "s1");

  json::Value forged;
  ASSERT_TRUE(json::parse(R"({"webhook_secret":"forged","team_id":"T9"})", forged));
  auto refused = run(store_->merge_account_context("a1", forged, unset_only));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "webhook_secret is set");
  auto after = run(store_->get_account("a1"));
  EXPECT_EQ(after->context.get("webhook_secret").string_or(""), "s1");
  EXPECT_EQ(after->context.get("team_id").string_or(""), "T1") << "nothing of a refused patch is written";
  EXPECT_EQ(find(install_, "team_id", "T9"), Ids{});
}

TEST_F(AccountLookupTest, DottedPathsAndNumbersAsTheirDecimalText) {
  account("a1", install_, R"({"workspace":{"id":12345678901}})");
  account("a2", install_, R"({"workspace":{"id":"W2"},"portal":7})");
  account("a3", install_, R"({"workspace":"flat"})");
  EXPECT_EQ(find(install_, "workspace.id", "12345678901"), (Ids{"a1"}));
  EXPECT_EQ(find(install_, "workspace.id", "W2"), (Ids{"a2"}));
  EXPECT_EQ(find(install_, "portal", "7"), (Ids{"a2"}));
  // Two fields indexed at once: a write updates both.
  auto a2 = run(store_->get_account("a2"));
  ASSERT_TRUE(a2.ok());
  IntegratedAccount next = *a2;
  ASSERT_TRUE(json::parse(R"({"workspace":{"id":"W3"},"portal":8})", next.context));
  next.version = a2->version + 1;
  ASSERT_TRUE(run(store_->update_account(next, a2->version)).ok());
  EXPECT_EQ(find(install_, "workspace.id", "W3"), (Ids{"a2"}));
  EXPECT_EQ(find(install_, "portal", "8"), (Ids{"a2"}));
  EXPECT_EQ(find(install_, "portal", "7"), Ids{});
}

// The first lookup indexes the accounts in batches while others are being created and changed: none is missed,
// none is left under an old value.
TEST_F(AccountLookupTest, AccountsWrittenWhileTheFieldIsFirstIndexedAreFound) {
  std::map<std::string, Ids> expected;  // value -> ids
  auto add = [&](int i) {
    std::string id = "a" + std::to_string(1000 + i), team = "T" + std::to_string(i % 3);
    account(id, install_, R"({"team_id":")" + team + R"("})");
    expected[team].push_back(id);
  };
  for (int i = 0; i < 450; ++i)  // more than one batch
    add(i);
  IntegratedAccount moving = account("m1", install_, R"({"team_id":"T0"})");
  auto writer = std::async(std::launch::async, [&] {
    for (int i = 450; i < 480; ++i)
      add(i);
    IntegratedAccount next = moving;
    EXPECT_TRUE(json::parse(R"({"team_id":"T9"})", next.context));
    next.version = moving.version + 1;
    Status s = run(store_->update_account(next, moving.version));
    EXPECT_TRUE(s.ok()) << s.error().message;
  });
  find(install_, "team_id", "T1");  // indexes the field while the writer runs
  writer.get();
  expected["T9"].push_back("m1");
  for (auto& [team, ids] : expected) {
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(find(install_, "team_id", team), ids) << team;
  }
}

}  // namespace
}  // namespace hookd::store
