#include "bus/producer.h"

#include <optional>

#include "core/log.h"
#include "core/metrics.h"

namespace hookd::bus {

namespace {

struct ProducerStats {
  metrics::Counter& acked = metrics::registry().counter("hookd_kafka_messages_total",
                                                        "Kafka messages by outcome.", "outcome=\"acked\"");
  metrics::Counter& failed = metrics::registry().counter("hookd_kafka_messages_total",
                                                         "Kafka messages by outcome.", "outcome=\"failed\"");
  metrics::Counter& past_deadline = metrics::registry().counter(
      "hookd_kafka_publish_deadline_total",
      "publish() calls answered with a timeout at the publish timeout while their messages were still "
      "pending "
      "(librdkafka does not time messages out while a broker is down and reconnecting).");
  metrics::Histogram& ack_seconds = metrics::registry().histogram(
      "hookd_kafka_ack_seconds", "Time from produce to the broker's acknowledgement.");
};

ProducerStats& stats() {
  static ProducerStats s;
  return s;
}

}  // namespace

// Counts the delivery reports of one publish() call; the last one resumes the caller. Reports arrive on the
// producer's strand, so the counters need no lock; the completion is posted to the caller's executor.
struct Producer::Batch {
  // The caller's completion handler, type-erased but move-only (a coroutine's handler must be invoked exactly
  // once, as an rvalue).
  struct Completion {
    virtual ~Completion() = default;
    virtual void complete(error_code ec) = 0;
  };
  template <typename Handler>
  struct CompletionFor final : Completion {
    CompletionFor(Handler h, asio::any_io_executor fallback)
        : work(asio::prefer(asio::get_associated_executor(h, fallback),
                            asio::execution::outstanding_work.tracked)),
          handler(std::move(h)) {}
    void complete(error_code ec) override {
      asio::post(work, [h = std::move(handler), ec]() mutable { std::move(h)(ec); });
    }
    // the caller's executor, counted as outstanding work until the handler is posted
    asio::any_io_executor work;
    Handler handler;
  };

  // One per message: its delivery report's opaque, so the report knows which position to fill.
  struct Slot {
    Batch* batch;
    MessagePosition* position;  // null when the caller asked for none
  };
  std::vector<Slot> slots;
  size_t remaining = 0;
  error_code first_error;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::unique_ptr<Completion> done;  // null once the caller has its answer
  // The caller hears "timed out" at the publish timeout even when librdkafka has not failed the messages yet:
  // it looks for timed-out messages only while it can reach the partition's leader, so with the broker down
  // and reconnecting a message outlives message.timeout.ms by up to reconnect.backoff.max.ms. Late reports
  // still arrive here (the batch lives until the last one) but no longer touch the caller's positions.
  std::optional<asio::steady_timer> deadline;
  // The batch owns itself until its last report; a pending deadline wait holds another reference, which the
  // io_context releases even when it is destroyed before the wait completes (shutdown).
  std::shared_ptr<Batch> self;

  bool answered() const { return done == nullptr; }

  void answer(error_code ec) {
    if (answered()) return;
    std::unique_ptr<Completion> d = std::move(done);
    d->complete(ec);
  }

  // On the strand, once per message and once for the initiator.
  void report(error_code ec) {
    if (ec && !first_error) first_error = ec;
    if (--remaining > 0) return;
    answer(first_error);
    if (deadline) deadline->cancel();
    self.reset();  // may destroy *this: last
  }

  void on_deadline(error_code ec) {
    if (ec || answered()) return;
    stats().past_deadline.inc();
    answer(make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
  }
};

Result<std::shared_ptr<Producer>> Producer::create(asio::any_io_executor ex, const KafkaOptions& options) {
  std::shared_ptr<Producer> p(new Producer(ex));
  p->topic_ = options.topic;
  p->publish_timeout_ = options.delivery_timeout;
  // librdkafka looks for timed-out messages once a second, so a message fails up to a second after
  // message.timeout.ms: asking for a second less keeps the vendor's 503 within the configured timeout.
  auto message_timeout = options.delivery_timeout;
  if (message_timeout >= std::chrono::seconds(2)) message_timeout -= std::chrono::seconds(1);
  std::map<std::string, std::string> base = {
      {"bootstrap.servers", options.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", std::to_string(options.linger.count())},
      {"message.timeout.ms", std::to_string(message_timeout.count())},
      {"compression.type", "lz4"},
      {"message.max.bytes", std::to_string(options.max_message_bytes)},
      {"queue.buffering.max.messages", "100000"},
      {"client.id", "hookd"},
      {"log_level", "4"},
  };
  auto conf = make_conf(base, options);
  if (!conf.ok()) return conf.error();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::on_delivery);
  rd_kafka_conf_set_error_cb(conf->get(), &Producer::on_error);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->release(), err, sizeof err);
  if (!rk) return make_error(BusErrc::kafka_error, std::string("cannot create Kafka producer: ") + err);
  p->rk_.reset(rk);
  p->topic_handle_ = rd_kafka_topic_new(rk, options.topic.c_str(), nullptr);
  p->main_queue_ = rd_kafka_queue_get_main(rk);
  p->waker_ = std::make_unique<QueueWaker>(p->strand_, p->main_queue_);
  asio::co_spawn(p->strand_, p->serve_reports(), asio::detached);
  return p;
}

Producer::~Producer() {
  waker_.reset();
  if (main_queue_) rd_kafka_queue_destroy(main_queue_);
  if (topic_handle_) rd_kafka_topic_destroy(topic_handle_);
}

void Producer::stop() {
  stopped_ = true;
  asio::post(strand_, [self = shared_from_this()] { self->waker_->cancel(); });
}

void Producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
}

awaitable<void> Producer::serve_reports() {
  auto self = shared_from_this();
  while (!stopped_) {
    while (rd_kafka_poll(rk_.get(), 0) > 0) {
    }
    error_code ec = co_await waker_->wait();
    if (ec) break;
  }
}

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  auto* slot = static_cast<Batch::Slot*>(msg->_private);
  Batch* batch = slot ? slot->batch : nullptr;
  if (slot && slot->position && !msg->err && !batch->answered())
    *slot->position = {msg->partition, msg->offset};
  if (msg->err) {
    stats().failed.inc();
  } else {
    stats().acked.inc();
    stats().ack_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - batch->started).count());
  }
  if (batch) batch->report(msg->err ? make_error_code(msg->err) : error_code{});
}

void Producer::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    self->fatal_ = true;
    log::error("kafka.producer_fatal", {{"reason", std::string(buf)}});
    return;
  }
  // Transient errors (a broker down, all brokers down) are retried by librdkafka; messages fail on their own
  // timeout.
  log::warn("kafka.producer_error", {{"error", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))},
                                     {"reason", std::string(reason)}});
}

awaitable<error_code> Producer::publish(std::span<const OutgoingMessage> messages,
                                        std::span<MessagePosition> positions) {
  if (messages.empty()) co_return error_code{};
  auto self = shared_from_this();
  // Not `co_await this_coro::executor`: with GCC 12 and Boost 1.74, copies of that executor taken in a nested
  // coroutine were released once too often (heap-use-after-free under ASan). The handler knows its executor.
  // The completion carries the batch's result as a value (redirect), not as an exception.
  error_code result;
  auto token = redirect(result);
  co_await asio::async_initiate<decltype(token), void(error_code)>(
      [this, messages, positions](auto handler) {
        auto owner = std::make_shared<Batch>();
        Batch* batch = owner.get();
        batch->self = std::move(owner);
        batch->remaining = messages.size() + 1;  // +1: the initiator's own reference, released below
        batch->done = std::make_unique<Batch::CompletionFor<decltype(handler)>>(std::move(handler), strand_);
        batch->slots.reserve(messages.size());  // never reallocated: reports point into it
        for (size_t i = 0; i < messages.size(); ++i) {
          const OutgoingMessage& m = messages[i];
          batch->slots.push_back({batch, i < positions.size() ? &positions[i] : nullptr});
          rd_kafka_headers_t* hdrs = nullptr;
          if (!m.headers.empty()) {
            hdrs = rd_kafka_headers_new(m.headers.size());
            for (const auto& [k, v] : m.headers)
              rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                                  static_cast<ssize_t>(v.size()));
          }
          rd_kafka_resp_err_t err = rd_kafka_producev(
              rk_.get(), RD_KAFKA_V_RKT(topic_handle_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
              RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
              RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()), RD_KAFKA_V_HEADERS(hdrs),
              RD_KAFKA_V_OPAQUE(&batch->slots.back()), RD_KAFKA_V_END);
          if (err) {
            // Not enqueued (queue full, fatal state): no delivery report will come for this one.
            if (hdrs) rd_kafka_headers_destroy(hdrs);
            stats().failed.inc();
            asio::post(strand_, [batch, err] { batch->report(make_error_code(err)); });
          }
        }
        asio::post(strand_, [this, batch] {
          if (batch->remaining > 1) {  // reports still to come
            batch->deadline.emplace(strand_, publish_timeout_);
            batch->deadline->async_wait(
                asio::bind_executor(strand_, [keep = batch->self](error_code ec) { keep->on_deadline(ec); }));
          }
          batch->report({});
        });
      },
      token);
  co_return result;
}

}  // namespace hookd::bus
