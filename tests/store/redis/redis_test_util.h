// What the Redis integration tests share: the test server's address, an io_context on two threads, a blocking
// "admin" connection (plain synchronous hiredis, independent of the code under test) to look at and disturb
// the server, and a private redis-server process for tests that stop, pause or restart one.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/asio.h"
#include "store/redis/client.h"
#include "store/redis/options.h"
#include "store/redis/reply.h"

struct redisContext;

namespace hookd::store::test {

using namespace std::chrono_literals;

// Options for the server at HOOKD_TEST_REDIS_URL; a fatal failure (naming the variable) when it is unset.
void load_test_options(RedisOptions* out);

// A name no other test or test run uses: keys, channels and client names stay apart when ctest runs tests in
// parallel against one server.
std::string unique_name(std::string_view prefix);

// An io_context run by `threads` threads until drain().
class IoThreads {
 public:
  enum class Start { now, on_run };
  // With Start::on_run the threads start only at run(): until then, nothing posted to the executor has run.
  explicit IoThreads(int threads = 2, Start when = Start::now);
  ~IoThreads();
  asio::any_io_executor executor() { return ioc_.get_executor(); }
  void run();
  // Lets go of the work guard and waits for every thread's run() to return. False if work was still pending
  // after `limit`: something (a timer, a socket wait, a handler) outlived close().
  bool drain(std::chrono::milliseconds limit = 5000ms);

 private:
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  const int thread_count_;
  bool started_ = false;
  std::vector<std::thread> threads_;
  std::shared_ptr<std::atomic<int>> running_;
};

struct Result {
  error_code ec;
  RedisReply reply;
};

// Runs one command through the callback form of the API and waits for it (test thread only).
Result exec(RedisClient& client, RedisCommand command, std::chrono::milliseconds limit = 10000ms);
Result exec_transaction(RedisClient& client, std::vector<RedisCommand> commands,
                        std::chrono::milliseconds limit = 10000ms);

// A loopback port that refuses connections for as long as this object lives: a TCP socket is bound to it but
// never listens. Nobody else can bind the port meanwhile (no SO_REUSEADDR), and the kernel never picks a
// bound port as the local port of an outgoing connection. (A port that was merely free a moment ago may be
// taken by then: by another test's server, or as the local end of someone's connection.)
class RefusedPort {
 public:
  RefusedPort();
  uint16_t port() const { return port_; }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  uint16_t port_ = 0;
};

// Polls `condition` every 5 ms; false if it did not hold within `limit`.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10000ms);

// One command on a blocking hiredis connection; a transport error comes back as an error reply starting with
// "(<who>) ".
RedisReply blocking_command(redisContext* ctx, const std::vector<std::string>& args, std::string_view who);

// A blocking connection to a server, for the test's own reads and writes.
class Admin {
 public:
  explicit Admin(const RedisOptions& options);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  bool connected() const { return ctx_ != nullptr; }
  // A failed connection or a transport error comes back as an error reply starting with "(admin)".
  RedisReply command(const std::vector<std::string>& args);
  // The CLIENT LIST line of the connection CLIENT SETNAME'd `name` ("id=... name=... cmd=..."), or "".
  std::string client_info(std::string_view name);
  // The id of the connection CLIENT SETNAME'd `name`, or -1.
  int64_t client_id(std::string_view name);
  // Kills the connection named `name`; false if there was none.
  bool kill_client(std::string_view name);
  // Deletes every key starting with `prefix`.
  void delete_keys(std::string_view prefix);

 private:
  redisContext* ctx_ = nullptr;
};

// A redis-server of the test's own on a loopback port, for tests that must stop, freeze or restart the server
// (doing that to the shared one would disturb every other test running at the same time).
//
// The port stays this object's from construction to destruction, also while the server is stopped, so a
// restart finds it free and a client of a stopped server gets "connection refused", never someone else's
// server: it lies outside the kernel's ephemeral range (ip_local_port_range), which nobody is given by bind()
// to port 0 or for the local end of a connection, and it is locked against the other test processes
// (RedisServerProcess in another ctest job) by a socket in the abstract namespace named after it.
class RedisServerProcess {
 public:
  explicit RedisServerProcess(std::vector<std::string> extra_args = {});
  ~RedisServerProcess();
  // Starts it (again, on the same port) and waits until it answers PING. Fatal failure if it does not. A port
  // taken by a process outside the tests (redis-server exits with "Address already in use") is retried: for
  // the first start with another port, for a restart with the same one until it is free again.
  void start();
  void stop();
  // SIGSTOP / SIGCONT: a frozen server answers nothing, while the kernel still completes TCP handshakes on
  // its listening socket, until thaw(). freeze() returns once the process has stopped.
  void freeze();
  void thaw();
  uint16_t port() const { return port_; }
  RedisOptions options() const;

 private:
  // One attempt: forks redis-server on port_ and waits until it answers PING or exits.
  enum class Launch { up, address_in_use, failed };
  Launch launch(std::string* report);
  bool reserve_port();
  void release_port();

  std::vector<std::string> extra_args_;
  uint16_t port_ = 0;
  int port_lock_ = -1;   // the abstract socket that reserves port_
  bool was_up_ = false;  // a client may know port_: a restart must come back on it
  pid_t pid_ = -1;
};

// The fixture of every integration test: options for the shared server with a unique client name, a unique
// key prefix (deleted afterwards), two I/O threads, and clients that are closed at the end. TearDown checks
// that close() really lets go: the io_context runs dry and every client is destroyed.
class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  RedisClientPtr connect(const RedisOptions& options);
  RedisClientPtr connect() { return connect(options_); }
  // Waits until the client has a connection.
  ::testing::AssertionResult connected(const RedisClient& client, std::chrono::milliseconds limit = 10000ms);
  std::string key(std::string_view name) const { return prefix_ + std::string(name); }
  // Closed by TearDown, which then checks that it was destroyed: a RedisClient or a RedisSubscriber.
  template <typename T>
  void track(const std::shared_ptr<T>& c) {
    connections_.push_back({[c] { c->close(); }, c});
  }

  RedisOptions options_;
  std::string prefix_;
  IoThreads io_;
  std::unique_ptr<Admin> admin_;
  struct Tracked {
    std::function<void()> close;
    std::weak_ptr<void> object;
  };
  std::vector<Tracked> connections_;  // closed by TearDown
};

}  // namespace hookd::store::test
