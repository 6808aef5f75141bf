#include "store/redis/subscriber.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <poll.h>

#include <algorithm>

#include "core/log.h"
#include "store/redis/command.h"
#include "store/redis/slot_map.h"

namespace hookd::store {

namespace {

std::vector<std::string> unique(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string_view element(const redisReply& reply, size_t i) {
  const redisReply* e = reply.element[i];
  return e->type == REDIS_REPLY_STRING ? std::string_view(e->str, e->len) : std::string_view();
}

}  // namespace

RedisSubscriber::RedisSubscriber(asio::any_io_executor ex, RedisOptions options,
                                 RedisSubscription subscription, Handlers handlers)
    : Connection(std::move(ex), std::move(options), "subscriber"),
      subscription_{unique(std::move(subscription.channels)), unique(std::move(subscription.patterns))},
      handlers_(std::move(handlers)),
      relocate_timer_(strand_) {}

std::shared_ptr<RedisSubscriber> RedisSubscriber::create(asio::any_io_executor ex, RedisOptions options,
                                                         RedisSubscription subscription, Handlers handlers) {
  std::shared_ptr<RedisSubscriber> subscriber(
      new RedisSubscriber(std::move(ex), std::move(options), std::move(subscription), std::move(handlers)));
  subscriber->start();
  return subscriber;
}

// hiredis keeps one callback per channel and pattern (not per command): it gets the confirmations and every
// message, until the connection goes.
void RedisSubscriber::on_connected() {
  fd_.store(context()->c.fd, std::memory_order_seq_cst);
  unconfirmed_ = subscription_.channels.size() + subscription_.patterns.size();
  auto send = [this](std::string_view verb, const std::vector<std::string>& names) {
    if (names.empty()) return;
    RedisCommand command{verb};
    for (const std::string& name : names)
      command.arg(name);
    std::string_view wire = command.wire();
    redisAsyncFormattedCommand(context(), &RedisSubscriber::push_callback, this, wire.data(), wire.size());
  };
  send("SUBSCRIBE", subscription_.channels);
  send("PSUBSCRIBE", subscription_.patterns);
  if (unconfirmed_ == 0) on_all_confirmed();
  if (handlers_.locate) schedule_location_check();
}

std::optional<RedisEndpoint> RedisSubscriber::choose_address() {
  if (!handlers_.locate) return std::nullopt;
  auto wanted = handlers_.locate();
  located_.store(wanted.has_value(), std::memory_order_release);
  return wanted;
}

void RedisSubscriber::check_location() {
  if (closed()) return;
  auto wanted = handlers_.locate();
  if (wanted && !(*wanted == address())) {
    log::info("redis.subscriber_moves",
              {{"from", detail::endpoint_name(address())}, {"to", detail::endpoint_name(*wanted)}});
    return reconnect_elsewhere("moving to " + detail::endpoint_name(*wanted));
  }
  if (wanted) located_.store(true, std::memory_order_release);
  schedule_location_check();
}

// Every second; every 50 ms while the location is not known yet (a seed serves meanwhile).
void RedisSubscriber::schedule_location_check() {
  relocate_timer_.expires_after(located() ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(50));
  relocate_timer_.async_wait([self = shared()](error_code ec) {
    if (!ec) self->check_location();
  });
}

void RedisSubscriber::on_disconnected() {
  relocate_timer_.cancel();
  fd_.store(-1, std::memory_order_seq_cst);
  unconfirmed_ = 0;
  subscribed_.store(false, std::memory_order_release);
}

// A null reply is hiredis failing the subscription as the connection goes (possibly from the destructor, so
// nothing here may be touched for it); on_disconnected has that covered.
void RedisSubscriber::push_callback(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
  if (reply == nullptr) return;
  static_cast<RedisSubscriber*>(privdata)->on_push(*static_cast<redisReply*>(reply));
}

void RedisSubscriber::on_push(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
  std::string_view kind = element(reply, 0);
  RedisMessage message;
  if (kind == "message") {
    message.channel = element(reply, 1);
    message.payload = element(reply, 2);
  } else if (kind == "pmessage" && reply.elements >= 4) {
    message.pattern = element(reply, 1);
    message.channel = element(reply, 2);
    message.payload = element(reply, 3);
  } else {
    if ((kind == "subscribe" || kind == "psubscribe") && unconfirmed_ > 0 && --unconfirmed_ == 0)
      on_all_confirmed();
    return;
  }
  if (!handlers_.on_message) return;
  unhandled_.fetch_add(1, std::memory_order_seq_cst);
  asio::post(strand_, [self = shared(), message = std::move(message)] {
    if (!self->closed()) self->handlers_.on_message(message);
    self->unhandled_.fetch_sub(1, std::memory_order_seq_cst);
  });
}

void RedisSubscriber::on_all_confirmed() {
  session_.fetch_add(1, std::memory_order_seq_cst);
  subscribed_.store(true, std::memory_order_release);
  log::info("redis.subscribed", {{"url", options().redacted_url()},
                                 {"channels", static_cast<int64_t>(subscription_.channels.size())},
                                 {"patterns", static_cast<int64_t>(subscription_.patterns.size())}});
  if (!handlers_.on_subscribed) return;
  asio::post(strand_, [self = shared()] {
    if (!self->closed()) self->handlers_.on_subscribed();
  });
}

// The checks run in the order a message moves (socket, then hiredis' read, then the posted handler), so a
// message that leaves one stage between two checks is caught by the next: the read counter is raised before
// hiredis takes bytes off the socket, and unhandled_ before the read counter drops.
bool RedisSubscriber::quiet() const noexcept {
  int fd = fd_.load(std::memory_order_seq_cst);
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) != 0) return false;  // readable, closed, or poll failed: not known to be quiet
  if (reads_in_progress_.load(std::memory_order_seq_cst) != 0) return false;
  return unhandled_.load(std::memory_order_seq_cst) == 0;
}

}  // namespace hookd::store
