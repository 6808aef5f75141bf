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

// The server holds this client's BLPOP. Its own line of CLIENT LIST: other tests block in BLPOP on the same
// server at the same time.
bool blocked_in_blpop(Admin& admin, std::string_view client_name) {
  return admin.client_info(client_name).find(" cmd=blpop ") != std::string::npos;
}

TEST_F(RedisConnectionTest, CommandsIssuedBeforeTheConnectionIsUpWaitForIt) {
  // Threads that start only after the command was issued: the connection attempt has not even begun when the
  // command reaches the client (with running threads the whole handshake may be done by then).
  IoThreads io(2, IoThreads::Start::on_run);
  auto client = RedisClient::create(io.executor(), options_);
  auto early = start(*client, {"SET", key("early"), "1"});
  EXPECT_FALSE(client->ready()) << "cannot be connected before the strand ran";
  io.run();
  Result r = get(early);
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_TRUE(r.reply.is_status("OK")) << r.reply;
  EXPECT_TRUE(client->ready());
  EXPECT_GE(admin_->client_id(options_.client_name), 0) << "CLIENT SETNAME was part of the handshake";

  // What TearDown checks for the fixture's clients.
  client->close();
  std::weak_ptr<RedisClient> released = client;
  client.reset();
  EXPECT_TRUE(io.drain()) << "work was still pending 5 s after close()";
  EXPECT_TRUE(released.expired()) << "a closed client was not destroyed: a reference leaked";
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
  options.command_timeout = 1000ms;
  auto client = connect(options);
  // Connected first: the first command's timeout would also have to cover the connection and the handshake.
  ASSERT_TRUE(connected(*client));
  Result first_id = exec(*client, {"CLIENT", "ID"});
  ASSERT_TRUE(first_id.reply.is_integer()) << first_id.reply << " " << first_id.ec.message();

  // BLPOP on an empty list answers after 10 s: far too late.
  const auto started = Clock::now();
  auto blocked = start(*client, {"BLPOP", key("empty"), "10"});
  ASSERT_TRUE(wait_until([&] { return blocked_in_blpop(*admin_, options.client_name); }))
      << "BLPOP never reached the server";
  // A command pipelined behind it is cut off when BLPOP's timeout drops the connection, but is not late
  // itself: its own deadline is later by as much as it was sent later. Sent halfway through BLPOP's timeout,
  // so this thread or the io threads may be held up by up to half of it (500 ms) on a loaded machine.
  std::this_thread::sleep_until(started + options.command_timeout / 2);
  auto behind = start(*client, {"GET", key("x")});

  Result late = get(blocked);
  const double waited = seconds_since(started);
  EXPECT_EQ(late.ec, RedisError::timeout) << late.ec.message();
  EXPECT_GE(waited, 0.99);
  EXPECT_LT(waited, 3.0) << "at its timeout, not when BLPOP would have answered";
  EXPECT_EQ(get(behind).ec, RedisError::connection_lost) << "cut off with the connection, not late itself";

  ASSERT_TRUE(connected(*client));
  Result second_id = exec(*client, {"CLIENT", "ID"});
  ASSERT_TRUE(second_id.reply.is_integer()) << second_id.reply << " " << second_id.ec.message();
  EXPECT_NE(second_id.reply, first_id.reply) << "a new connection";
  // The server notices the closed socket on its own time; until then both connections have the name.
  EXPECT_TRUE(wait_until([&] {
    return admin_->client_id(options_.client_name) == second_id.reply.integer();
  })) << "the old connection is gone from the server: "
      << admin_->client_info(options_.client_name);
  EXPECT_NE(client->last_error().find("no reply within 1000 ms"), std::string::npos) << client->last_error();
}

TEST_F(RedisConnectionTest, InFlightCommandFailsAtOnceWhenItsConnectionIsKilled) {
  RedisOptions options = options_;
  options.command_timeout = 8000ms;
  auto client = connect(options);
  ASSERT_TRUE(connected(*client));

  auto blocked = start(*client, {"BLPOP", key("empty"), "6"});
  ASSERT_TRUE(wait_until([&] { return blocked_in_blpop(*admin_, options.client_name); }))
      << "BLPOP never reached the server";
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

  ASSERT_NO_FATAL_FAILURE(server.start());
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

  // Frozen for exactly as long as the loop below takes, however slow the machine. (CLIENT PAUSE would end on
  // its own clock, and Redis 7.0 holds a CLIENT UNPAUSE back until then too.)
  ASSERT_NO_FATAL_FAILURE(server.freeze());
  const auto frozen = Clock::now();
  Result late = exec(*client, {"SET", "k", "v"});
  EXPECT_EQ(late.ec, RedisError::timeout) << late.ec.message();
  EXPECT_LT(seconds_since(frozen), 1.0);
  // New connections are accepted (by the kernel) but never answer the handshake: every command still ends
  // within its timeout.
  while (seconds_since(frozen) < 1.2) {
    const auto started = Clock::now();
    Result r = exec(*client, {"GET", "k"});
    EXPECT_TRUE(r.ec == RedisError::timeout || r.ec == RedisError::not_connected ||
                r.ec == RedisError::connect_timeout)
        << r.ec.message();
    EXPECT_LT(seconds_since(started), 1.0) << "bounded by the 200 ms command timeout";
  }
  server.thaw();
  ASSERT_TRUE(connected(*client, 5000ms));
  Result after = exec(*client, {"GET", "k"});
  EXPECT_FALSE(after.ec) << after.ec.message();
}

TEST_F(RedisConnectionTest, FailsFastWhenNothingListens) {
  RefusedPort nothing_listens;  // for the whole test
  RedisOptions options = options_;
  options.port = nothing_listens.port();
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
  // Before connect(): the attempt, and its 200 ms, start on the io threads at once.
  const auto started = Clock::now();
  auto client = connect(options);
  Result r = exec(*client, {"PING"});
  EXPECT_EQ(r.ec, RedisError::connect_timeout) << r.ec.message();
  EXPECT_GE(seconds_since(started), 0.19);
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(client->last_error(), "no connection within 200 ms");
}

TEST_F(RedisConnectionTest, AuthenticatesAndSelectsTheDatabaseFromTheUrl) {
  RedisServerProcess server({"--requirepass", "s3cr@t"});
  auto parsed = RedisOptions::from_url("redis://:s3cr%40t@127.0.0.1:" + std::to_string(server.port()) + "/5");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  RedisOptions options = *parsed;
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
  ASSERT_TRUE(wait_until([&] { return blocked_in_blpop(*admin_, options_.client_name); }))
      << "BLPOP never reached the server";
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
    // BLPOP, and the command timeout, far longer than the few statements until ioc.stop(), however slow the
    // machine: the command must still be pending then.
    RedisOptions options = options_;
    options.command_timeout = 30000ms;
    auto client = RedisClient::create(ioc.get_executor(), options);
    weak = client;
    ASSERT_EQ(exec(*client, {"PING"}).reply, RedisReply::make_status("PONG"));
    abandoned = start(*client, {"BLPOP", key("empty"), "20"});
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
