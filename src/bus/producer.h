// Publishes events to Kafka and reports success only when the broker has acknowledged them.
//
// Idempotent producer, acks=all: a message is acknowledged once every in-sync replica has it, and
// librdkafka's retries cannot duplicate or reorder it. The delivery report is the only success signal;
// `publish` completes when it arrives, never earlier, or with a timeout at KafkaOptions::delivery_timeout. Delivery reports
// are served on the producer's strand through a QueueWaker: no polling thread.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bus/kafka.h"

namespace hookd::bus {

struct OutgoingMessage {
  std::string key;  // partitioning key: integrated_account_id keeps one account's events in order
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Where the broker stored a message (its delivery report): for lineage, what a reader of the topic would see.
struct MessagePosition {
  int32_t partition = -1;
  int64_t offset = -1;  // -1: not known (not acknowledged, or the broker did not say)
};

class Producer : public std::enable_shared_from_this<Producer> {
 public:
  static Result<std::shared_ptr<Producer>> create(asio::any_io_executor ex, const KafkaOptions& options);
  ~Producer();

  // Publishes all messages and completes when every one has its delivery report: the first error if any
  // failed. Callable from any thread; completes on the caller's executor. `positions`, when not empty (as
  // many as `messages`, alive until completion), receives each acknowledged message's partition and offset.
  awaitable<error_code> publish(std::span<const OutgoingMessage> messages,
                                std::span<MessagePosition> positions = {});
  awaitable<error_code> publish(const OutgoingMessage& message) { return publish(std::span(&message, 1)); }

  // Waits up to `timeout` for in-flight messages (shutdown). Blocking: call off the I/O threads.
  void flush(std::chrono::milliseconds timeout);
  void stop();
  // False after a fatal producer error (the idempotence guarantees were lost) until restart.
  bool healthy() const noexcept { return !fatal_.load(std::memory_order_relaxed); }
  size_t in_flight() const noexcept { return static_cast<size_t>(rd_kafka_outq_len(rk_.get())); }
  const std::string& topic() const noexcept { return topic_; }

  struct Batch;  // one publish() call waiting for its delivery reports

 private:
  Producer(asio::any_io_executor ex) : strand_(asio::make_strand(ex)) {}
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);
  awaitable<void> serve_reports();

  asio::strand<asio::any_io_executor> strand_;
  KafkaPtr rk_;
  rd_kafka_topic_t* topic_handle_ = nullptr;
  std::string topic_;
  std::chrono::milliseconds publish_timeout_{5000};  // KafkaOptions::delivery_timeout
  std::unique_ptr<QueueWaker> waker_;
  rd_kafka_queue_t* main_queue_ = nullptr;
  std::atomic<bool> fatal_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace hookd::bus
