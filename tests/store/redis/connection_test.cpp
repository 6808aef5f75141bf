// What happens around the commands: connecting, the handshake, timeouts, a connection killed or a server
// gone, restarted or frozen, and shutting down. Anything that stops, pauses or restarts a server uses a
// private one.
#include <future>

#include "redis_test_util.h"

namespace hookd::store::test {
namespace {

using Clock = std::chrono::steady_clock;
using RedisConnectionTest = RedisTest;

// Starts a command and returns its future result, without waiting.
std::future<Result> start(RedisClient& client, RedisCommand command) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  client.async_command(std::move(command), [promise](error_code ec, RedisReply reply) {
    promise->set_value({ec, std::move(reply)});
  });
  return future;
}

Result get(std::future<Result>& future, std::chrono::milliseconds limit = 10000ms) {
  if (future.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "no completion within " << limit.count() << " ms: a command must never hang";
    return {make_error_code(boost::system::errc::timed_out), {}};
  }
  return future.get();
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST_F(RedisConnectionTest, CommandsIssuedBeforeTheConnectionIsUpWaitForIt) {
  auto client = connect();
  EXPECT_FALSE(client->ready()) << "cannot be connected before the strand ran";
  Result r = exec(*client, {"SET", key("early"), "1"});
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.reply.is_status("OK")) << r.reply;
  EXPECT_TRUE(client->ready());
  EXPECT_GE(admin_->client_id(options_.client_name), 0) << "CLIENT SETNAME was part of the handshake";
}

TEST_F(RedisConnectionTest, PingReportsHealth) {
  auto client = connect();
  std::promise<error_code> pinged;
  client->async_ping([&](error_code ec) { pinged.set_value(ec); });
  EXPECT_FALSE(pinged.get_future().get());
  client->close();
  std::promise<error_code> after_close;
  client->async_ping([&](error_code ec) { after_close.set_value(ec); });
  EXPECT_EQ(after_close.get_future().get(), RedisError::closed);
  EXPECT_FALSE(client->ready());
}

TEST_F(RedisConnectionTest, LateReplyTimesOutAndTheConnectionIsReplaced) {
  RedisOptions options = options_;
  options.command_timeout = 300ms;
  auto client = connect(options);
  Result first_id = exec(*client, {"CLIENT", "ID"});
  ASSERT_TRUE(first_id.reply.is_integer()) << first_id.reply;

  // BLPOP on an empty list answers after 10 s: far too late.
  const auto started = Clock::now();
  auto blocked = start(*client, {"BLPOP", key("empty"), "10"});
  std::this_thread::sleep_for(100ms);
  auto behind = start(*client, {"GET", key("x")});  // pipelined behind it, not late itself

  Result late = get(blocked);
  const double waited = seconds_since(started);
  EXPECT_EQ(late.ec, RedisError::timeout) << late.ec.message();
  EXPECT_GE(waited, 0.29);
  EXPECT_LT(waited, 2.0);
  EXPECT_EQ(get(behind).ec, RedisError::connection_lost) << "cut off with the connection, not late itself";

  ASSERT_TRUE(connected(*client));
  Result second_id = exec(*client, {"CLIENT", "ID"});
  ASSERT_TRUE(second_id.reply.is_integer()) << second_id.reply << " " << second_id.ec.message();
  EXPECT_NE(second_id.reply, first_id.reply) << "a new connection";
  EXPECT_EQ(admin_->client_id(options_.client_name), second_id.reply.integer())
      << "the old connection is gone from the server";
  EXPECT_NE(client->last_error().find("no reply within 300 ms"), std::string::npos) << client->last_error();
}

TEST_F(RedisConnectionTest, InFlightCommandFailsAtOnceWhenItsConnectionIsKilled) {
  RedisOptions options = options_;
  options.command_timeout = 8000ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client));

  auto blocked = start(*client, {"BLPOP", key("empty"), "6"});
  ASSERT_TRUE(wait_until([&] {
    return admin_->command({"CLIENT", "LIST"}).str().find("cmd=blpop") != std::string::npos;
  })) << "BLPOP never reached the server";
  const auto killed = Clock::now();
  ASSERT_TRUE(admin_->kill_client(options.client_name));
  Result r = get(blocked);
  EXPECT_EQ(r.ec, RedisError::connection_lost) << r.ec.message();
  EXPECT_LT(seconds_since(killed), 1.0) << "must fail when the connection drops, not at its timeout";

  ASSERT_TRUE(connected(*client)) << "reconnects at once after a working connection broke";
  EXPECT_EQ(exec(*client, {"SET", key("after"), "1"}).reply, RedisReply::make_status("OK"));
}

TEST_F(RedisConnectionTest, ReconnectsAfterTheServerRestarts) {
  RedisServerProcess server;
  RedisOptions options = server.options();
  options.client_name = options_.client_name;
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  auto client = connect(options);
  ASSERT_EQ(exec(*client, {"SET", "k", "before"}).reply, RedisReply::make_status("OK"));

  server.stop();
  ASSERT_TRUE(wait_until([&] { return !client->ready(); }, 5000ms));
  // While the server is down every command fails, and fast: nothing waits for a timeout or piles up.
  for (int i = 0; i < 5; ++i) {
    const auto started = Clock::now();
    Result r = exec(*client, {"GET", "k"});
    EXPECT_TRUE(r.ec == RedisError::not_connected || r.ec == RedisError::connect_failed) << r.ec.message();
    EXPECT_LT(seconds_since(started), 1.0);
    std::this_thread::sleep_for(30ms);
  }
  EXPECT_NE(client->last_error().find("refused"), std::string::npos) << client->last_error();

  server.start();
  ASSERT_TRUE(connected(*client, 5000ms));
  EXPECT_EQ(exec(*client, {"GET", "k"}).reply, RedisReply()) << "a new server with an empty dataset";
  EXPECT_EQ(exec(*client, {"SET", "k", "after"}).reply, RedisReply::make_status("OK"));
}

TEST_F(RedisConnectionTest, FrozenServerTimesOutEveryCommandUntilItThaws) {
  RedisServerProcess server;
  RedisOptions options = server.options();
  options.client_name = options_.client_name;
  options.command_timeout = 200ms;
  options.connect_timeout = 300ms;
  options.reconnect_min = 20ms;
  options.reconnect_max = 100ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client));
  Admin admin(server.options());

  ASSERT_EQ(admin.command({"CLIENT", "PAUSE", "1500", "ALL"}), RedisReply::make_status("OK"));
  const auto paused = Clock::now();
  Result late = exec(*client, {"SET", "k", "v"});
  EXPECT_EQ(late.ec, RedisError::timeout) << late.ec.message();
  EXPECT_LT(seconds_since(paused), 1.0);
  // New connections are accepted but never answer the handshake: every command still ends within its timeout.
  while (seconds_since(paused) < 1.2) {
    const auto started = Clock::now();
    Result r = exec(*client, {"GET", "k"});
    EXPECT_TRUE(r.ec == RedisError::timeout || r.ec == RedisError::not_connected ||
                r.ec == RedisError::connect_timeout)
        << r.ec.message();
    EXPECT_LT(seconds_since(started), 1.0) << "bounded by the 200 ms command timeout";
  }
  ASSERT_TRUE(connected(*client, 5000ms));
  Result after = exec(*client, {"GET", "k"});
  EXPECT_FALSE(after.ec) << after.ec.message();
}

TEST_F(RedisConnectionTest, FailsFastWhenNothingListens) {
  RedisOptions options = options_;
  options.port = free_loopback_port();
  auto client = connect(options);
  const auto started = Clock::now();
  Result r = exec(*client, {"PING"});
  EXPECT_TRUE(r.ec == RedisError::connect_failed || r.ec == RedisError::not_connected) << r.ec.message();
  EXPECT_LT(seconds_since(started), 1.0);
  EXPECT_FALSE(client->ready());
  EXPECT_NE(client->last_error().find("refused"), std::string::npos) << client->last_error();
}

TEST_F(RedisConnectionTest, ConnectTimesOutWhenTheServerNeverAnswers) {
  // The kernel completes the TCP handshake for a listening socket nobody accepts from: the connection is up,
  // but the handshake commands are never answered.
  asio::io_context silent;
  tcp::acceptor acceptor(silent, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  RedisOptions options = options_;
  options.port = acceptor.local_endpoint().port();
  options.connect_timeout = 200ms;
  options.command_timeout = 5000ms;
  auto client = connect(options);
  const auto started = Clock::now();
  Result r = exec(*client, {"PING"});
  EXPECT_EQ(r.ec, RedisError::connect_timeout) << r.ec.message();
  EXPECT_GE(seconds_since(started), 0.19);
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(client->last_error(), "no connection within 200 ms");
}

TEST_F(RedisConnectionTest, AuthenticatesAndSelectsTheDatabaseFromTheUrl) {
  RedisServerProcess server({"--requirepass", "s3cr@t"});
  RedisOptions options;
  ASSERT_TRUE(
      RedisOptions::from_url("redis://:s3cr%40t@127.0.0.1:" + std::to_string(server.port()) + "/5", options));
  auto client = connect(options);
  ASSERT_EQ(exec(*client, {"SET", "k", "in db 5"}).reply, RedisReply::make_status("OK"));

  RedisOptions db5 = options;
  Admin in_db5(db5);
  EXPECT_EQ(in_db5.command({"GET", "k"}), RedisReply::make_string("in db 5"));
  RedisOptions db0 = options;
  db0.db = 0;
  Admin in_db0(db0);
  EXPECT_EQ(in_db0.command({"GET", "k"}), RedisReply());

  struct Case {
    const char* what;
    std::string password;
    std::string expected_error;
  };
  const Case refused[] = {
      {"wrong password", "wrong", "AUTH failed: WRONGPASS"},
      {"no password", "", "SELECT failed: NOAUTH"},
  };
  for (const Case& c : refused) {
    SCOPED_TRACE(c.what);
    RedisOptions bad = options;
    bad.password = c.password;
    bad.reconnect_min = 1000ms;
    auto refused_client = connect(bad);
    // handshake_failed if the PING waited for the attempt, not_connected if the attempt had already failed.
    Result r = exec(*refused_client, {"PING"});
    EXPECT_TRUE(r.ec == RedisError::handshake_failed || r.ec == RedisError::not_connected) << r.ec.message();
    EXPECT_TRUE(refused_client->last_error().starts_with(c.expected_error)) << refused_client->last_error();
    EXPECT_FALSE(refused_client->ready());
  }
}

TEST_F(RedisConnectionTest, CloseFailsWhatIsInFlightAndLetsGo) {
  auto client = connect();
  ASSERT_TRUE(connected(*client));
  auto blocked = start(*client, {"BLPOP", key("empty"), "5"});
  std::this_thread::sleep_for(50ms);
  const auto closing = Clock::now();
  client->close();
  EXPECT_EQ(get(blocked).ec, RedisError::closed);
  EXPECT_LT(seconds_since(closing), 1.0) << "not when BLPOP would have answered";
  EXPECT_EQ(exec(*client, {"PING"}).ec, RedisError::closed);
  EXPECT_FALSE(client->ready());
  // TearDown checks that the io_context runs dry and the client is destroyed.
}

TEST_F(RedisConnectionTest, DestroyingTheIoContextWithoutCloseReleasesEverything) {
  std::weak_ptr<RedisClient> weak;
  std::future<Result> abandoned;
  {
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    auto client = RedisClient::create(ioc.get_executor(), options_);
    weak = client;
    ASSERT_EQ(exec(*client, {"PING"}).reply, RedisReply::make_status("PONG"));
    abandoned = start(*client, {"BLPOP", key("empty"), "1"});
    client.reset();
    EXPECT_FALSE(weak.expired()) << "a connected client is kept alive by its socket wait";
    ioc.stop();
    runner.join();
  }
  EXPECT_TRUE(weak.expired()) << "destroying the io_context must release the client (ASan checks the rest)";
  ASSERT_EQ(abandoned.wait_for(0ms), std::future_status::ready);
  EXPECT_THROW(abandoned.get(), std::future_error) << "its handler is destroyed, never run";
}

}  // namespace
}  // namespace hookd::store::test
