// Pub/sub on a connection of its own (a subscribed connection can do nothing else): how every node hears that
// a configuration changed and drops its cached copy.
//
// The channel and pattern list is fixed at creation and subscribed again after every reconnect. Messages
// published while the subscriber was disconnected are lost, so on_subscribed (called after every (re)connect,
// once Redis has confirmed every subscription) means "anything may have changed": a cache drops everything.
// Handlers run one at a time, in order, on the subscriber's strand (never inside hiredis); they must not
// block. Threading, timeouts, reconnects and close() are as for RedisClient (client.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.h"
#include "store/redis/connection.h"
#include "store/redis/options.h"

namespace hookd::store {

struct RedisMessage {
  std::string channel;
  std::string payload;
  std::string pattern;  // the PSUBSCRIBE pattern that matched; empty for a SUBSCRIBE channel
};

struct RedisSubscription {
  std::vector<std::string> channels;
  std::vector<std::string> patterns;
};

class RedisSubscriber final : public detail::Connection {
 public:
  struct Handlers {
    std::function<void(const RedisMessage&)> on_message;
    std::function<void()> on_subscribed;
    // Redis Cluster: the node to subscribe on, when one is better than any seed (the node its publishers
    // publish on, so that a publisher's PING there orders its messages before the PING's answer; classic
    // pub/sub reaches every node, but through the cluster bus, later). Asked before every connection attempt
    // and every second while connected: when it names another node, the subscriber moves there. Any thread.
    std::function<std::optional<RedisEndpoint>()> locate;
  };

  static std::shared_ptr<RedisSubscriber> create(asio::any_io_executor ex, RedisOptions options,
                                                 RedisSubscription subscription, Handlers handlers);

  // Connected and every channel and pattern confirmed, and not closed. Any thread.
  bool subscribed() const noexcept { return subscribed_.load(std::memory_order_acquire) && !closing(); }
  // Counts subscriptions: bumped on every (re)connect before subscribed() turns true, so a cache that
  // recorded the session it last cleared for can tell that its on_subscribed has not run yet.
  uint64_t session() const noexcept { return session_.load(std::memory_order_acquire); }
  // Subscribed on the node Handlers::locate names (always true without locate). False while it listens on a
  // seed because the location was not known yet (it moves within 50 ms of learning it). Any thread.
  bool located() const noexcept { return located_.load(std::memory_order_acquire); }
  // No message has arrived that a handler has not finished with: nothing is waiting on the socket, being
  // read, or queued for on_message. A message Redis sent before this call began is therefore either handled
  // or reported here. Any thread; one poll(2) with a zero timeout.
  bool quiet() const noexcept;

 private:
  RedisSubscriber(asio::any_io_executor ex, RedisOptions options, RedisSubscription subscription,
                  Handlers handlers);

  void on_connected() override;
  void on_disconnected() override;
  std::optional<RedisEndpoint> choose_address() override;
  void check_location();
  void schedule_location_check();
  static void push_callback(redisAsyncContext* ac, void* reply, void* privdata);
  void on_push(const redisReply& reply);
  void on_all_confirmed();
  std::shared_ptr<RedisSubscriber> shared() {
    return std::static_pointer_cast<RedisSubscriber>(shared_from_this());
  }

  const RedisSubscription subscription_;
  const Handlers handlers_;
  size_t unconfirmed_ = 0;             // strand only
  asio::steady_timer relocate_timer_;  // strand only: check_location() every second while connected
  std::atomic<bool> located_{true};
  std::atomic<bool> subscribed_{false};
  std::atomic<uint64_t> session_{0};
  std::atomic<int> fd_{-1};        // the socket while connected, for quiet()
  std::atomic<int> unhandled_{0};  // messages read and posted, their handler not yet done
};

using RedisSubscriberPtr = std::shared_ptr<RedisSubscriber>;

}  // namespace hookd::store
