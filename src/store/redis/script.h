// A Lua script run atomically by Redis: how the dispatcher claims due retries without two nodes taking the
// same one. Run by hash (EVALSHA); when Redis does not have it (restart, failover, SCRIPT FLUSH) the NOSCRIPT
// reply is answered with EVAL, which runs it and caches it again, so callers never see NOSCRIPT.
#pragma once

#include <memory>
#include <string>

#include "core/asio.h"
#include "store/redis/client.h"
#include "store/redis/command.h"
#include "store/redis/reply.h"

namespace hookd::store {

namespace detail {

struct ScriptSource {
  std::string source;
  std::string sha1;  // hex, as EVALSHA wants it
};

class RunScriptOp {
 public:
  RunScriptOp(std::shared_ptr<RedisClient> client, std::shared_ptr<const ScriptSource> script,
              RedisCommand tail)
      : client_(std::move(client)), script_(std::move(script)), tail_(std::move(tail)) {}

  template <typename Self>
  void operator()(Self& self) {
    run(self, "EVALSHA", script_->sha1);
  }

  template <typename Self>
  void operator()(Self& self, error_code ec, RedisReply reply) {
    if (!ec && !retried_ && reply.is_error("NOSCRIPT")) {
      retried_ = true;
      return run(self, "EVAL", script_->source);
    }
    self.complete(ec, std::move(reply));
  }

 private:
  template <typename Self>
  void run(Self& self, std::string_view verb, std::string_view script) {
    RedisCommand command{verb, script};
    command.append(tail_);
    auto client = client_;  // `self`, which owns client_, moves into the call
    client->async_command(std::move(command), std::move(self));
  }

  std::shared_ptr<RedisClient> client_;
  std::shared_ptr<const ScriptSource> script_;
  RedisCommand tail_;  // numkeys, keys, args
  bool retried_ = false;
};

}  // namespace detail

class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& source() const noexcept { return script_->source; }
  const std::string& sha1() const noexcept { return script_->sha1; }

  // `co_await script.async_run(*client, {queue_key}, {now, limit}, redirect(ec))`: KEYS from `keys`, ARGV
  // from `args`. Completion signature: void(error_code, RedisReply) with the script's reply (an error reply
  // if the script raised one).
  template <typename Token>
  auto async_run(RedisClient& client, const RedisCommand& keys, const RedisCommand& args,
                 Token&& token) const {
    RedisCommand tail;
    tail.arg(static_cast<int64_t>(keys.size())).append(keys).append(args);
    return asio::async_compose<Token, void(error_code, RedisReply)>(
        detail::RunScriptOp(client.shared(), script_, std::move(tail)), token, client.get_executor());
  }

  // SCRIPT LOAD, to find a syntax error at startup rather than on first use; the reply is the hash (equal to
  // sha1()) or Redis' compile error. Optional: async_run works without it.
  template <typename Token>
  auto async_load(RedisClient& client, Token&& token) const {
    return client.async_command({"SCRIPT", "LOAD", script_->source}, std::forward<Token>(token));
  }

 private:
  std::shared_ptr<const detail::ScriptSource> script_;
};

}  // namespace hookd::store
