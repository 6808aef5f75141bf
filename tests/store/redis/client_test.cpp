// RedisClient against a real redis-server: commands and their replies, bytes, errors as values, pipelining,
// where completions run, and many coroutines sharing one client.
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "redis_test_util.h"

namespace hookd::store::test {
namespace {

using namespace std::string_view_literals;
using RedisClientTest = RedisTest;

RedisReply ok() {
  return RedisReply::make_status("OK");
}
RedisReply integer(int64_t n) {
  return RedisReply::make_integer(n);
}
RedisReply bulk(std::string_view s) {
  return RedisReply::make_string(s);
}

TEST_F(RedisClientTest, AnswersCommandsWithTypedReplies) {
  auto client = connect();
  const std::string k = key("k"), n = key("n"), h = key("h"), l = key("l");
  struct Case {
    RedisCommand command;
    RedisReply expect;
  };
  const Case cases[] = {
      {{"PING"}, RedisReply::make_status("PONG")},
      {{"GET", k}, RedisReply()},
      {{"SET", k, "v1"}, ok()},
      {{"GET", k}, bulk("v1")},
      {{"APPEND", k, "23"}, integer(4)},
      {{"INCR", n}, integer(1)},
      {{"INCRBY", n, "41"}, integer(42)},
      {{"HSET", h, "a", "1", "b", "2"}, integer(2)},
      {{"HGET", h, "b"}, bulk("2")},
      {{"HGET", h, "missing"}, RedisReply()},
      {{"RPUSH", l, "x", "y", "z"}, integer(3)},
      {{"LRANGE", l, "0", "-1"}, RedisReply::make_array({bulk("x"), bulk("y"), bulk("z")})},
      {{"LRANGE", key("none"), "0", "-1"}, RedisReply::make_array({})},
      {{"DEL", k, h, l}, integer(3)},
      {{"EXISTS", k}, integer(0)},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + ": " + std::string(cases[i].command.name()));
    Result r = exec(*client, cases[i].command);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.reply, cases[i].expect);
  }
}

TEST_F(RedisClientTest, KeysAndValuesAreBinarySafe) {
  auto client = connect();
  std::string value;
  for (int i = 0; i < 256; ++i)
    value.push_back(static_cast<char>(i));
  value += "\r\n$3\r\n\0end*1\r\n"sv;
  const std::string binary_key = key("bin\0key\r\n"sv);

  ASSERT_EQ(exec(*client, {"SET", binary_key, value}).reply, ok());
  EXPECT_EQ(exec(*client, {"GET", binary_key}).reply, bulk(value));
  EXPECT_EQ(exec(*client, {"STRLEN", binary_key}).reply, integer(static_cast<int64_t>(value.size())));
  // Checked with plain hiredis too, so a symmetric encode/decode bug cannot hide.
  EXPECT_EQ(admin_->command({"GET", binary_key}), bulk(value));
  ASSERT_EQ(admin_->command({"SET", key("from-admin"), value}), ok());
  EXPECT_EQ(exec(*client, {"GET", key("from-admin")}).reply, bulk(value));

  // Larger than hiredis' 16 KiB read buffer and than one socket write.
  std::string large(3 << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i)
    large[i] = static_cast<char>((i * 131) ^ (i >> 7));
  ASSERT_EQ(exec(*client, {"SET", key("large"), large}).reply, ok());
  Result got = exec(*client, {"GET", key("large")});
  ASSERT_FALSE(got.ec) << got.ec.message();
  EXPECT_TRUE(got.reply.str() == large)
      << "3 MiB value came back changed (size " << got.reply.str().size() << ")";
}

TEST_F(RedisClientTest, ErrorRepliesAreValuesNotErrors) {
  auto client = connect();
  const std::string text = key("text");
  ASSERT_EQ(exec(*client, {"SET", text, "not a number"}).reply, ok());
  struct Case {
    RedisCommand command;
    std::string_view code;
  };
  const Case cases[] = {
      {{"INCR", text}, "ERR"},
      {{"LPUSH", text, "x"}, "WRONGTYPE"},
      {{"NO-SUCH-COMMAND"}, "ERR"},
      {{"GET"}, "ERR"},
      {{"EVALSHA", "0000000000000000000000000000000000000000", "0"}, "NOSCRIPT"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.command.name());
    Result r = exec(*client, c.command);
    EXPECT_FALSE(r.ec) << "an error reply is not a transport error: " << r.ec.message();
    EXPECT_TRUE(r.reply.is_error(c.code)) << r.reply;
  }
  EXPECT_EQ(exec(*client, {"GET", text}).reply, bulk("not a number")) << "the connection must be unaffected";
  EXPECT_TRUE(client->ready());
}

TEST_F(RedisClientTest, RefusesCommandsThatWouldChangeTheSharedConnection) {
  auto client = connect();
  const RedisReply id = exec(*client, {"CLIENT", "ID"}).reply;
  ASSERT_TRUE(id.is_integer()) << id;
  struct Case {
    RedisCommand command;
    RedisError error;
  };
  const Case cases[] = {
      {{"SUBSCRIBE", "ch"}, RedisError::unsupported_command},
      {{"psubscribe", "ch*"}, RedisError::unsupported_command},
      {{"Unsubscribe"}, RedisError::unsupported_command},
      {{"MONITOR"}, RedisError::unsupported_command},
      {{"MULTI"}, RedisError::unsupported_command},
      {{"exec"}, RedisError::unsupported_command},
      {{"WATCH", key("w")}, RedisError::unsupported_command},
      {{"SELECT", "1"}, RedisError::unsupported_command},
      {{"HELLO", "3"}, RedisError::unsupported_command},
      {{"QUIT"}, RedisError::unsupported_command},
      {RedisCommand{}, RedisError::empty_command},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.command.empty() ? "(empty)" : c.command.name());
    EXPECT_EQ(exec(*client, c.command).ec, c.error);
  }
  EXPECT_EQ(exec_transaction(*client, {{"SET", key("t"), "1"}, {"SUBSCRIBE", "ch"}}).ec,
            RedisError::unsupported_command);
  EXPECT_EQ(exec_transaction(*client, {{"SET", key("t"), "1"}, RedisCommand{}}).ec,
            RedisError::empty_command);
  EXPECT_EQ(exec(*client, {"EXISTS", key("t")}).reply, integer(0))
      << "a refused transaction must send nothing";
  EXPECT_EQ(exec(*client, {"CLIENT", "ID"}).reply, id) << "nothing may have disturbed the connection";
}

TEST_F(RedisClientTest, PipelinesTenThousandCommandsOnOneConnection) {
  auto client = connect();
  ASSERT_TRUE(connected(*client));
  constexpr int n = 10000;
  const std::string counter = key("counter");
  std::vector<Result> results(n);
  std::atomic<int> done{0};
  std::promise<void> all_done;

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    client->async_command({"INCR", counter}, [&, i](error_code ec, RedisReply reply) {
      results[i] = {ec, std::move(reply)};
      if (++done == n) all_done.set_value();
    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready)
      << done << " of " << n << " completed";
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // One connection answers in order: the i-th INCR sent sees i+1.
  for (int i = 0; i < n; ++i) {
    ASSERT_FALSE(results[i].ec) << "command " << i << ": " << results[i].ec.message();
    ASSERT_EQ(results[i].reply, integer(i + 1)) << "command " << i;
  }
  EXPECT_EQ(admin_->command({"GET", counter}), bulk(std::to_string(n)));
  EXPECT_GE(admin_->client_id(options_.client_name), 0);
  std::printf("[ measured ] %d pipelined INCRs in %.3f s (%.0f commands/s, ASan build)\n", n, elapsed,
              n / elapsed);
}

TEST_F(RedisClientTest, CompletionRunsOnTheCallersExecutor) {
  auto client = connect();
  auto strand = asio::make_strand(io_.executor());

  std::promise<bool> on_strand;
  client->async_command({"PING"}, asio::bind_executor(strand, [&](error_code, RedisReply) {
                          on_strand.set_value(strand.running_in_this_thread());
                        }));
  EXPECT_TRUE(on_strand.get_future().get()) << "a handler bound to a strand must run on it";

  std::promise<bool> on_client_strand;
  client->async_command({"PING"}, [&](error_code, RedisReply) {
    on_client_strand.set_value(client->get_executor().running_in_this_thread());
  });
  EXPECT_FALSE(on_client_strand.get_future().get()) << "user code must never run on the connection's strand";

  auto resumed_on_strand = asio::co_spawn(
      strand,
      [&]() -> awaitable<bool> {
        error_code ec;
        RedisReply reply = co_await client->async_command({"PING"}, redirect(ec));
        co_return !ec && reply.is_status("PONG") && strand.running_in_this_thread();
      },
      asio::use_future);
  EXPECT_TRUE(resumed_on_strand.get()) << "a coroutine must resume on its own executor";
}

TEST_F(RedisClientTest, WorksWithUseAwaitableAndUseFuture) {
  auto client = connect();
  std::future<RedisReply> set = client->async_command({"SET", key("f"), "1"}, asio::use_future);
  EXPECT_EQ(set.get(), ok());
  auto get = asio::co_spawn(
      io_.executor(),
      [&]() -> awaitable<RedisReply> {
        co_return co_await client->async_command({"GET", key("f")}, use_awaitable);
      },
      asio::use_future);
  EXPECT_EQ(get.get(), bulk("1"));

  // Transport errors surface as exceptions with these tokens: system_error carrying the RedisError.
  client->close();
  std::future<RedisReply> after_close = client->async_command({"PING"}, asio::use_future);
  try {
    after_close.get();
    ADD_FAILURE() << "expected an exception";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), RedisError::closed);
  }
}

TEST_F(RedisClientTest, ManyCoroutinesShareOneClientAcrossTwoThreads) {
  auto client = connect();
  constexpr int coroutines = 200;
  constexpr int rounds = 50;
  const std::string counter = key("shared");
  std::atomic<int> failures{0};
  std::mutex threads_mutex;
  std::set<std::thread::id> threads;

  std::vector<std::future<void>> running;
  for (int c = 0; c < coroutines; ++c) {
    running.push_back(asio::co_spawn(
        io_.executor(),
        [&, c, own = key("own:" + std::to_string(c))]() -> awaitable<void> {
          for (int r = 0; r < rounds; ++r) {
            error_code ec;
            const std::string value = std::to_string(c) + ":" + std::to_string(r);
            RedisReply set = co_await client->async_command({"SET", own, value}, redirect(ec));
            if (ec || !set.is_status("OK")) ++failures;
            RedisReply incr = co_await client->async_command({"INCR", counter}, redirect(ec));
            if (ec || !incr.is_integer()) ++failures;
            RedisReply get = co_await client->async_command({"GET", own}, redirect(ec));
            if (ec || get.str() != value) ++failures;  // nobody else's reply, nobody else's write
            std::lock_guard lock(threads_mutex);
            threads.insert(std::this_thread::get_id());
          }
        },
        asio::use_future));
  }
  for (auto& f : running)
    ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
  for (auto& f : running)
    f.get();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(admin_->command({"GET", counter}), bulk(std::to_string(coroutines * rounds)));
  std::printf("[ measured ] %d coroutines x %d rounds resumed on %zu threads\n", coroutines, rounds,
              threads.size());
}

}  // namespace
}  // namespace hookd::store::test
