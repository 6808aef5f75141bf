#include "redis_test_util.h"

#include <hiredis/hiredis.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <sstream>

namespace hookd::store::test {

void load_test_options(RedisOptions* out) {
  const char* url = std::getenv("HOOKD_TEST_REDIS_URL");
  ASSERT_TRUE(url != nullptr && *url != '\0')
      << "HOOKD_TEST_REDIS_URL is not set. These tests need a real redis-server: run them through "
         "tools/test, or "
         "`tools/redis start` and export the line `tools/redis env` prints.";
  std::string error;
  ASSERT_TRUE(RedisOptions::from_url(url, *out, &error)) << "HOOKD_TEST_REDIS_URL: " << error;
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::string(prefix) + std::to_string(::getpid()) + "." +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) + "." +
         std::to_string(counter++);
}

// ---- IoThreads

IoThreads::IoThreads(int threads) : running_(std::make_shared<std::atomic<int>>(threads)) {
  work_.emplace(ioc_.get_executor());
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, running = running_] {
      ioc_.run();
      --*running;
    });
  }
}

IoThreads::~IoThreads() {
  if (!threads_.empty()) drain(0ms);
}

bool IoThreads::drain(std::chrono::milliseconds limit) {
  work_.reset();
  bool drained = wait_until([&] { return running_->load() == 0; }, limit);
  if (!drained) ioc_.stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  return drained;
}

// ---- Commands from the test thread

namespace {

Result wait_for(std::future<Result> future, std::chrono::milliseconds limit) {
  if (future.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "no completion within " << limit.count() << " ms: a command must never hang";
    return {make_error_code(boost::system::errc::timed_out), {}};
  }
  return future.get();
}

}  // namespace

Result exec(RedisClient& client, RedisCommand command, std::chrono::milliseconds limit) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  client.async_command(std::move(command), [promise](error_code ec, RedisReply reply) {
    promise->set_value({ec, std::move(reply)});
  });
  return wait_for(std::move(future), limit);
}

Result exec_transaction(RedisClient& client, std::vector<RedisCommand> commands,
                        std::chrono::milliseconds limit) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  client.async_transaction(std::move(commands), [promise](error_code ec, RedisReply reply) {
    promise->set_value({ec, std::move(reply)});
  });
  return wait_for(std::move(future), limit);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// ---- Admin

Admin::Admin(const RedisOptions& options) {
  timeval timeout{5, 0};
  ctx_ = redisConnectWithTimeout(options.host.c_str(), options.port, timeout);
  if (ctx_ == nullptr || ctx_->err) {
    ADD_FAILURE() << "admin connection to " << options.redacted_url() << ": "
                  << (ctx_ ? ctx_->errstr : "out of memory");
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
    return;
  }
  redisSetTimeout(ctx_, timeout);
  if (!options.password.empty()) {
    EXPECT_TRUE(command({"AUTH", options.password}).is_status("OK"));
  }
  if (options.db != 0) {
    EXPECT_TRUE(command({"SELECT", std::to_string(options.db)}).is_status("OK"));
  }
}

Admin::~Admin() {
  if (ctx_) redisFree(ctx_);
}

RedisReply Admin::command(const std::vector<std::string>& args) {
  if (!ctx_) return RedisReply::make_error("(admin) not connected");
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (reply == nullptr) return RedisReply::make_error(std::string("(admin) ") + ctx_->errstr);
  RedisReply copy = detail::copy_reply(*reply);
  freeReplyObject(reply);
  return copy;
}

int64_t Admin::client_id(std::string_view name) {
  RedisReply list = command({"CLIENT", "LIST"});
  std::istringstream lines{std::string(list.str())};
  std::string line;
  const std::string needle = " name=" + std::string(name) + " ";
  while (std::getline(lines, line)) {
    if (line.find(needle) == std::string::npos || !line.starts_with("id=")) continue;
    return std::stoll(line.substr(3, line.find(' ') - 3));
  }
  return -1;
}

bool Admin::kill_client(std::string_view name) {
  int64_t id = client_id(name);
  if (id < 0) return false;
  return command({"CLIENT", "KILL", "ID", std::to_string(id)}).integer() == 1;
}

void Admin::delete_keys(std::string_view prefix) {
  std::string cursor = "0";
  do {
    RedisReply page = command({"SCAN", cursor, "MATCH", std::string(prefix) + "*", "COUNT", "1000"});
    if (!page.is_array() || page.size() != 2) return;
    cursor = std::string(page[0].str());
    for (const RedisReply& key : page[1].elements())
      command({"DEL", std::string(key.str())});
  } while (cursor != "0");
}

// ---- RedisServerProcess

uint16_t free_loopback_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

RedisServerProcess::RedisServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), port_(free_loopback_port()) {
  start();
}

RedisServerProcess::~RedisServerProcess() {
  stop();
}

RedisOptions RedisServerProcess::options() const {
  RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  return options;
}

void RedisServerProcess::start() {
  ASSERT_EQ(pid_, -1) << "already running";
  std::vector<std::string> args = {
      "redis-server", "--port", std::to_string(port_), "--bind",  "127.0.0.1",   "--save", "",
      "--appendonly", "no",     "--loglevel",          "warning", "--daemonize", "no"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t parent = ::getpid();
  pid_ = ::fork();
  ASSERT_GE(pid_, 0) << "fork failed";
  if (pid_ == 0) {
    // Dies with the test process even if the test crashes before stop().
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    // Its banner and warnings would bury the test output; a server that does not come up is reported below.
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }

  RedisOptions o = options();
  for (size_t i = 0; i + 1 < extra_args_.size(); ++i)
    if (extra_args_[i] == "--requirepass") o.password = extra_args_[i + 1];
  bool up = wait_until(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // exited: reported below
        }
        timeval timeout{0, 200000};
        redisContext* c = redisConnectWithTimeout(o.host.c_str(), o.port, timeout);
        bool ok = false;
        if (c && !c->err) {
          if (!o.password.empty()) freeReplyObject(redisCommand(c, "AUTH %s", o.password.c_str()));
          auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
          ok = r && r->type == REDIS_REPLY_STATUS && std::string_view(r->str) == "PONG";
          if (r) freeReplyObject(r);
        }
        if (c) redisFree(c);
        return ok;
      },
      10000ms);
  ASSERT_NE(pid_, -1) << "redis-server exited at once (is it installed? run tools/setup)";
  ASSERT_TRUE(up) << "redis-server on port " << port_ << " did not answer PING within 10 s";
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

// ---- RedisTest

void RedisTest::SetUp() {
  load_test_options(&options_);
  if (HasFatalFailure()) return;
  options_.client_name = unique_name("hookd-test-");
  prefix_ = unique_name("hookd-test:") + ":";
  admin_ = std::make_unique<Admin>(options_);
}

void RedisTest::TearDown() {
  for (auto& c : connections_)
    c->close();
  std::vector<std::weak_ptr<detail::Connection>> released(connections_.begin(), connections_.end());
  connections_.clear();
  EXPECT_TRUE(io_.drain())
      << "work was still pending 5 s after close(): a timer or a socket wait outlived it";
  for (auto& w : released)
    EXPECT_TRUE(w.expired()) << "a closed client was not destroyed: a reference leaked";
  if (admin_ && admin_->connected()) admin_->delete_keys(prefix_);
}

RedisClientPtr RedisTest::connect(const RedisOptions& options) {
  auto client = RedisClient::create(io_.executor(), options);
  connections_.push_back(client);
  return client;
}

::testing::AssertionResult RedisTest::connected(const RedisClient& client, std::chrono::milliseconds limit) {
  if (wait_until([&] { return client.ready(); }, limit)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "not connected after " << limit.count() << " ms; last error: " << client.last_error();
}

}  // namespace hookd::store::test
