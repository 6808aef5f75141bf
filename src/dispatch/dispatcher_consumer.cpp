// The dispatcher's Kafka consumer over its life: joined at start, replaced when librdkafka declares it dead,
// closed at stop.
#include <thread>

#include "core/log.h"
#include "dispatch/dispatch_stats.h"
#include "dispatch/dispatcher.h"

namespace hookd::dispatch {

Status Dispatcher::start(const bus::KafkaOptions& kafka, const bus::ConsumerOptions& consumer_options) {
  kafka_ = kafka;
  consumer_options_ = consumer_options;
  auto consumer = join_group();
  if (!consumer.ok()) return consumer.error();
  {
    std::lock_guard lock(consumer_mutex_);
    consumer_ = *consumer;
  }
  asio::co_spawn(scheduler_strand_, scheduler(), asio::detached);
  asio::co_spawn(ex_, sweep_notices(), asio::detached);
  asio::co_spawn(ex_, keep_leases(), asio::detached);
  asio::co_spawn(ex_, watch_consumer(), asio::detached);
  return {};
}

Result<std::shared_ptr<bus::Consumer>> Dispatcher::join_group() {
  auto consumer =
      bus::Consumer::create(ex_, kafka_, consumer_options_,
                            [self = weak_from_this()](std::shared_ptr<const bus::ConsumedMessage> m) {
                              if (auto s = self.lock()) s->on_message(std::move(m));
                            });
  if (!consumer.ok()) return consumer.error();
  (*consumer)->start();
  return consumer;
}

std::shared_ptr<bus::Consumer> Dispatcher::consumer() const {
  std::lock_guard lock(consumer_mutex_);
  return consumer_;
}

bool Dispatcher::consuming() const noexcept {
  auto c = consumer();
  return c && c->in_group();
}

awaitable<void> Dispatcher::watch_consumer() {
  auto self = shared_from_this();
  // A consumer librdkafka declared dead (a static member fenced after a broker outage longer than its
  // session, librdkafka issue #3437) reads nothing more, while the process would look alive: it is replaced
  // by a new one with the same settings, which joins the group again (its unfinished messages come back to
  // the group, and the deliveries they would create exist already).
  while (!stopping_) {
    co_await pause(std::chrono::seconds(1));
    auto current = consumer();
    if (stopping_ || !current || !current->failed()) continue;
    log::error("dispatch.consumer_replaced", {{"reason", "the Kafka consumer failed"}});
    auto fresh = join_group();
    if (!fresh.ok()) {
      log::error("dispatch.consumer_unavailable", {{"error", fresh.error().message}});
      continue;  // tried again in a second
    }
    {
      std::lock_guard lock(consumer_mutex_);
      consumer_ = *fresh;
    }
    dispatch_stats().consumers_replaced.inc();
    // Closing a failed consumer may wait on the broker: not on an I/O thread, and nobody waits for it.
    std::thread([old = std::move(current)] { old->close(); }).detach();
  }
}

void Dispatcher::stop() {
  stopping_ = true;
  slots_.close();
  asio::post(scheduler_strand_, [self = shared_from_this()] { self->wake_timer_.cancel(); });
  if (auto c = consumer()) c->close();
}

}  // namespace hookd::dispatch
