// What the producer and consumer share: options, librdkafka configuration, the error category, the in-process
// mock cluster, and the bridge that lets Asio wait on a librdkafka queue instead of a polling thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/asio.h"
#include "bus/errc.h"
#include "core/result.h"

namespace hookd::bus {

struct KafkaOptions {
  std::string brokers;  // bootstrap servers; empty = librdkafka's in-process mock cluster (see MockCluster)
  std::string topic = "hookd.events";
  std::chrono::milliseconds delivery_timeout{5000};  // the ingest 503s within this (producer.cpp)
  std::chrono::milliseconds linger{1};               // linger.ms: batching versus the vendor's wait
  // message.max.bytes of the producer: the largest record it sends. The default stays under the broker's own
  // default limit for a topic (max.message.bytes, 1 MiB + 12), so that what the producer accepts, the broker
  // does.
  size_t max_message_bytes = 1'000'000;
  std::map<std::string, std::string> properties;  // any other librdkafka property, passed through
};

// librdkafka's error codes as std::error_code-compatible values ("Local: Message timed out").
const boost::system::error_category& kafka_category() noexcept;
inline error_code make_error_code(rd_kafka_resp_err_t e) {
  return {static_cast<int>(e), kafka_category()};
}

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
struct KafkaDeleter {
  // RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE for a consumer that must not leave its group on the way out (one
  // librdkafka declared dead: closing it waits forever).
  int flags = 0;
  void operator()(rd_kafka_t* k) const noexcept { rd_kafka_destroy_flags(k, flags); }
};
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

// Builds a configuration from `base` properties plus `options.properties`; errors name the property.
Result<KafkaConfPtr> make_conf(const std::map<std::string, std::string>& base, const KafkaOptions& options);

// Wakes an Asio executor when a librdkafka queue goes from empty to non-empty (rd_kafka_queue_io_event_enable
// writes to a pipe we wait on), so serving delivery reports and messages needs no thread of its own.
class QueueWaker {
 public:
  QueueWaker(asio::any_io_executor ex, rd_kafka_queue_t* queue);
  ~QueueWaker();
  QueueWaker(const QueueWaker&) = delete;
  QueueWaker& operator=(const QueueWaker&) = delete;
  // Completes when the queue may have events. Drain the queue completely after each wake-up.
  awaitable<error_code> wait();
  // Wakes wait() as if the queue had events (the caller polls and may find nothing).
  void notify() noexcept;
  void cancel();

 private:
  rd_kafka_queue_t* queue_;
  int write_fd_ = -1;
  asio::posix::stream_descriptor reader_;
};

// librdkafka's in-process mock cluster (rdkafka_mock.h): the embedded default for `tools/run`, and fault
// injection in tests (a broker down makes publishing fail and the ingest answer 503).
class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>> create(int brokers, const std::string& topic, int partitions);
  ~MockCluster();
  const std::string& bootstrap_servers() const noexcept { return bootstraps_; }
  void set_broker_down(int32_t broker_id);
  void set_broker_up(int32_t broker_id);
  int brokers() const noexcept { return brokers_; }

 private:
  MockCluster() = default;
  KafkaPtr handle_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
  int brokers_ = 0;
};

}  // namespace hookd::bus
