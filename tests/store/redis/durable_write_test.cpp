// Durable writes (RedisOptions::wait_replicas): a durable ScriptBatcher's items complete only once a replica
// has the call's writes (WAIT), and fail with not_replicated when none confirms in time. A real master and a
// real replica of the test's own (redis-server --replicaof); the replica is frozen (SIGSTOP) to stop it from
// confirming, as a replica that crashed or fell behind would.
#include <future>

#include "redis_test_util.h"
#include "store/redis/batched_script.h"

namespace hookd::store::test {
namespace {

using DurableWriteTest = RedisTest;
using Clock = std::chrono::steady_clock;

const BatchedScript& set_script() {
  static const BatchedScript s("test_durable_set", R"lua(
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
)lua");
  return s;
}

Result run_one(ScriptBatcher& batcher, const std::string& key, const std::string& value) {
  auto done = std::make_shared<std::promise<Result>>();
  auto answer = done->get_future();
  batcher.async_run(RedisCommand{key}, RedisCommand{value}, [done](error_code ec, RedisReply r) {
    done->set_value({ec, std::move(r)});
  });
  if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "the item was not answered within 20 s";
    return {};
  }
  return answer.get();
}

// WAIT calls the server has answered (INFO commandstats).
int64_t wait_calls(Admin& admin) {
  std::string stats(admin.command({"INFO", "commandstats"}).str());
  auto at = stats.find("cmdstat_wait:calls=");
  if (at == std::string::npos) return 0;
  return std::atoll(stats.c_str() + at + std::strlen("cmdstat_wait:calls="));
}

struct Pair {
  RedisServerProcess master;
  std::unique_ptr<RedisServerProcess> replica;
  Pair() {
    // (The master waits 5 s by default before a diskless full sync, for more replicas to join: none will.)
    Admin(master.options()).command({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
    replica = std::make_unique<RedisServerProcess>(
        std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master.port()),
                                 // The full sync loads from the socket: no dump.rdb in the working directory.
                                 "--repl-diskless-load", "swapdb", "--dir", ::testing::TempDir()});
  }
  // The replication stream flows: a write on the master is readable on the replica. (A replica that has
  // just loaded its full sync is "online" a moment before the master streams to it: until its first
  // acknowledgement, up to a second later, WAIT would time out.)
  bool synced() {
    Admin m(master.options());
    Admin r(replica->options());
    std::string value = std::to_string(++probes);
    m.command({"SET", "hookd-test:synced", value});
    return r.command({"GET", "hookd-test:synced"}) == RedisReply::make_string(value);
  }
  int probes = 0;
};

TEST_F(DurableWriteTest, AnItemCompletesOnceTheReplicaHasItAndFailsWhenNoReplicaConfirms) {
  Pair servers;
  ASSERT_TRUE(wait_until([&] { return servers.synced(); }, 20s)) << "the replica did not sync";
  RedisOptions options = servers.master.options();
  options.wait_replicas = 1;
  options.wait_timeout = 300ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client));
  Admin master(servers.master.options());
  Admin replica(servers.replica->options());
  auto batcher = ScriptBatcher::create(client, set_script(), 16, key("route"));

  const int64_t waits_before = wait_calls(master);
  Result stored = run_one(*batcher, key("a"), "1");
  ASSERT_FALSE(stored.ec) << stored.ec.message();
  EXPECT_EQ(stored.reply, RedisReply::make_string("1"));
  EXPECT_EQ(wait_calls(master), waits_before + 1) << "one WAIT per call, on the master";
  // Confirmed means the replica has it now, not eventually.
  EXPECT_EQ(replica.command({"GET", key("a")}), RedisReply::make_string("1"));

  servers.replica->freeze();
  auto started = Clock::now();
  Result unconfirmed = run_one(*batcher, key("b"), "2");
  auto took = Clock::now() - started;
  servers.replica->thaw();
  EXPECT_EQ(unconfirmed.ec, RedisError::not_replicated) << unconfirmed.ec.message();
  EXPECT_GE(took, 300ms) << "WAIT gives the replica its whole timeout";
  EXPECT_LT(took, 1900ms) << "within the wait timeout, not the 2 s command timeout";
  // The master ran it (a caller that writes again finds it there): only its durability is in doubt.
  EXPECT_EQ(master.command({"GET", key("b")}), RedisReply::make_string("2"));

  Result again = run_one(*batcher, key("c"), "3");
  EXPECT_FALSE(again.ec) << "a replica that answers again makes writes durable again: " << again.ec.message();
}

TEST_F(DurableWriteTest, WithoutTheSettingOrWithoutAKeyNothingWaits) {
  Pair servers;
  ASSERT_TRUE(wait_until([&] { return servers.synced(); }, 20s)) << "the replica did not sync";
  Admin master(servers.master.options());
  RedisOptions plain = servers.master.options();  // wait_replicas 0: the default
  auto client = connect(plain);
  ASSERT_TRUE(connected(*client));
  RedisOptions waiting = plain;
  waiting.wait_replicas = 1;
  auto waiting_client = connect(waiting);
  ASSERT_TRUE(connected(*waiting_client));

  const int64_t before = wait_calls(master);
  servers.replica->freeze();  // any WAIT would now fail
  Result a = run_one(*ScriptBatcher::create(client, set_script(), 16, key("route")), key("a"), "1");
  Result b = run_one(*ScriptBatcher::create(waiting_client, set_script()), key("b"), "2");  // not durable
  std::promise<error_code> waited;
  client->async_wait_replicas(key("a"), [&](error_code ec) { waited.set_value(ec); });
  auto answer = waited.get_future();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(answer.get()) << "nothing to wait for";
  servers.replica->thaw();
  EXPECT_FALSE(a.ec) << a.ec.message();
  EXPECT_FALSE(b.ec) << b.ec.message();
  EXPECT_EQ(wait_calls(master), before);
}

TEST_F(DurableWriteTest, ASingleRedisWithoutReplicasRefusesDurableWrites) {
  RedisServerProcess alone;
  RedisOptions options = alone.options();
  options.wait_replicas = 1;
  options.wait_timeout = 100ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client));
  Result r = run_one(*ScriptBatcher::create(client, set_script(), 16, key("route")), key("a"), "1");
  EXPECT_EQ(r.ec, RedisError::not_replicated) << r.ec.message();
}

}  // namespace
}  // namespace hookd::store::test
