// Durable writes on Redis Cluster: WAIT asks about what one connection wrote, so it must reach the node that
// ran the write. A durable ScriptBatcher's WAIT goes to the master of its key's slot, and that master's replica
// confirms it.
#include <future>

#include "redis_test_util.h"
#include "store/redis/batched_script.h"
#include "store/redis/slots.h"

namespace hookd::store::test {
namespace {

const BatchedScript& set_script() {
  static const BatchedScript s("test_cluster_durable_set", R"lua(
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
)lua");
  return s;
}

int64_t wait_calls(Admin& admin) {
  std::string stats(admin.command({"INFO", "commandstats"}).str());
  auto at = stats.find("cmdstat_wait:calls=");
  return at == std::string::npos ? 0 : std::atoll(stats.c_str() + at + std::strlen("cmdstat_wait:calls="));
}

class ClusterDurableTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    const char* url = std::getenv("HOOKD_TEST_REDIS_CLUSTER_URL");
    ASSERT_TRUE(url && *url) << "HOOKD_TEST_REDIS_CLUSTER_URL is not set: run through tools/test";
    auto parsed = RedisOptions::from_url(url);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    cluster_ = std::move(parsed).value();
    cluster_.client_name = unique_name("hookd-cluster-durable-");
  }
  // Every master's port, and the master serving `slot`.
  std::vector<uint16_t> masters(int slot, uint16_t* owner) {
    std::vector<uint16_t> out;
    for (const RedisEndpoint& seed : cluster_.seeds) {
      RedisOptions o;
      o.host = seed.host;
      o.port = seed.port;
      Admin a(o);
      RedisReply slots = a.command({"CLUSTER", "SLOTS"});
      if (!slots.is_array()) continue;
      for (const RedisReply& range : slots.elements()) {
        auto port = static_cast<uint16_t>(range[2][1].integer());
        if (std::find(out.begin(), out.end(), port) == out.end()) out.push_back(port);
        if (slot >= range[0].integer() && slot <= range[1].integer()) *owner = port;
      }
      return out;
    }
    return out;
  }
  RedisOptions cluster_;
};

TEST_F(ClusterDurableTest, TheWaitGoesToTheMasterThatRanTheWriteAndItsReplicaConfirms) {
  RedisOptions options = cluster_;
  options.wait_replicas = 1;
  options.wait_timeout = 1000ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client, 15s));
  for (const char* tag : {"a", "b", "c", "d", "e", "f"}) {
    std::string k = key(std::string("{") + tag + "}k");
    uint16_t owner = 0;
    auto ports = masters(key_slot(k), &owner);
    ASSERT_EQ(ports.size(), 3u);
    ASSERT_NE(owner, 0);
    std::map<uint16_t, int64_t> before;
    for (uint16_t p : ports) {
      RedisOptions o = cluster_;
      o.port = p;
      Admin a(o);
      before[p] = wait_calls(a);
    }
    auto batcher = ScriptBatcher::create(client, set_script(), 16, k);
    auto done = std::make_shared<std::promise<Result>>();
    auto answer = done->get_future();
    batcher->async_run(RedisCommand{k}, RedisCommand{"v"}, [done](error_code ec, RedisReply r) {
      done->set_value({ec, std::move(r)});
    });
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    Result r = answer.get();
    EXPECT_FALSE(r.ec) << k << ": " << r.ec.message();
    for (uint16_t p : ports) {
      RedisOptions o = cluster_;
      o.port = p;
      Admin a(o);
      EXPECT_EQ(wait_calls(a) - before[p], p == owner ? 1 : 0) << k << " on node " << p;
      if (p == owner) a.command({"DEL", k});
    }
  }
}

}  // namespace
}  // namespace hookd::store::test
