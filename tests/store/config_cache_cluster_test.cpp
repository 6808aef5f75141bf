// The config cache on a real Redis Cluster (HOOKD_TEST_REDIS_CLUSTER_URL): every cache subscribes on the node of
// the change channel's slot, and a write is in force for the next read wherever its record lives. The accounts
// spread over the masters; a change a script published on the record's node reaches the channel's node through
// the cluster bus only later, so the writer publishes it there itself before it returns
// (Store::change_published).
#include <cstdlib>

#include <gtest/gtest.h>

#include "config_cache_fixture.h"
#include "core/ids.h"

namespace hookd::store {
namespace {

class ClusterConfigCacheTest : public ConfigCacheTest {
 protected:
  Result<RedisOptions> redis_options() override {
    const char* url = std::getenv("HOOKD_TEST_REDIS_CLUSTER_URL");
    if (!url || !*url)
      return make_error(StoreErrc::unavailable,
                        "HOOKD_TEST_REDIS_CLUSTER_URL is not set: run through tools/test");
    // The cluster is shared with other tests and not flushed: this run's records have ids of their own.
    prefix_ = ids::uuid_v4() + "-";
    return RedisOptions::from_url(url);
  }
};

TEST_F(ClusterConfigCacheTest, AnAccountChangeIsSeenByTheNextReadOnWhicheverMasterItLives) {
  // More accounts of the same install: their records hash to slots on every master.
  std::vector<IntegratedAccount> accounts{account_};
  for (int n = 2; n <= 9; ++n) {
    IntegratedAccount a = account_;
    a.id = id("acc-" + std::to_string(n));
    ASSERT_TRUE(run(writer_->create_account(a)).ok());
    accounts.push_back(std::move(a));
  }
  for (int round = 1; round <= 40; ++round) {
    for (auto& a : accounts) {
      ASSERT_TRUE(run(cache_->resolve_account(a.id)).ok());  // cached before the change
      IntegratedAccount next = a;
      std::string secret = "s" + std::to_string(round);
      ASSERT_TRUE(json::parse(R"({"webhook_secret":")" + secret + R"("})", next.context));
      next.version = a.version + 1;
      Status s = run(writer_->update_account(next, a.version));
      ASSERT_TRUE(s.ok()) << s.error().message;
      a = next;
      auto r = run(cache_->resolve_account(a.id));
      ASSERT_TRUE(r.ok()) << r.error().message;
      ASSERT_EQ(r->account.context.get("webhook_secret").string_or(""), secret)
          << "round " << round << ", account " << a.id << ": the replaced secret was served";
    }
  }
  EXPECT_GT(cache_->stats().hits, 0u) << "the reads did not use the cache";
}

}  // namespace
}  // namespace hookd::store
