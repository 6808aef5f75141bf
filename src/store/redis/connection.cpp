#include "store/redis/connection.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <signal.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

#include "core/log.h"
#include "core/metrics.h"
#include "store/redis/asio_adapter.h"
#include "store/redis/slots.h"

namespace hookd::store::detail {

namespace {

constexpr auto never = std::chrono::steady_clock::time_point::max();

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Commands that change the state of the connection itself, which every caller of the client shares: another
// coroutine's command would land inside someone's MULTI, a SUBSCRIBE would turn the replies into messages.
bool changes_connection_state(std::string_view name) {
  static constexpr std::array<std::string_view, 16> names = {
      "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
      "monitor",   "multi",      "exec",       "discard",     "watch",        "unwatch",
      "select",    "hello",      "reset",      "quit"};
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, name); });
}

std::chrono::milliseconds backoff(const RedisOptions& o, unsigned failures) {
  auto delay = o.reconnect_min * (int64_t{1} << std::min(failures, 20u));
  return std::min(delay, std::max(o.reconnect_max, o.reconnect_min));
}

std::vector<RedisEndpoint> addresses_of(const RedisOptions& o) {
  if (o.cluster && !o.seeds.empty()) return o.seeds;
  return {RedisEndpoint{o.host, o.port}};
}

// hiredis writes with write(2), not send(..., MSG_NOSIGNAL): a write to a connection the server has reset
// raises SIGPIPE, whose default action ends the process without a word (no log line, no sanitizer report).
// The error return is all a client needs, so a process that left SIGPIPE at its default ignores it from the
// first connection on; a handler someone installed on purpose is left alone.
void make_broken_pipes_harmless() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
      std::signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace

std::optional<RedisError> check_commands(const std::vector<RedisCommand>& commands, Batch batch) {
  if (commands.empty() && batch == Batch::single) return RedisError::empty_command;
  for (const RedisCommand& command : commands) {
    if (command.empty()) return RedisError::empty_command;
    if (changes_connection_state(command.name())) return RedisError::unsupported_command;
  }
  return std::nullopt;
}

bool is_cluster_redirect(const RedisReply& reply) noexcept {
  return reply.is_error("MOVED") || reply.is_error("ASK") || reply.is_error("TRYAGAIN") ||
         reply.is_error("CLUSTERDOWN");
}

Connection::Connection(asio::any_io_executor ex, RedisOptions options, std::string_view role)
    : io_executor_(ex),
      strand_(asio::make_strand(ex)),
      options_(std::move(options)),
      role_(role),
      addresses_(addresses_of(options_)),
      current_(addresses_.front()),
      resolver_(strand_),
      connect_timer_(strand_),
      reconnect_timer_(strand_),
      watchdog_(strand_) {
  make_broken_pipes_harmless();
}

Connection::~Connection() {
  teardown();
}

std::string Connection::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void Connection::set_last_error(std::string message) {
  std::lock_guard lock(error_mutex_);
  last_error_ = std::move(message);
}

void Connection::start() {
  asio::post(strand_, [self = shared_from_this()] { self->do_connect(); });
}

void Connection::close() {
  closing_.store(true, std::memory_order_release);
  asio::dispatch(strand_, [self = shared_from_this()] { self->do_close(); });
}

// ---- Connecting

void Connection::do_connect() {
  if (closed_) return;
  state_ = State::connecting;
  drop_reason_.reset();
  current_ = choose_address().value_or(addresses_[address_index_]);
  const uint64_t attempt = ++attempt_;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), attempt](error_code ec) {
    if (!ec) self->on_connect_timeout(attempt);
  });

  // hiredis resolves host names with a blocking getaddrinfo: hand it an address, resolved here without
  // blocking the strand.
  error_code ec;
  auto ip = asio::ip::make_address(address().host, ec);
  if (!ec) return do_open(ip.to_string());
  resolver_.async_resolve(address().host, std::to_string(address().port),
                          [self = shared_from_this(), attempt](error_code ec, tcp::resolver::results_type r) {
                            self->on_resolve(attempt, ec, r);
                          });
}

void Connection::on_resolve(uint64_t attempt, error_code ec, const tcp::resolver::results_type& results) {
  if (attempt != attempt_ || state_ != State::connecting) return;
  if (ec || results.empty()) {
    set_last_error("cannot resolve " + address().host + ": " + (ec ? ec.message() : "no address"));
    return connection_ended(false, RedisError::connect_failed);
  }
  do_open(results.begin()->endpoint().address().to_string());
}

void Connection::do_open(const std::string& ip) {
  redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), address().port);
  if (ac == nullptr) {
    set_last_error("cannot allocate a hiredis context");
    return connection_ended(false, RedisError::connect_failed);
  }
  if (ac->err) {
    set_last_error(ac->c.errstr);
    redisAsyncFree(ac);
    return connection_ended(false, RedisError::connect_failed);
  }
  ac->data = this;
  if (!attach_to_asio(ac, strand_, weak_from_this(), &reads_in_progress_)) {
    set_last_error("cannot register the socket with Asio");
    redisAsyncFree(ac);
    return connection_ended(false, RedisError::connect_failed);
  }
  // A peer that vanishes without a FIN (a dead host, a dropped NAT entry) is noticed by keepalive even when
  // no command is waiting: the subscriber connection is idle most of the time.
  redisEnableKeepAlive(&ac->c);
  redisAsyncSetConnectCallback(ac, &Connection::connect_callback);
  redisAsyncSetDisconnectCallback(ac, &Connection::disconnect_callback);
  ac_ = ac;
  do_handshake();
}

// Queued now, written by hiredis once the TCP connection is up. PING comes last, so the connection is ready
// only when Redis actually answers (not while it is loading its dataset).
void Connection::do_handshake() {
  handshake_left_ = 0;
  auto send = [this](const RedisCommand& command, std::string_view what) {
    std::string_view wire = command.wire();
    if (redisAsyncFormattedCommand(ac_, &Connection::reply_callback, this, wire.data(), wire.size()) !=
        REDIS_OK)
      return;
    inflight_.push_back(Pending{Pending::Kind::handshake, never, nullptr, what, nullptr});
    ++handshake_left_;
  };
  if (!options_.password.empty()) {
    if (options_.username.empty())
      send(RedisCommand{"AUTH", options_.password}, "AUTH");
    else
      send(RedisCommand{"AUTH", options_.username, options_.password}, "AUTH");
  }
  if (options_.db != 0) send(RedisCommand{"SELECT"}.arg(int64_t{options_.db}), "SELECT");
  if (!options_.client_name.empty())
    send(RedisCommand{"CLIENT", "SETNAME", options_.client_name}, "CLIENT SETNAME");
  send(RedisCommand{"PING"}, "PING");
}

void Connection::on_handshake_reply(const redisReply& reply, std::string_view what) {
  if (reply.type == REDIS_REPLY_ERROR) {
    set_last_error(std::string(what) + " failed: " + std::string(reply.str, reply.len));
    return drop(RedisError::handshake_failed);
  }
  if (--handshake_left_ == 0) on_ready();
}

void Connection::on_ready() {
  state_ = State::ready;
  failures_ = 0;
  connect_timer_.cancel();
  ready_.store(true, std::memory_order_release);
  log::info("redis.connected", {{"role", role_}, {"url", options_.redacted_url()}});
  on_connected();
  while (!waiting_.empty() && state_ == State::ready) {
    auto request = std::move(waiting_.front());
    waiting_.pop_front();
    send_request(std::move(request));
  }
  arm_watchdog();
}

void Connection::on_connect_timeout(uint64_t attempt) {
  if (attempt != attempt_ || state_ != State::connecting) return;
  set_last_error("no connection within " + std::to_string(options_.connect_timeout.count()) + " ms");
  if (ac_) return drop(RedisError::connect_timeout);
  resolver_.cancel();
  connection_ended(false, RedisError::connect_timeout);
}

void Connection::connect_callback(const redisAsyncContext* ac, int status) {
  if (status != REDIS_OK) static_cast<Connection*>(ac->data)->on_connect_failed(ac);
}

void Connection::disconnect_callback(const redisAsyncContext* ac, int /*status*/) {
  static_cast<Connection*>(ac->data)->on_disconnect(ac);
}

// hiredis frees the context right after this callback, failing whatever was queued on it.
void Connection::on_connect_failed(const redisAsyncContext* ac) {
  if (ac != ac_) return;
  set_last_error(ac->c.errstr[0] ? ac->c.errstr : "connect failed");
  ac_ = nullptr;
  drop_reason_ = RedisError::connect_failed;
  connection_ended(false, RedisError::connect_failed);
}

// The server closed the connection or a read/write failed. hiredis has already failed the pending replies
// (connection_lost) and frees the context after this callback. A context we dropped ourselves is no longer
// ac_. Lost during the handshake, it is a failed attempt: the commands waiting for it were never sent.
void Connection::on_disconnect(const redisAsyncContext* ac) {
  if (ac != ac_) return;
  set_last_error(ac->c.errstr[0] ? ac->c.errstr : "connection closed");
  ac_ = nullptr;
  const bool was_ready = state_ == State::ready;
  connection_ended(was_ready, was_ready ? RedisError::connection_lost : RedisError::connect_failed);
}

// Frees the context now, or right after the hiredis callback we are in returns; either way every reply it
// still owed completes with `reason`.
void Connection::drop(RedisError reason) {
  if (!ac_) return;
  const bool was_ready = state_ == State::ready;
  drop_reason_ = reason;
  // Before the failed commands complete: their callers may look at ready() next.
  ready_.store(false, std::memory_order_release);
  redisAsyncFree(std::exchange(ac_, nullptr));
  connection_ended(was_ready, reason);
}

void Connection::connection_ended(bool was_ready, RedisError reason) {
  ready_.store(false, std::memory_order_release);
  connect_timer_.cancel();
  // A connection that worked is retried at once (a killed connection, a failover): commands issued meanwhile
  // wait for that attempt as they would for the first one. A failing server gets more and more time, and
  // commands fail at once while it does.
  const std::chrono::milliseconds delay =
      was_ready ? std::chrono::milliseconds(0) : backoff(options_, failures_);
  state_ = closed_ ? State::closed : was_ready ? State::connecting : State::backoff;
  while (!waiting_.empty()) {
    auto request = std::move(waiting_.front());
    waiting_.pop_front();
    fail(std::move(request), reason);
  }
  on_disconnected();
  if (closed_) return;
  // A cluster subscriber moves on to the next seed: the node it lost may be gone for good (a failover).
  if (addresses_.size() > 1) address_index_ = (address_index_ + 1) % addresses_.size();

  if (was_ready) {
    failures_ = 0;
    log::warn("redis.connection_lost", {{"role", role_},
                                        {"url", options_.redacted_url()},
                                        {"reason", make_error_code(reason).message()},
                                        {"error", last_error()}});
  } else {
    ++failures_;
    log::warn("redis.connect_failed", {{"role", role_},
                                       {"url", options_.redacted_url()},
                                       {"error", last_error()},
                                       {"retry_in_ms", static_cast<int64_t>(delay.count())}});
  }
  schedule_reconnect(delay);
}

// Always through the timer, even with no delay: the context being dropped may still be inside hiredis (a free
// deferred until the current callback returns), and the next one must not start until it is gone.
void Connection::schedule_reconnect(std::chrono::milliseconds delay) {
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->do_connect();
  });
}

// ---- Commands

namespace {

// Counts a request whose keys span slots and logs the first few (the audit is a diagnostic; the count is what
// to watch).
void report_cross_slot(const std::vector<RedisCommand>& commands, bool transaction) {
  static metrics::Counter& count = metrics::registry().counter(
      "hookd_redis_cross_slot_total",
      "Scripts and transactions whose keys span Redis Cluster slots (with HOOKD_REDIS_SLOT_AUDIT).");
  static std::atomic<int> logged{0};
  auto check = [&](const std::vector<RedisCommand>& together) {
    auto cross = cross_slot(together);
    if (!cross) return;
    count.inc();
    if (logged.fetch_add(1, std::memory_order_relaxed) < 100)
      log::warn("redis.cross_slot", {{"command", std::string(together.front().name())},
                                     {"key", std::string(cross->first)},
                                     {"other_key", std::string(cross->second)}});
  };
  if (transaction || commands.size() == 1) return check(commands);
  for (const RedisCommand& c : commands)
    check({c});
}

}  // namespace

void Connection::submit(std::vector<RedisCommand> commands, Batch batch,
                        std::unique_ptr<Completion> completion) {
  if (auto refused = check_commands(commands, batch)) return completion->complete(*refused, {});
  if (options_.slot_audit && !commands.empty()) report_cross_slot(commands, batch == Batch::transaction);
  if (batch != Batch::single) {
    commands.insert(commands.begin(), RedisCommand{"MULTI"});
    commands.push_back(RedisCommand{"EXEC"});
  }
  auto request = std::make_unique<Request>(Request{std::move(commands), std::move(completion), {}, {}});
  asio::dispatch(strand_, [self = shared_from_this(), request = std::move(request)]() mutable {
    self->do_submit(std::move(request));
  });
}

void Connection::submit_raw(std::vector<RedisCommand> commands, std::unique_ptr<Completion> completion) {
  auto request = std::make_unique<Request>(Request{std::move(commands), std::move(completion), {}, {}});
  asio::dispatch(strand_, [self = shared_from_this(), request = std::move(request)]() mutable {
    self->do_submit(std::move(request));
  });
}

void Connection::do_submit(std::unique_ptr<Request> request) {
  request->deadline = Clock::now() + options_.command_timeout;
  switch (state_) {
    case State::ready:
      send_request(std::move(request));
      break;
    case State::idle:
    case State::connecting:
      waiting_.push_back(std::move(request));
      break;
    case State::backoff:
      return fail(std::move(request), RedisError::not_connected);
    case State::closed:
      return fail(std::move(request), RedisError::closed);
  }
  arm_watchdog();
}

// Every command of the request goes to hiredis in one go, so nobody else's command can land between MULTI and
// EXEC. Only the last one's reply is the caller's.
void Connection::send_request(std::unique_ptr<Request> request) {
  const size_t n = request->commands.size();
  for (size_t i = 0; i < n; ++i) {
    std::string_view wire = request->commands[i].wire();
    if (redisAsyncFormattedCommand(ac_, &Connection::reply_callback, this, wire.data(), wire.size()) !=
        REDIS_OK) {
      // Only a context hiredis is already tearing down refuses commands; its pending replies fail with it.
      // The entries already queued must not point at the request once it is gone.
      for (size_t back = 0; back < i; ++back)
        inflight_[inflight_.size() - 1 - back].owner = nullptr;
      return fail(std::move(request), RedisError::connection_lost);
    }
    const auto deadline = request->deadline;
    if (i + 1 < n)
      inflight_.push_back(Pending{Pending::Kind::ignore, deadline, nullptr, {}, request.get()});
    else
      inflight_.push_back(Pending{Pending::Kind::result, deadline, std::move(request), {}, nullptr});
  }
}

void Connection::reply_callback(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
  static_cast<Connection*>(privdata)->on_reply(static_cast<redisReply*>(reply));
}

// `reply` is null when hiredis gives up on the connection and fails what it still owed.
void Connection::on_reply(redisReply* reply) {
  if (inflight_.empty()) return;  // every command we send has its entry; nothing else calls here
  Pending pending = std::move(inflight_.front());
  inflight_.pop_front();
  switch (pending.kind) {
    case Pending::Kind::handshake:
      if (reply) on_handshake_reply(*reply, pending.what);
      return;
    case Pending::Kind::ignore:
      // Inside MULTI a redirected command is refused (EXEC then answers EXECABORT): keep the redirection, it
      // is what the cluster client needs to see.
      if (reply && pending.owner && reply->type == REDIS_REPLY_ERROR && !pending.owner->queued_redirect) {
        RedisReply error = copy_reply(*reply);
        if (is_cluster_redirect(error)) pending.owner->queued_redirect = std::move(error);
      }
      return;
    case Pending::Kind::result:
      break;
  }
  if (tearing_down_) return;
  if (reply) {
    RedisReply result = copy_reply(*reply);
    if (pending.request->queued_redirect && result.is_error("EXECABORT"))
      result = std::move(*pending.request->queued_redirect);
    return pending.request->completion->complete({}, std::move(result));
  }
  // hiredis fails what it owed before it reports the disconnect: not ready from here on.
  ready_.store(false, std::memory_order_release);
  RedisError reason = drop_reason_.value_or(RedisError::connection_lost);
  // Only the commands that were late get `timeout`; the ones behind them were cut off with the connection.
  if (reason == RedisError::timeout && pending.deadline > Clock::now()) reason = RedisError::connection_lost;
  pending.request->completion->complete(reason, {});
}

void Connection::fail(std::unique_ptr<Request> request, RedisError reason) {
  if (!tearing_down_) request->completion->complete(reason, {});
}

void Connection::arm_watchdog() {
  if (watchdog_armed_ || closed_) return;
  auto next = never;
  if (!waiting_.empty()) next = waiting_.front()->deadline;
  if (!inflight_.empty()) next = std::min(next, inflight_.front().deadline);
  if (next == never) return;
  watchdog_armed_ = true;
  watchdog_.expires_at(next);
  watchdog_.async_wait([self = shared_from_this()](error_code ec) { self->on_watchdog(ec); });
}

void Connection::on_watchdog(error_code ec) {
  watchdog_armed_ = false;
  if (ec || closed_) return;
  const auto now = Clock::now();
  while (!waiting_.empty() && waiting_.front()->deadline <= now) {
    auto request = std::move(waiting_.front());
    waiting_.pop_front();
    fail(std::move(request), RedisError::timeout);
  }
  if (ac_ && !inflight_.empty() && inflight_.front().deadline <= now) {
    set_last_error("no reply within " + std::to_string(options_.command_timeout.count()) + " ms");
    drop(RedisError::timeout);
  }
  arm_watchdog();
}

void Connection::reconnect_elsewhere(std::string why) {
  if (closed_ || !ac_ || state_ != State::ready) return;
  set_last_error(std::move(why));
  drop(RedisError::connection_lost);
}

// ---- Shutdown

void Connection::do_close() {
  if (closed_) return;
  closed_ = true;
  reconnect_timer_.cancel();
  connect_timer_.cancel();
  watchdog_.cancel();
  resolver_.cancel();
  if (ac_)
    drop(RedisError::closed);
  else
    connection_ended(false, RedisError::closed);
}

// Only reached with a live context when the io_context was destroyed before close(): there is nobody left to
// run handlers, so requests are dropped without completing.
void Connection::teardown() noexcept {
  tearing_down_ = true;
  if (ac_) redisAsyncFree(std::exchange(ac_, nullptr));
  inflight_.clear();
  waiting_.clear();
}

// ---- NodeConnection

NodeConnection::NodeConnection(asio::any_io_executor ex, RedisOptions options, std::string_view role,
                               std::function<void(bool)> on_state)
    : Connection(std::move(ex), std::move(options), role), on_state_(std::move(on_state)) {}

std::shared_ptr<NodeConnection> NodeConnection::create(asio::any_io_executor ex, RedisOptions options,
                                                       std::string_view role,
                                                       std::function<void(bool)> on_state) {
  std::shared_ptr<NodeConnection> c(
      new NodeConnection(std::move(ex), std::move(options), role, std::move(on_state)));
  c->start();
  return c;
}

void NodeConnection::on_connected() {
  if (on_state_) on_state_(true);
}

void NodeConnection::on_disconnected() {
  if (on_state_) on_state_(false);
}

}  // namespace hookd::store::detail
