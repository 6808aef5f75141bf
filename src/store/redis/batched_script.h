// Group commit for Lua scripts. Many small, independent writes (one event's deliveries, one attempt's record)
// go to Redis together as one EVALSHA while an earlier call is in flight, instead of one EVALSHA each. Redis
// spends much of a small script's time on the call itself (argument and reply conversion, the script's
// setup), not on the commands inside it, so a call of N items costs far less than N calls. An item never
// waits for a timer: with nothing in flight it goes at once; otherwise it waits for the call ahead of it.
//
// The script is written for one item: the Lua body given to the constructor reads KEYS and ARGV (its own
// item's, as if it were run alone) and returns its reply. It is wrapped in a loop over the items; `batch` is a
// table shared by the items of one call, for work that needs doing once per call; a function an item stores in
// `batch.finally` runs once after the last item (an error it raises fails no item). An item fails alone, as a
// script of its own would: its caller gets the error reply its body returned or the error it raised (a failed
// redis.call); what it wrote before failing stays, as in any Redis script, and the other items go on.
//
// The items of one call are one atomic script: under Redis Cluster they must hash to one slot, like the keys of
// any one script.
//
// Durable batches: given a `replicated_key` (any key in the items' slot) and RedisOptions::wait_replicas, each
// call's items complete only after WAIT confirmed that many replicas of the node have the call's writes; fewer
// fails every item with RedisError::not_replicated (the writes stay on the master, as after a lost
// connection: the caller writes again, idempotently).
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/asio.h"
#include "store/redis/client.h"
#include "store/redis/command.h"
#include "store/redis/connection.h"
#include "store/redis/reply.h"
#include "store/redis/script.h"

namespace hookd::store {

class BatchedScript {
 public:
  // `name` labels the metrics (hookd_redis_batches_total, hookd_redis_batch_items_total).
  BatchedScript(std::string name, std::string item_body);

  const RedisScript& script() const noexcept { return script_; }
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  RedisScript script_;
};

// The queue of one BatchedScript on one client. Thread-safe.
class ScriptBatcher : public std::enable_shared_from_this<ScriptBatcher> {
 public:
  static constexpr size_t default_max_items = 128;

  static std::shared_ptr<ScriptBatcher> create(RedisClientPtr client, const BatchedScript& script,
                                               size_t max_items = default_max_items,
                                               std::string replicated_key = {});

  // One item: `co_await batcher->async_run(keys, args, redirect(ec))`. Completion signature:
  // void(error_code, RedisReply) with this item's reply (an error reply if its body returned one, or the
  // call's error reply if the script raised one). A transport error fails every item of the call.
  template <typename Token>
  auto async_run(RedisCommand keys, RedisCommand args, Token&& token) {
    return asio::async_initiate<Token, void(error_code, RedisReply)>(
        [this](auto handler, RedisCommand keys, RedisCommand args) {
          enqueue(Item{std::move(keys), std::move(args),
                       detail::make_completion(std::move(handler), client_->get_executor())});
        },
        token, std::move(keys), std::move(args));
  }

 private:
  struct Item {
    RedisCommand keys;
    RedisCommand args;
    std::unique_ptr<detail::Completion> done;
  };
  using Batch = std::vector<Item>;

  ScriptBatcher(RedisClientPtr client, const BatchedScript& script, size_t max_items,
                std::string replicated_key);
  void enqueue(Item item);
  // Takes up to max_items_ from the queue; call with mu_ held and queue_ not empty.
  Batch take_batch();
  void send(Batch batch);
  void on_reply(std::shared_ptr<Batch> batch, std::chrono::steady_clock::time_point sent, error_code ec,
                RedisReply reply);
  void finish(Batch& batch, error_code ec, RedisReply reply);

  RedisClientPtr client_;
  const BatchedScript& script_;
  size_t max_items_;
  const std::string replicated_key_;  // empty: the master's reply is enough
  std::mutex mu_;
  std::deque<Item> queue_;
  bool in_flight_ = false;
};

}  // namespace hookd::store
