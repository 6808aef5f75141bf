// One hiredis connection on a strand, with reconnects, handshake and command timeouts. RedisClient and
// RedisSubscriber are built on it; see client.h for the behaviour callers rely on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.h"
#include "store/redis/command.h"
#include "store/redis/error.h"
#include "store/redis/options.h"
#include "store/redis/reply.h"

struct redisAsyncContext;
struct redisReply;

namespace hookd::store::detail {

// A caller's completion handler with its type erased (Boost 1.74 has no any_completion_handler).
class Completion {
 public:
  virtual ~Completion() = default;
  // Posts the handler to its associated executor; never runs it inline. Call at most once.
  virtual void complete(error_code ec, RedisReply reply) = 0;
};

// Outstanding work on `ex`, so its execution context keeps running until the handler has been posted: a
// tracked copy of a standard executor, or a work guard for a Networking TS one (a strand is both; Asio's own
// handler_work prefers the standard way too).
template <typename Executor>
auto track_work(const Executor& ex) {
  if constexpr (asio::execution::is_executor<Executor>::value)
    return asio::prefer(ex, asio::execution::outstanding_work.tracked);
  else
    return asio::make_work_guard(ex);
}

template <typename Executor>
auto work_executor(const Executor& tracked) {
  if constexpr (asio::execution::is_executor<Executor>::value)
    return tracked;
  else
    return tracked.get_executor();
}

template <typename Handler>
class CompletionFor final : public Completion {
 public:
  CompletionFor(Handler handler, const asio::any_io_executor& fallback)
      : work_(track_work(asio::get_associated_executor(handler, fallback))), handler_(std::move(handler)) {}

  void complete(error_code ec, RedisReply reply) override {
    asio::post(work_executor(*work_),
               [handler = std::move(handler_), ec, reply = std::move(reply)]() mutable {
                 std::move(handler)(ec, std::move(reply));
               });
    work_.reset();
  }

 private:
  using Executor = asio::associated_executor_t<Handler, asio::any_io_executor>;
  std::optional<decltype(track_work(std::declval<const Executor&>()))> work_;
  Handler handler_;
};

template <typename Handler>
std::unique_ptr<Completion> make_completion(Handler&& handler, const asio::any_io_executor& fallback) {
  return std::make_unique<CompletionFor<std::decay_t<Handler>>>(std::forward<Handler>(handler), fallback);
}

// How a request's commands are sent.
enum class Batch : uint8_t {
  single,       // one command (or several back to back): the completion gets the last reply
  transaction,  // MULTI, the commands, EXEC: one slot, atomic; the completion gets EXEC's reply
  pipeline,     // independent commands, any slots, not atomic; the completion gets an array of their replies.
                // One connection sends them as a transaction (one reply array); only each command's own keys
                // must share a slot (slot audit). The cluster client splits them by node.
};

// What submit() refuses before sending anything: an empty command, or one that would change the state of the
// shared connection (SUBSCRIBE, MULTI, SELECT, ...).
std::optional<RedisError> check_commands(const std::vector<RedisCommand>& commands, Batch batch);

// A Redis Cluster redirection or transient refusal: MOVED, ASK, TRYAGAIN, CLUSTERDOWN.
bool is_cluster_redirect(const RedisReply& reply) noexcept;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;

  using executor_type = asio::strand<asio::any_io_executor>;

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection();

  executor_type get_executor() const noexcept { return strand_; }
  const RedisOptions& options() const noexcept { return options_; }

  // Connected and past the handshake. Cheap and callable from any thread: what /readyz reports.
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire) && !closing(); }
  // The last thing that went wrong (hiredis' message, the reply to AUTH, a timeout), for logs and /readyz.
  std::string last_error() const;

  // Stops for good: in-flight and queued commands complete with RedisError::closed, no more reconnects, and
  // the pending waits let go so the object can be destroyed. Any thread; returns at once.
  void close();

 protected:
  Connection(asio::any_io_executor ex, RedisOptions options, std::string_view role);

  // Starts the first connection attempt. Called by create(), once the object is owned by a shared_ptr.
  void start();
  // From any thread. Checks the commands, then hands them to the strand.
  void submit(std::vector<RedisCommand> commands, Batch batch, std::unique_ptr<Completion> completion);
  // From any thread: the commands exactly as given (the cluster client's ASKING, MULTI, ..., EXEC), sent back
  // to back; the completion gets the last reply, or, when EXEC answers EXECABORT because a queued command was
  // redirected (MOVED, ASK, ...), that redirection.
  void submit_raw(std::vector<RedisCommand> commands, std::unique_ptr<Completion> completion);

  // On the strand, inside a hiredis callback: the handshake is done / the connection is gone.
  virtual void on_connected() {}
  virtual void on_disconnected() {}
  // On the strand, before each connection attempt: where to connect this time, if the subclass knows better
  // than the configured address (or the next seed).
  virtual std::optional<RedisEndpoint> choose_address() { return std::nullopt; }
  // Strand only: ends a working connection so that the next attempt (at once) asks choose_address() again.
  void reconnect_elsewhere(std::string why);
  // Strand only: the node of the current (or last) attempt.
  const RedisEndpoint& address() const noexcept { return current_; }

  redisAsyncContext* context() const noexcept { return ac_; }  // strand only
  bool closed() const noexcept { return closed_; }             // strand only
  // close() was called, from any thread: the connection may still be going down on the strand, but from here
  // on nothing reports it as usable.
  bool closing() const noexcept { return closing_.load(std::memory_order_acquire); }
  const std::string& role() const noexcept { return role_; }

  const asio::any_io_executor io_executor_;  // default executor for handlers that have none
  const executor_type strand_;
  // Nonzero while hiredis reads this connection's socket and runs the callbacks for what it read.
  std::atomic<int> reads_in_progress_{0};

 private:
  enum class State : uint8_t { idle, connecting, ready, backoff, closed };

  struct Request {
    std::vector<RedisCommand> commands;
    std::unique_ptr<Completion> completion;
    Clock::time_point deadline;                 // set on the strand
    std::optional<RedisReply> queued_redirect;  // a queued command's MOVED/ASK/... inside MULTI
  };

  // One reply hiredis owes us. hiredis answers regular commands in the order they were sent, so this queue
  // and hiredis' own callback list advance together.
  struct Pending {
    enum class Kind : uint8_t { handshake, ignore, result };
    Kind kind;
    Clock::time_point deadline;
    std::unique_ptr<Request> request;  // result only
    std::string_view what;             // handshake only: "AUTH", "SELECT", ...
    Request* owner = nullptr;          // ignore only: the request this reply belongs to (owned further back)
  };

  static void reply_callback(redisAsyncContext* ac, void* reply, void* privdata);
  static void connect_callback(const redisAsyncContext* ac, int status);
  static void disconnect_callback(const redisAsyncContext* ac, int status);

  // The connection's life, in the order it runs.
  void do_connect();
  void on_resolve(uint64_t attempt, error_code ec, const tcp::resolver::results_type& results);
  void do_open(const std::string& ip);
  void do_handshake();
  void on_handshake_reply(const redisReply& reply, std::string_view what);
  void on_ready();
  void on_connect_timeout(uint64_t attempt);
  void on_connect_failed(const redisAsyncContext* ac);
  void on_disconnect(const redisAsyncContext* ac);
  void drop(RedisError reason);
  void connection_ended(bool was_ready, RedisError reason);
  void schedule_reconnect(std::chrono::milliseconds delay);

  // Commands.
  void do_submit(std::unique_ptr<Request> request);
  void send_request(std::unique_ptr<Request> request);
  void on_reply(redisReply* reply);
  void fail(std::unique_ptr<Request> request, RedisError reason);
  void arm_watchdog();
  void on_watchdog(error_code ec);

  void do_close();
  void teardown() noexcept;
  void set_last_error(std::string message);

  const RedisOptions options_;
  const std::string role_;
  // Where to connect: the host and port, or, for a cluster subscriber, every seed node in turn (the next one
  // after each lost connection or failed attempt).
  const std::vector<RedisEndpoint> addresses_;
  size_t address_index_ = 0;
  RedisEndpoint current_;  // strand only

  redisAsyncContext* ac_ = nullptr;
  State state_ = State::idle;
  bool closed_ = false;
  bool tearing_down_ = false;  // destructor: drop handlers without running them
  uint64_t attempt_ = 0;       // tells a stale timer or resolve result from the current attempt's
  unsigned failures_ = 0;      // consecutive failed attempts, for the backoff
  size_t handshake_left_ = 0;
  std::optional<RedisError> drop_reason_;  // why we dropped the connection, for the replies it still owed

  std::deque<Pending> inflight_;
  std::deque<std::unique_ptr<Request>> waiting_;  // submitted while connecting; sent once ready

  tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  asio::steady_timer reconnect_timer_;
  // One timer for every command: deadlines only grow (one timeout for all, sent in order), so only the oldest
  // request in each queue can be the next to expire.
  asio::steady_timer watchdog_;
  bool watchdog_armed_ = false;

  std::atomic<bool> ready_{false};
  std::atomic<bool> closing_{false};
  mutable std::mutex error_mutex_;
  std::string last_error_;
};

// A connection to one server (one Redis Cluster node) that the store layer submits to directly.
class NodeConnection final : public Connection {
 public:
  // `on_state(up)`: on the strand, when the handshake is done (true) and when the connection or an attempt
  // ends (false).
  static std::shared_ptr<NodeConnection> create(asio::any_io_executor ex, RedisOptions options,
                                                std::string_view role, std::function<void(bool)> on_state);
  using Connection::submit;
  using Connection::submit_raw;
  // An object that lives as long as this connection: the RedisClient in front of it, which is thereby kept
  // alive by the connection's pending waits, as the connection is (client.h, Lifetime).
  void attach_owner(std::shared_ptr<void> owner) { keep_alive_ = std::move(owner); }

 private:
  NodeConnection(asio::any_io_executor ex, RedisOptions options, std::string_view role,
                 std::function<void(bool)> on_state);
  void on_connected() override;
  void on_disconnected() override;
  const std::function<void(bool)> on_state_;
  std::shared_ptr<void> keep_alive_;
};

}  // namespace hookd::store::detail
