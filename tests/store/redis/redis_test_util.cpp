#include "redis_test_util.h"

#include <hiredis/hiredis.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

namespace hookd::store::test {

void load_test_options(RedisOptions* out) {
  const char* url = std::getenv("HOOKD_TEST_REDIS_URL");
  ASSERT_TRUE(url != nullptr && *url != '\0')
      << "HOOKD_TEST_REDIS_URL is not set. These tests need a real redis-server: run them through "
         "tools/test, or "
         "`tools/redis start` and export the line `tools/redis env` prints.";
  auto parsed = RedisOptions::from_url(url, *out);
  ASSERT_TRUE(parsed.ok()) << "HOOKD_TEST_REDIS_URL: " << parsed.error().message;
  *out = std::move(parsed).value();
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::string(prefix) + std::to_string(::getpid()) + "." +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) + "." +
         std::to_string(counter++);
}

// ---- IoThreads

IoThreads::IoThreads(int threads, Start when)
    : thread_count_(threads), running_(std::make_shared<std::atomic<int>>(threads)) {
  work_.emplace(ioc_.get_executor());
  if (when == Start::now) run();
}

IoThreads::~IoThreads() {
  if (!threads_.empty()) drain(0ms);
}

void IoThreads::run() {
  if (started_) return;
  started_ = true;
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this, running = running_] {
      ioc_.run();
      --*running;
    });
  }
}

bool IoThreads::drain(std::chrono::milliseconds limit) {
  run();  // what was posted before must run out too
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

RedisReply blocking_command(redisContext* ctx, const std::vector<std::string>& args, std::string_view who) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (reply == nullptr) return RedisReply::make_error("(" + std::string(who) + ") " + ctx->errstr);
  RedisReply copy = detail::copy_reply(*reply);
  freeReplyObject(reply);
  return copy;
}

RedisReply Admin::command(const std::vector<std::string>& args) {
  if (!ctx_) return RedisReply::make_error("(admin) not connected");
  return blocking_command(ctx_, args, "admin");
}

std::string Admin::client_info(std::string_view name) {
  RedisReply list = command({"CLIENT", "LIST"});
  std::istringstream lines{std::string(list.str())};
  std::string line;
  const std::string needle = " name=" + std::string(name) + " ";
  while (std::getline(lines, line)) {
    if (line.find(needle) != std::string::npos && line.starts_with("id=")) return line;
  }
  return {};
}

int64_t Admin::client_id(std::string_view name) {
  const std::string line = client_info(name);
  if (line.empty()) return -1;
  return std::stoll(line.substr(3, line.find(' ') - 3));
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

// ---- RefusedPort

RefusedPort::RefusedPort() : socket_(ioc_) {
  socket_.open(tcp::v4());  // no SO_REUSEADDR: nobody can share the port
  socket_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  port_ = socket_.local_endpoint().port();
}

// ---- RedisServerProcess

namespace {

// Ports for private servers, in random order: 20000-65535 (the tools' fixed ports are below: 16379 redis,
// 19092 kafka, 8080 ...) outside the ephemeral range; 1024-19999 outside it only if that leaves none.
std::vector<uint16_t> private_server_ports() {
  int ephemeral_first = 32768, ephemeral_last = 60999;  // the kernel's default, if /proc cannot tell
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_first >> ephemeral_last;
  std::vector<uint16_t> ports;
  for (int first : {20000, 1024}) {
    for (int p = first; p <= (first == 1024 ? 19999 : 65535); ++p)
      if (p < ephemeral_first || p > ephemeral_last) ports.push_back(static_cast<uint16_t>(p));
    if (!ports.empty()) break;
  }
  std::shuffle(ports.begin(), ports.end(), std::mt19937(std::random_device{}()));
  return ports;
}

// A lock on `port` among the test processes: a socket in the abstract namespace named after it (only one can
// bind a name; the kernel lets go of it when the process ends, however it ends). -1 if another process has
// it.
int lock_port(uint16_t port) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const std::string name = "hookd-test-redis-port-" + std::to_string(port);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data(), name.size());  // sun_path[0] == '\0': abstract
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (off_t offset = 0;;) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
}

}  // namespace

RedisServerProcess::RedisServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  start();
}

RedisServerProcess::~RedisServerProcess() {
  stop();
  release_port();
}

RedisOptions RedisServerProcess::options() const {
  RedisOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  return options;
}

bool RedisServerProcess::reserve_port() {
  for (uint16_t port : private_server_ports()) {
    port_lock_ = lock_port(port);
    if (port_lock_ >= 0) {
      port_ = port;
      return true;
    }
  }
  return false;
}

void RedisServerProcess::release_port() {
  if (port_lock_ >= 0) ::close(port_lock_);
  port_lock_ = -1;
  port_ = 0;
}

void RedisServerProcess::start() {
  ASSERT_EQ(pid_, -1) << "already running";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    if (port_ == 0) {
      ASSERT_TRUE(reserve_port()) << "no port left for a private redis-server";
    }
    std::string report;
    switch (launch(&report)) {
      case Launch::up:
        was_up_ = true;
        return;
      case Launch::failed:
        FAIL() << report;
      case Launch::address_in_use:
        break;
    }
    // Listened on by a process outside the tests: the first start takes another port, a restart must wait
    // until its own one is free again.
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "port " << port_ << " stayed in use by another process for 10 s:\n"
        << report;
    if (was_up_)
      std::this_thread::sleep_for(50ms);
    else
      release_port();
  }
}

RedisServerProcess::Launch RedisServerProcess::launch(std::string* report) {
  std::vector<std::string> args = {
      "redis-server", "--port", std::to_string(port_), "--bind",  "127.0.0.1",   "--save", "",
      "--appendonly", "no",     "--loglevel",          "warning", "--daemonize", "no"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  // Its banner and warnings would bury the test output: they go to a file of their own, shown when the server
  // does not come up.
  const int log = ::memfd_create("redis-server.log", MFD_CLOEXEC);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    if (log >= 0) ::close(log);
    *report = std::string("fork failed: ") + std::strerror(errno);
    return Launch::failed;
  }
  if (pid_ == 0) {
    // Dies with the test process even if the test crashes before stop().
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    // None of the test process's sockets: a connection the test closes must not stay open in the server.
    ::close_range(3, ~0U, 0);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }

  RedisOptions o = options();
  for (size_t i = 0; i + 1 < extra_args_.size(); ++i)
    if (extra_args_[i] == "--requirepass") o.password = extra_args_[i + 1];
  int status = 0;
  bool up = wait_until(
      [&] {
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
  const std::string output = log >= 0 ? read_all(log) : "";
  if (log >= 0) ::close(log);
  if (pid_ == -1) {
    *report = "redis-server on port " + std::to_string(port_) + " exited at once (status " +
              std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
              (WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": not on PATH, run tools/setup" : "") +
              "):\n" + output;
    return output.find("Address already in use") != std::string::npos ? Launch::address_in_use
                                                                      : Launch::failed;
  }
  if (up) return Launch::up;
  *report = "redis-server on port " + std::to_string(port_) + " did not answer PING within 10 s:\n" + output;
  return Launch::failed;
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);  // frozen or not
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServerProcess::freeze() {
  ASSERT_GT(pid_, 0) << "not running";
  ASSERT_EQ(::kill(pid_, SIGSTOP), 0) << std::strerror(errno);
  // kill() only sends the signal: from the moment waitpid reports it stopped, it answers nothing.
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, WUNTRACED), pid_) << std::strerror(errno);
  if (!WIFSTOPPED(status)) {
    pid_ = -1;
    FAIL() << "redis-server ended instead of stopping";
  }
}

void RedisServerProcess::thaw() {
  ASSERT_GT(pid_, 0) << "not running";
  ASSERT_EQ(::kill(pid_, SIGCONT), 0) << std::strerror(errno);
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
  std::vector<std::weak_ptr<void>> released;
  for (auto& c : connections_) {
    c.close();
    released.push_back(c.object);
  }
  connections_.clear();
  EXPECT_TRUE(io_.drain())
      << "work was still pending 5 s after close(): a timer or a socket wait outlived it";
  for (auto& w : released)
    EXPECT_TRUE(w.expired()) << "a closed client was not destroyed: a reference leaked";
  if (admin_ && admin_->connected()) admin_->delete_keys(prefix_);
}

RedisClientPtr RedisTest::connect(const RedisOptions& options) {
  auto client = RedisClient::create(io_.executor(), options);
  track(client);
  return client;
}

::testing::AssertionResult RedisTest::connected(const RedisClient& client, std::chrono::milliseconds limit) {
  if (wait_until([&] { return client.ready(); }, limit)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "not connected after " << limit.count() << " ms; last error: " << client.last_error();
}

}  // namespace hookd::store::test
