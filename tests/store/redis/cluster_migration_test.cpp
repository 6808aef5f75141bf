// A slot moving between masters while the client works (tools/redis-cluster at HOOKD_TEST_REDIS_CLUSTER_URL):
// ASK followed while the slot migrates and MOVED after it; a multi-key command over keys the migration has split
// between the two masters (TRYAGAIN) waited out until the slot has moved, not failed.
#include <future>

#include "cluster_test_util.h"

namespace hookd::store::test {
namespace {

TEST_F(ClusterClientTest, FollowsAskDuringAMigrationAndMovedAfterIt) {
  auto client = connect_cluster();
  auto masters = topology().masters();
  const ClusterNode& source = masters[0];
  const ClusterNode& target = masters[1];
  const std::string k = keys_on(source, 1).at(0);
  const int slot = key_slot(k);
  ASSERT_TRUE(exec(*client, RedisCommand{"SET", k, "before"}).reply.is_status("OK"));

  const uint64_t asks = redirects("ask");
  const uint64_t moves = redirects("moved");
  move_slot(slot, source, target, masters, {k}, [&] {
    // The key is on the target now; the source answers ASK for it.
    Result read = exec(*client, RedisCommand{"GET", k});
    EXPECT_EQ(read.reply, RedisReply::make_string("before")) << read.ec.message() << " " << read.reply;
    Result write = exec(*client, RedisCommand{"SET", k, "during"});
    EXPECT_TRUE(write.reply.is_status("OK")) << write.ec.message() << " " << write.reply;
    // In a transaction the ASK comes back for the queued command (EXEC answers EXECABORT).
    std::vector<RedisCommand> tx;
    tx.push_back(RedisCommand{"APPEND", k, "!"});
    tx.push_back(RedisCommand{"GET", k});
    Result in_tx = exec_transaction(*client, std::move(tx));
    EXPECT_EQ(in_tx.reply.to_string(), "[(integer) 7, \"during!\"]") << in_tx.ec.message();
    EXPECT_GE(redirects("ask"), asks + 3);
    EXPECT_EQ(on_node_all(target.port, {{"ASKING"}, {"GET", k}}).str(), "during!") << "written on the target";
  });

  // The client still thinks the source has the slot: the source answers MOVED (here to a command queued in a
  // transaction), and the client remembers the new owner.
  std::vector<RedisCommand> tx;
  tx.push_back(RedisCommand{"GET", k});
  tx.push_back(RedisCommand{"SET", k, "after"});
  Result moved = exec_transaction(*client, std::move(tx));
  EXPECT_EQ(moved.reply.to_string(), "[\"during!\", OK]") << moved.ec.message();
  EXPECT_GT(redirects("moved"), moves);
  const uint64_t moves_after = redirects("moved");
  EXPECT_EQ(exec(*client, RedisCommand{"GET", k}).reply, RedisReply::make_string("after"));
  EXPECT_EQ(redirects("moved"), moves_after) << "the next read goes straight to the new owner";

  move_slot(slot, target, source, masters, {k});  // as it was
}

uint64_t try_again_retries() {
  return metrics::registry()
      .counter("hookd_redis_cluster_retries_total",
               "Redis Cluster requests sent again after a transient refusal", "reply=\"TRYAGAIN\"")
      .value();
}

// Half-way through a migration one key of a slot is on the target and the other still on the source: the source
// refuses a command over both with TRYAGAIN until the migration is done. The client sends it again (backing
// off) instead of failing it, and once the slot has moved it follows the slot and gets both values.
TEST_F(ClusterClientTest, AMultiKeyCommandOverASplitSlotIsSentAgainUntilTheSlotHasMoved) {
  auto client = connect_cluster();
  auto masters = topology().masters();
  const ClusterNode& source = masters[0];
  const ClusterNode& target = masters[1];
  // Two keys of one slot (one hash tag) that the source serves.
  const std::string tag = keys_on(source, 1, "split").at(0);
  const std::string a = prefix_ + "{" + tag + "}a", b = prefix_ + "{" + tag + "}b";
  const int slot = key_slot(a);
  ASSERT_EQ(key_slot(b), slot);
  ASSERT_TRUE(exec(*client, RedisCommand{"SET", a, "1"}).reply.is_status("OK"));
  ASSERT_TRUE(exec(*client, RedisCommand{"SET", b, "2"}).reply.is_status("OK"));

  std::future<RedisReply> both;
  move_slot(slot, source, target, masters, {a}, [&] {
    RedisReply split = on_node(source.port, {"MGET", a, b});
    ASSERT_TRUE(split.is_error("TRYAGAIN")) << "the slot is not split: " << split;
    const uint64_t before = try_again_retries();
    both = client->async_command(RedisCommand{"MGET", a, b}, asio::use_future);
    ASSERT_TRUE(wait_until([&] { return try_again_retries() > before; }, 10s))
        << "the client was never refused with TRYAGAIN";
    ASSERT_NE(both.wait_for(0s), std::future_status::ready) << "answered while the slot was split";
    RedisReply moved =
        on_node(source.port, {"MIGRATE", "127.0.0.1", std::to_string(target.port), b, "0", "5000"});
    ASSERT_TRUE(moved.is_status("OK")) << moved;
  });
  ASSERT_TRUE(both.valid());
  EXPECT_EQ(both.get().to_string(), "[\"1\", \"2\"]");

  move_slot(slot, target, source, masters, {a, b});  // as it was
}

}  // namespace
}  // namespace hookd::store::test
