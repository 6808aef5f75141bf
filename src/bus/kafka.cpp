#include "bus/kafka.h"

#include <fcntl.h>
#include <unistd.h>

#include <librdkafka/rdkafka_mock.h>

namespace hookd::bus {

namespace {

class KafkaCategory : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int ev) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(ev));
  }
};

}  // namespace

const boost::system::error_category& kafka_category() noexcept {
  static KafkaCategory c;
  return c;
}

Result<KafkaConfPtr> make_conf(const std::map<std::string, std::string>& base, const KafkaOptions& options) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) -> Status {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      return make_error(BusErrc::invalid_config, "kafka property " + k + ": " + err);
    return {};
  };
  // A broker that comes back is reconnected to within 2 s, not librdkafka's 10 s: after a broker restart,
  // ingest answers 2xx again and dispatchers consume again within seconds (tools/chaos measures it).
  if (Status s = set("reconnect.backoff.max.ms", "2000"); !s.ok()) return s.error();
  for (const auto& [k, v] : base)
    if (Status s = set(k, v); !s.ok()) return s.error();
  for (const auto& [k, v] : options.properties)
    if (Status s = set(k, v); !s.ok()) return s.error();
  return conf;
}

QueueWaker::QueueWaker(asio::any_io_executor ex, rd_kafka_queue_t* queue) : queue_(queue), reader_(ex) {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  reader_.assign(fds[0]);
  write_fd_ = fds[1];
  rd_kafka_queue_io_event_enable(queue_, write_fd_, "1", 1);
}

QueueWaker::~QueueWaker() {
  rd_kafka_queue_io_event_enable(queue_, -1, nullptr, 0);
  error_code ignored;
  reader_.close(ignored);
  if (write_fd_ >= 0) ::close(write_fd_);
}

awaitable<error_code> QueueWaker::wait() {
  error_code ec;
  co_await reader_.async_wait(asio::posix::stream_descriptor::wait_read, redirect(ec));
  if (ec) co_return ec;
  // Empty the pipe: one byte per empty->non-empty transition, and we are about to drain the queue anyway.
  char buf[256];
  while (::read(reader_.native_handle(), buf, sizeof buf) > 0) {
  }
  co_return error_code{};
}

void QueueWaker::notify() noexcept {
  // Non-blocking: a full pipe already holds a wake-up.
  [[maybe_unused]] ssize_t n = ::write(write_fd_, "1", 1);
}

void QueueWaker::cancel() {
  error_code ignored;
  reader_.cancel(ignored);
}

Result<std::unique_ptr<MockCluster>> MockCluster::create(int brokers, const std::string& topic,
                                                         int partitions) {
  std::unique_ptr<MockCluster> m(new MockCluster());
  KafkaConfPtr conf(rd_kafka_conf_new());
  char err[512];
  // The mock cluster lives inside a client handle; a producer handle that never produces is the lightest
  // host.
  rd_kafka_conf_set(conf.get(), "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), err, sizeof err);
  if (!rk) return make_error(BusErrc::kafka_error, std::string("mock cluster host: ") + err);
  m->handle_.reset(rk);
  m->cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (!m->cluster_) return make_error(BusErrc::kafka_error, "rd_kafka_mock_cluster_new failed");
  m->bootstraps_ = rd_kafka_mock_cluster_bootstraps(m->cluster_);
  m->brokers_ = brokers;
  if (auto e = rd_kafka_mock_topic_create(m->cluster_, topic.c_str(), partitions, 1);
      e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_error(BusErrc::kafka_error, std::string("mock topic: ") + rd_kafka_err2str(e));
  return m;
}

MockCluster::~MockCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

void MockCluster::set_broker_down(int32_t broker_id) {
  rd_kafka_mock_broker_set_down(cluster_, broker_id);
}
void MockCluster::set_broker_up(int32_t broker_id) {
  rd_kafka_mock_broker_set_up(cluster_, broker_id);
}

}  // namespace hookd::bus
