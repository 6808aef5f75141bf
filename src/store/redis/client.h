// hookd's Redis access: one RedisClient per process role, shared by every coroutine, on every thread.
//
// Threading. A client is one hiredis connection on its own strand (on Redis Cluster, one per master, behind a
// router on a strand of its own: cluster_router.h); hiredis is only ever touched there. Its methods may be
// called from any thread. Every command is an Asio async operation (async_initiate), so it
// takes `use_awaitable`, `redirect(ec)`, a callback or `use_future`, and its completion is posted to the
// caller's executor (the handler's associated executor), never run inline and never inside hiredis. Many
// commands can be in flight at once: they are pipelined on the one connection and answered in order. No
// threads of its own: a host name (not an IP address) goes through Asio's resolver, which runs getaddrinfo on
// Asio's internal resolver thread rather than block the strand.
//
// Errors. A reply Redis sends is a value: `-ERR ...`, `-WRONGTYPE ...` and `-NOSCRIPT ...` complete with a
// success error_code and a RedisReply of type error. An error_code (RedisError, category "hookd.redis") means
// the reply never arrived: not connected, connection lost, timeout, closed. After connection_lost or timeout
// the command may or may not have run: write idempotent commands or scripts.
//
// Timeouts. Every command completes within RedisOptions::command_timeout. A command Redis has not answered by
// then fails with `timeout` and the connection is dropped and re-established: replies arrive in order, so
// every command behind the late one would wait as long (those fail with connection_lost). Connecting
// (resolve, TCP, AUTH/SELECT/CLIENT SETNAME/PING) has its own connect_timeout.
//
// Reconnects. When the connection breaks, what was in flight fails at once and a new connection is attempted
// at once, then with a doubling backoff (reconnect_min .. reconnect_max). Commands issued while an attempt is
// under way wait for it (within their timeout); commands issued while waiting out a backoff fail at once with
// not_connected rather than pile up. ready() says whether the connection is up, for /readyz. TCP keepalive is
// on, so a peer that vanished without closing is noticed on an idle connection too (within about 30 s).
//
// Lifetime. create() starts connecting. A connected client is kept alive by its pending socket waits, like a
// Beast session by its pending read: call close() to end it (in-flight commands complete with `closed`).
//
// Redis Cluster (RedisOptions::cluster, `redis+cluster://`): each request goes to the master of its keys'
// slot, following MOVED and ASK; a command, transaction or script whose keys span slots fails at once with
// cross_slot. ready() means every slot has a master and every master a connection. What the router does on a
// redirection or a failover: cluster_router.h.
//
// Rules for a shared connection: no SUBSCRIBE (RedisSubscriber has its own connection), no MULTI/EXEC/WATCH
// (async_transaction sends MULTI..EXEC in one piece; anything conditional is a RedisScript), no SELECT (the
// database comes from the URL). Those fail with unsupported_command.
#pragma once

#include <memory>
#include <vector>

#include "core/asio.h"
#include "store/redis/command.h"
#include "store/redis/cluster_router.h"
#include "store/redis/connection.h"
#include "store/redis/error.h"
#include "store/redis/options.h"
#include "store/redis/reply.h"

namespace hookd::store {

class RedisClient final : public std::enable_shared_from_this<RedisClient> {
 public:
  using executor_type = asio::strand<asio::any_io_executor>;

  static std::shared_ptr<RedisClient> create(asio::any_io_executor ex, RedisOptions options);

  // One command: `co_await client->async_command({"HSET", key, field, value}, redirect(ec))`.
  // Completion signature: void(error_code, RedisReply).
  template <typename Token>
  auto async_command(RedisCommand command, Token&& token) {
    return asio::async_initiate<Token, void(error_code, RedisReply)>(
        [this](auto handler, RedisCommand command) {
          std::vector<RedisCommand> commands;
          commands.push_back(std::move(command));
          submit(std::move(commands), detail::Batch::single,
                 detail::make_completion(std::move(handler), io_executor_));
        },
        token, std::move(command));
  }

  // MULTI, the commands, EXEC, sent back to back; completes with EXEC's reply: an array with one reply per
  // command, or an EXECABORT error reply when Redis refused to queue one of them. Completion signature:
  // void(error_code, RedisReply). In a coroutine, build the vector before the co_await: GCC 12 rejects a
  // braced list of commands inside a co_await expression ("array used as initializer").
  template <typename Token>
  auto async_transaction(std::vector<RedisCommand> commands, Token&& token) {
    return initiate(detail::Batch::transaction, std::move(commands), std::forward<Token>(token));
  }

  // Independent commands sent together, not atomic: the batched reads of a list (one HGETALL per delivery).
  // Completes with an array of their replies, in order. Each command's own keys must share a slot; the
  // commands may be in different slots (on Redis Cluster they go to their nodes). Completion signature:
  // void(error_code, RedisReply).
  template <typename Token>
  auto async_pipeline(std::vector<RedisCommand> commands, Token&& token) {
    return initiate(detail::Batch::pipeline, std::move(commands), std::forward<Token>(token));
  }

  // Several commands back to back on one connection, not a transaction; completes with the last one's reply.
  // On a cluster they go to the node of their keys' slot: a keyless command (PUBLISH, PING, WAIT) reaches a
  // chosen node behind a read of a key there (`EXISTS key`). Completion signature: void(error_code, RedisReply).
  template <typename Token>
  auto async_sequence(std::vector<RedisCommand> commands, Token&& token) {
    return initiate(detail::Batch::single, std::move(commands), std::forward<Token>(token));
  }

  // WAIT for RedisOptions::wait_replicas replicas of the node that serves `key`'s slot to have every write sent
  // on this client's connection to that node so far, for at most RedisOptions::wait_timeout. Completion
  // signature: void(error_code): not_replicated when fewer replicas confirmed in time (the writes ran on the
  // master and would be lost with it); without asking when wait_replicas is 0. WAIT counts what one
  // connection wrote, so it goes on the connection that carried the writes: sent behind `EXISTS key`, which
  // routes it to the key's node on a cluster. It holds that connection for up to wait_timeout: the commands
  // behind it wait too.
  template <typename Token>
  auto async_wait_replicas(std::string_view key, Token&& token) {
    return asio::async_compose<Token, void(error_code)>(
        [self = shared(), key = std::string(key), state = 0](auto& op, error_code ec = {},
                                                             RedisReply reply = {}) mutable {
          const RedisOptions& o = self->options();
          if (state == 0 && o.wait_replicas <= 0) {
            state = 2;  // nothing to wait for; still never completes inside the call
            return asio::post(self->io_executor_, std::move(op));
          }
          if (state == 2) return op.complete(error_code{});
          if (state == 0) {
            state = 1;
            std::vector<RedisCommand> commands;
            commands.push_back(RedisCommand{"EXISTS", key});
            commands.push_back(RedisCommand{"WAIT", static_cast<int64_t>(o.wait_replicas),
                                            static_cast<int64_t>(o.wait_timeout.count())});
            auto client = self;
            return client->submit(std::move(commands), detail::Batch::single,
                                  detail::make_completion(std::move(op), client->io_executor_));
          }
          if (!ec && !reply.is_integer()) ec = RedisError::unexpected_reply;
          if (!ec && reply.integer() < o.wait_replicas) ec = RedisError::not_replicated;
          op.complete(ec);
        },
        token, io_executor_);
  }

  // PING; unexpected_reply unless Redis answers PONG. Completion signature: void(error_code).
  template <typename Token>
  auto async_ping(Token&& token) {
    return asio::async_compose<Token, void(error_code)>(
        [self = shared(), started = false](auto& op, error_code ec = {}, RedisReply reply = {}) mutable {
          if (!started) {
            started = true;
            auto client = self;
            return client->async_command({"PING"}, std::move(op));
          }
          if (!ec && !reply.is_status("PONG")) ec = RedisError::unexpected_reply;
          op.complete(ec);
        },
        token, io_executor_);
  }

  std::shared_ptr<RedisClient> shared() { return shared_from_this(); }

  // The strand the client's own work runs on (never a caller's handler).
  executor_type get_executor() const noexcept;
  const RedisOptions& options() const noexcept;
  // Connected and past the handshake (on a cluster: every slot's master). Any thread: what /readyz reports.
  bool ready() const;
  // The last thing that went wrong (on a cluster: which node, or the slot map), for logs and /readyz.
  std::string last_error() const;
  // Redis Cluster: the master that serves `key`'s slot, as the client last learnt the map; none on a single
  // server, before the first map, or while the slot has no master. Any thread.
  std::optional<RedisEndpoint> master_for(std::string_view key) const;
  // Stops for good: in-flight and queued commands complete with RedisError::closed, no more reconnects, and
  // the pending waits let go so the object can be destroyed. Any thread; returns at once.
  void close();

 private:
  RedisClient(asio::any_io_executor ex, RedisOptions options);
  void submit(std::vector<RedisCommand> commands, detail::Batch batch,
              std::unique_ptr<detail::Completion> completion);
  // The initiation shared by the multi-command operations: `commands` sent as `batch`, one completion.
  template <typename Token>
  auto initiate(detail::Batch batch, std::vector<RedisCommand> commands, Token&& token) {
    return asio::async_initiate<Token, void(error_code, RedisReply)>(
        [this, batch](auto handler, std::vector<RedisCommand> commands) {
          submit(std::move(commands), batch, detail::make_completion(std::move(handler), io_executor_));
        },
        token, std::move(commands));
  }

  const asio::any_io_executor io_executor_;  // default executor for handlers that have none
  const RedisOptions options_;
  // One of them: a single server, or a cluster. Each owns this object (attach_owner) and is owned by its
  // pending waits until close(); so these are weak, and a request after that completes with `closed`.
  std::weak_ptr<detail::NodeConnection> single_;
  std::weak_ptr<detail::ClusterRouter> cluster_;
  executor_type strand_;  // the connection's or the router's
};

using RedisClientPtr = std::shared_ptr<RedisClient>;

}  // namespace hookd::store
