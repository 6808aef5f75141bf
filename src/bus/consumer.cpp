#include "bus/consumer.h"

#include <future>

#include "core/log.h"
#include "core/metrics.h"

namespace hookd::bus {

namespace {

metrics::Counter& consumed() {
  static auto& c = metrics::registry().counter("hookd_kafka_consumed_total", "Kafka messages consumed.");
  return c;
}

}  // namespace

Result<std::shared_ptr<Consumer>> Consumer::create(asio::any_io_executor ex, const KafkaOptions& kafka,
                                                   const ConsumerOptions& options, Handler handler) {
  std::shared_ptr<Consumer> c(new Consumer(ex));
  c->topic_ = kafka.topic;
  c->options_ = options;
  c->handler_ = std::move(handler);
  // One entry per line (clang-format off): the comments belong to their settings.
  // clang-format off
  std::map<std::string, std::string> base = {
      {"bootstrap.servers", kafka.brokers},
      {"group.id", options.group_id},
      {"enable.auto.commit", "true"},
      {"enable.auto.offset.store", "false"},  // we store offsets ourselves, only for finished messages
      {"auto.offset.reset", "earliest"},      // a new group starts at the beginning: nothing published is skipped
      {"auto.commit.interval.ms", "1000"},
      {"fetch.wait.max.ms", "100"},           // an event reaches dispatch within ~100 ms when traffic is light
      {"session.timeout.ms", std::to_string(options.session_timeout.count())},
      {"heartbeat.interval.ms", std::to_string(options.heartbeat_interval.count())},
      {"partition.assignment.strategy", options.assignment},
      {"client.id", "hookd-dispatch"},
      {"log_level", "4"},
  };
  // clang-format on
  if (!options.group_instance_id.empty()) base["group.instance.id"] = options.group_instance_id;
  auto conf = make_conf(base, kafka);
  if (!conf.ok()) return conf.error();
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Consumer::on_rebalance);
  rd_kafka_conf_set_opaque(conf->get(), c.get());
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err, sizeof err);
  if (!rk) return make_error(BusErrc::kafka_error, std::string("cannot create Kafka consumer: ") + err);
  c->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  c->queue_ = rd_kafka_queue_get_consumer(rk);
  c->waker_ = std::make_unique<QueueWaker>(c->strand_, c->queue_);

  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kafka.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) return make_error(BusErrc::kafka_error, std::string("subscribe: ") + rd_kafka_err2str(e));
  return c;
}

Consumer::~Consumer() {
  waker_.reset();
  if (queue_) rd_kafka_queue_destroy(queue_);
}

void Consumer::start() {
  asio::co_spawn(strand_, run(), asio::detached);
  asio::co_spawn(strand_, poll_when_idle(), asio::detached);
}

awaitable<void> Consumer::poll_when_idle() {
  auto self = shared_from_this();
  while (!stopped_) {
    idle_.expires_after(options_.idle_poll);
    error_code ec;
    co_await idle_.async_wait(redirect(ec));
    if (stopped_) break;
    // As if the queue had events: run() polls once more (finding nothing is fine) and so stays in the group.
    waker_->notify();
  }
}

void Consumer::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                            void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  // Cooperative assignment hands over only what changes (incremental calls); eager replaces the whole set.
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  rd_kafka_error_t* error = nullptr;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      error = rd_kafka_incremental_assign(rk, parts);
      self->assigned_count_ += parts->cnt;
      // A partition paused while it was ours before keeps that flag: it follows the consumer's state now.
      if (!error && self->paused_)
        rd_kafka_pause_partitions(rk, parts);
      else if (!error)
        rd_kafka_resume_partitions(rk, parts);
    } else {
      rd_kafka_assign(rk, parts);
      self->assigned_count_ = parts->cnt;
      if (self->paused_) rd_kafka_pause_partitions(rk, parts);
    }
    self->in_group_ = true;  // also with none: more consumers than partitions, this one a standby
    log::info("kafka.partitions_assigned", {{"count", parts->cnt}, {"cooperative", cooperative}});
  } else {
    // Unfinished messages of revoked partitions are not stored: their new owner gets them again (at least
    // once).
    if (cooperative) {
      error = rd_kafka_incremental_unassign(rk, parts);
      self->assigned_count_ = std::max(0, self->assigned_count_ - parts->cnt);
    } else {
      rd_kafka_assign(rk, nullptr);
      self->assigned_count_ = 0;
    }
    for (int i = 0; i < parts->cnt; ++i)
      self->partitions_.erase(parts->elems[i].partition);
    // Lost (the group dropped this member): out until the next assignment.
    if (rd_kafka_assignment_lost(rk) == 1) self->in_group_ = false;
    log::info("kafka.partitions_revoked",
              {{"count", parts->cnt}, {"lost", rd_kafka_assignment_lost(rk) == 1}});
  }
  if (error) {
    log::error("kafka.rebalance_failed", {{"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }
  self->assigned_ = self->assigned_count_ > 0;
}

void Consumer::hand_out(rd_kafka_message_t* m) {
  if (m->err) {
    // A fatal error comes as an error message (RD_KAFKA_RESP_ERR__FATAL); asking the handle as well catches one
    // reported under its own code.
    char reason[512];
    if (m->err == RD_KAFKA_RESP_ERR__FATAL || rd_kafka_fatal_error(rk_.get(), reason, sizeof reason)) {
      rd_kafka_fatal_error(rk_.get(), reason, sizeof reason);
      failed_ = true;
      log::error("kafka.consumer_fatal", {{"reason", std::string(reason)}});
      rd_kafka_message_destroy(m);
      return;
    }
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
      log::warn("kafka.consume_error", {{"error", rd_kafka_message_errstr(m)}});
    rd_kafka_message_destroy(m);
    return;
  }
  auto msg = std::make_shared<ConsumedMessage>();
  msg->consumer = weak_from_this();
  msg->topic = rd_kafka_topic_name(m->rkt);
  msg->partition = m->partition;
  msg->offset = m->offset;
  if (m->key) msg->key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) msg->value.assign(static_cast<const char*>(m->payload), m->len);
  msg->timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  rd_kafka_message_destroy(m);
  auto& p = partitions_[msg->partition];
  if (p.generation == 0) {
    static std::atomic<uint64_t> generations{0};
    p.generation = ++generations;
  }
  msg->generation = p.generation;
  p.pending.insert(msg->offset);
  p.highest = std::max(p.highest, msg->offset);
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  last_handed_out_ = std::chrono::steady_clock::now();
  consumed().inc();
  handler_(std::move(msg));
}

void Consumer::set_paused(bool paused) {
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_.get(), &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
  rd_kafka_resp_err_t e =
      paused ? rd_kafka_pause_partitions(rk_.get(), parts) : rd_kafka_resume_partitions(rk_.get(), parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e) log::warn("kafka.pause_failed", {{"pause", paused}, {"error", rd_kafka_err2str(e)}});
  paused_ = paused;
  log::info(paused ? "kafka.consumer_paused" : "kafka.consumer_resumed",
            {{"in_flight", in_flight_.load(std::memory_order_relaxed)}});
}

awaitable<void> Consumer::run() {
  auto self = shared_from_this();
  while (!stopped_) {
    // Serve everything queued (messages, rebalances, errors) unless too many messages are still being
    // handled.
    while (!stopped_ && !failed_ && in_flight_.load(std::memory_order_relaxed) < options_.max_in_flight) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 0);
      if (!m) break;
      hand_out(m);
    }
    if (stopped_ || failed_) break;
    if (in_flight_.load(std::memory_order_relaxed) >= options_.max_in_flight) {
      // Full: done() wakes us when there is room. Under load that is a matter of milliseconds. A node that
      // makes no progress for longer (Redis away, every attempt slot held by slow endpoints) pauses its
      // partitions and keeps polling: that serves rebalances and heartbeats, and keeps it in the group past
      // max.poll.interval.ms. Not at once: pausing drops what was prefetched, which resuming fetches again.
      if (!paused_ && std::chrono::steady_clock::now() - last_handed_out_ > options_.stall_before_pause)
        set_paused(true);
      if (paused_) {
        // Paused partitions yield no messages; one fetched just before the pause is handed out all the same.
        while (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 0))
          hand_out(m);
      }
      resume_.expires_after(std::chrono::milliseconds(100));
      error_code ec;
      co_await resume_.async_wait(redirect(ec));
      continue;
    }
    if (paused_) set_paused(false);
    error_code ec = co_await waker_->wait();
    if (ec) break;
  }
}

void Consumer::done_with(const ConsumedMessage& message) {
  if (auto c = message.consumer.lock()) c->done(message);
}

void Consumer::fail_for_test() {
  rd_kafka_test_fatal_error(rk_.get(), RD_KAFKA_RESP_ERR__FENCED, "fabricated by a test");
  // The fatal error is queued for the next poll: make it come now.
  asio::post(strand_, [self = shared_from_this()] { self->waker_->notify(); });
}

void Consumer::done(const ConsumedMessage& message) {
  asio::post(strand_, [self = shared_from_this(), partition = message.partition, offset = message.offset] {
    self->on_done(partition, offset);
  });
}

void Consumer::on_done(int32_t partition, int64_t offset) {
  if (in_flight_.fetch_sub(1, std::memory_order_relaxed) == options_.max_in_flight) resume_.cancel();
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return;  // revoked meanwhile: the new owner re-reads it
  auto& p = it->second;
  p.pending.erase(offset);
  // Committable: everything before the first unfinished message, or everything handed out.
  int64_t next = p.pending.empty() ? p.highest + 1 : *p.pending.begin();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition)->offset = next;
  rd_kafka_resp_err_t e = rd_kafka_offsets_store(rk_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e && e != RD_KAFKA_RESP_ERR__STATE)
    log::warn("kafka.offset_store_failed", {{"error", rd_kafka_err2str(e)}});
}

void Consumer::close() {
  // Closing serves the final rebalance (revoke) callback, which touches strand-only state: run it on the
  // strand.
  std::promise<void> closed;
  asio::post(strand_, [self = shared_from_this(), &closed] {
    self->stopped_ = true;
    self->waker_->cancel();
    self->resume_.cancel();
    self->idle_.cancel();
    // A consumer librdkafka declared dead (fatal error: fenced) never finishes closing; it has no group to
    // leave, so it is destroyed without the close.
    if (self->failed_)
      self->rk_.get_deleter().flags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
    else
      rd_kafka_consumer_close(self->rk_.get());
    closed.set_value();
  });
  closed.get_future().wait();
}

}  // namespace hookd::bus
