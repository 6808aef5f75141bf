// Atomic work: MULTI/EXEC transactions and Lua scripts, including the claim pattern the dispatcher uses to
// take due retries, and scripts surviving a flushed script cache.
#include <future>
#include <mutex>
#include <set>

#include "redis_test_util.h"
#include "store/redis/script.h"

namespace hookd::store::test {
namespace {

using RedisAtomicTest = RedisTest;

RedisReply ok() {
  return RedisReply::make_status("OK");
}
RedisReply integer(int64_t n) {
  return RedisReply::make_integer(n);
}
RedisReply bulk(std::string_view s) {
  return RedisReply::make_string(s);
}

Result run(RedisClient& client, const RedisScript& script, const RedisCommand& keys,
           const RedisCommand& args) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  script.async_run(client, keys, args, [promise](error_code ec, RedisReply reply) {
    promise->set_value({ec, std::move(reply)});
  });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "script did not complete within 10 s";
    return {};
  }
  return future.get();
}

TEST_F(RedisAtomicTest, TransactionReturnsOneReplyPerCommand) {
  auto client = connect();
  const std::string k = key("k");
  Result r = exec_transaction(*client, {{"SET", k, "1"}, {"INCR", k}, {"GET", k}, {"DEL", key("none")}});
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.reply, RedisReply::make_array({ok(), integer(2), bulk("2"), integer(0)}));

  Result empty = exec_transaction(*client, {});
  ASSERT_FALSE(empty.ec) << empty.ec.message();
  EXPECT_EQ(empty.reply, RedisReply::make_array({}));
}

TEST_F(RedisAtomicTest, TransactionRedisRefusesToQueueRunsNothing) {
  auto client = connect();
  Result r =
      exec_transaction(*client, {{"SET", key("a"), "1"}, {"INCRBY", key("a")}, {"SET", key("b"), "2"}});
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.reply.is_error("EXECABORT")) << r.reply;
  EXPECT_EQ(exec(*client, {"EXISTS", key("a"), key("b")}).reply, integer(0));
  EXPECT_EQ(exec(*client, {"PING"}).reply, RedisReply::make_status("PONG")) << "and the connection is fine";
}

TEST_F(RedisAtomicTest, TransactionReportsRuntimeErrorsPerCommand) {
  auto client = connect();
  const std::string k = key("text");
  Result r = exec_transaction(*client, {{"SET", k, "text"}, {"INCR", k}, {"APPEND", k, "!"}});
  ASSERT_FALSE(r.ec) << r.ec.message();
  ASSERT_EQ(r.reply.size(), 3u) << r.reply;
  EXPECT_EQ(r.reply[0], ok());
  EXPECT_TRUE(r.reply[1].is_error("ERR")) << r.reply[1];
  EXPECT_EQ(r.reply[2], integer(5)) << "Redis runs the rest of an EXEC after a runtime error";
}

// Other coroutines' commands on the same connection never land between MULTI and EXEC: each transaction sees
// its own two increments back to back.
TEST_F(RedisAtomicTest, TransactionsAreNeverInterleavedWithOtherCommands) {
  auto client = connect();
  const std::string counter = key("counter");
  constexpr int workers = 40;
  constexpr int rounds = 25;
  std::atomic<int> failures{0};
  std::vector<std::future<void>> running;
  for (int w = 0; w < workers; ++w) {
    running.push_back(asio::co_spawn(
        io_.executor(),
        [&, transactional = w % 2 == 0]() -> awaitable<void> {
          for (int r = 0; r < rounds; ++r) {
            error_code ec;
            if (!transactional) {
              RedisReply n = co_await client->async_command({"INCR", counter}, redirect(ec));
              if (ec || !n.is_integer()) ++failures;
              continue;
            }
            // Built before co_await: GCC 12 rejects a braced list of commands inside the co_await expression.
            std::vector<RedisCommand> commands = {{"INCR", counter}, {"INCR", counter}, {"GET", counter}};
            RedisReply t = co_await client->async_transaction(std::move(commands), redirect(ec));
            if (ec || t.size() != 3 || t[1].integer() != t[0].integer() + 1 ||
                t[2].str() != std::to_string(t[1].integer())) {
              ADD_FAILURE() << "interleaved or failed: " << t << " " << ec.message();
              ++failures;
            }
          }
        },
        asio::use_future));
  }
  for (auto& f : running)
    ASSERT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(admin_->command({"GET", counter}), bulk(std::to_string(workers / 2 * rounds * 3)));
}

TEST_F(RedisAtomicTest, ScriptRunsByHashAndSurvivesAFlushedScriptCache) {
  // SCRIPT FLUSH empties the cache of every client of a server: a private one.
  RedisServerProcess server;
  RedisOptions options = server.options();
  auto client = connect(options);
  Admin admin(options);
  const RedisScript script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");
  EXPECT_EQ(script.sha1(), "c79e4384ae2352bd9f80228d59b78b274fbb242f");  // sha1sum of the source
  const std::string k = key("runs");

  Result first = run(*client, script, {k}, {"a"});
  ASSERT_FALSE(first.ec) << first.ec.message();
  EXPECT_EQ(first.reply, RedisReply::make_array({bulk(k), bulk("a"), integer(1)}));
  EXPECT_EQ(admin.command({"SCRIPT", "EXISTS", script.sha1()}), RedisReply::make_array({integer(1)}));

  // A restart, a failover or SCRIPT FLUSH empties the cache: EVALSHA gets NOSCRIPT, the caller must not.
  ASSERT_EQ(admin.command({"SCRIPT", "FLUSH"}), ok());
  ASSERT_EQ(admin.command({"SCRIPT", "EXISTS", script.sha1()}), RedisReply::make_array({integer(0)}));
  Result after_flush = run(*client, script, {k}, {"b"});
  ASSERT_FALSE(after_flush.ec) << after_flush.ec.message();
  EXPECT_EQ(after_flush.reply, RedisReply::make_array({bulk(k), bulk("b"), integer(2)}))
      << "ran exactly once more, by EVAL";
  EXPECT_EQ(admin.command({"SCRIPT", "EXISTS", script.sha1()}), RedisReply::make_array({integer(1)}))
      << "EVAL cached it again";
  EXPECT_EQ(run(*client, script, {k}, {"c"}).reply, RedisReply::make_array({bulk(k), bulk("c"), integer(3)}));
}

TEST_F(RedisAtomicTest, ScriptErrorsAreValues) {
  auto client = connect();
  struct Case {
    const char* source;
    const char* code;
  };
  const Case cases[] = {
      {"return redis.error_reply('CLAIMED already taken')", "CLAIMED"},
      {"return redis.call('INCR', KEYS[1])", "ERR"},  // KEYS[1] holds text
      {"this is not lua", "ERR"},
  };
  ASSERT_EQ(exec(*client, {"SET", key("text"), "text"}).reply, ok());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.source);
    Result r = run(*client, RedisScript(c.source), {key("text")}, {});
    EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(r.reply.is_error(c.code)) << r.reply;
  }
}

TEST_F(RedisAtomicTest, LoadReturnsTheHashOrTheCompileError) {
  auto client = connect();
  const RedisScript good("return 1");
  std::future<RedisReply> loaded = good.async_load(*client, asio::use_future);
  EXPECT_EQ(loaded.get(), bulk(good.sha1()));
  std::future<RedisReply> broken = RedisScript("return (").async_load(*client, asio::use_future);
  EXPECT_TRUE(broken.get().is_error("ERR"));
}

// The dispatcher's pattern: due items sit in a sorted set scored by due time; a script takes up to N due ones
// and removes them in one atomic step, so two dispatchers never take the same one.
TEST_F(RedisAtomicTest, ClaimScriptHandsEachDueItemToExactlyOneCaller) {
  auto client = connect();
  const RedisScript claim(R"lua(
    local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
    if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
    return due)lua");
  const std::string queue = key("due");
  constexpr int items = 600;
  RedisCommand add{"ZADD", queue};
  for (int i = 0; i < items; ++i)
    add.arg(int64_t{i}).arg("item:" + std::to_string(i));
  ASSERT_EQ(exec(*client, add).reply, integer(items));
  ASSERT_EQ(exec(*client, {"ZADD", queue, "5000", "not-due-yet"}).reply, integer(1));

  std::mutex mutex;
  std::vector<std::string> claimed;
  std::vector<std::future<void>> claimers;
  for (int c = 0; c < 8; ++c) {
    claimers.push_back(asio::co_spawn(
        io_.executor(),
        [&]() -> awaitable<void> {
          for (;;) {
            error_code ec;
            RedisReply batch = co_await claim.async_run(*client, {queue}, {"1000", "7"}, redirect(ec));
            if (ec || !batch.is_array()) {
              ADD_FAILURE() << ec.message() << " " << batch;
              co_return;
            }
            if (batch.size() == 0) co_return;
            std::lock_guard lock(mutex);
            for (const RedisReply& item : batch.elements())
              claimed.emplace_back(item.str());
          }
        },
        asio::use_future));
  }
  for (auto& f : claimers)
    ASSERT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);

  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), static_cast<size_t>(items)) << "every due item claimed once";
  EXPECT_EQ(unique.size(), claimed.size()) << "no item claimed twice";
  EXPECT_EQ(unique.count("not-due-yet"), 0u);
  EXPECT_EQ(exec(*client, {"ZCARD", queue}).reply, integer(1));
}

}  // namespace
}  // namespace hookd::store::test
