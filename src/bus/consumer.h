// Consumes `hookd.events` in a consumer group, at least once.
//
// Offsets are stored only for messages the application has finished with (`done`), and only up to the first
// message of the partition that is still in progress: a crash or rebalance re-delivers everything not
// finished, never skips it. librdkafka commits the stored offsets in the background and on close. Messages
// are read on the consumer's strand through a QueueWaker (no polling thread) and handed to the handler, which
// may take its time: at most `max_in_flight` messages are outstanding before reading pauses.
#pragma once

#include <chrono>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "bus/kafka.h"

namespace hookd::bus {

class Consumer;

struct ConsumedMessage {
  std::weak_ptr<Consumer> consumer;  // the one that read it, which done() must be told (Consumer::done_with)
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  int64_t timestamp_ms = 0;
  // The assignment of its partition it was read under: unique in the process, new each time this process
  // gets the partition (again). Messages of a new generation may have been handled already by the partition's
  // previous owner (or by this process before it lost the partition): everything after its last committed
  // offset comes again.
  uint64_t generation = 0;
};

// Failover is a matter of seconds, not librdkafka's default 45 s: a dispatcher that dies loses its partitions
// to the others after session_timeout; one restarted with the same group_instance_id (static membership) takes
// its partitions back at once, without a rebalance; cooperative-sticky assignment moves only the partitions
// that must move, so the other dispatchers keep consuming during a rebalance.
struct ConsumerOptions {
  std::string group_id = "hookd-dispatch";
  size_t max_in_flight = 256;
  std::string group_instance_id;  // group.instance.id; empty: dynamic membership
  // 6 s, the broker's least (group.min.session.timeout.ms): a dead dispatcher's partitions move within ~7 s.
  // Heartbeats come from librdkafka's own thread, so a busy dispatcher does not miss them.
  std::chrono::milliseconds session_timeout{6'000};
  std::chrono::milliseconds heartbeat_interval{2'000};
  std::string assignment = "cooperative-sticky";  // partition.assignment.strategy
  // With nothing to consume the consumer still polls this often, or the group would drop it as stuck after
  // max.poll.interval.ms.
  std::chrono::milliseconds idle_poll{1'000};
  // A consumer with max_in_flight messages unfinished and none handed out for this long pauses its
  // partitions and keeps polling, so that it stays in the group however long the stall lasts.
  std::chrono::milliseconds stall_before_pause{2'000};
};

class Consumer : public std::enable_shared_from_this<Consumer> {
 public:
  // The handler runs on the consumer's strand and must not block; it starts work and calls done() when the
  // message is finished (from any thread).
  using Handler = std::function<void(std::shared_ptr<const ConsumedMessage>)>;

  static Result<std::shared_ptr<Consumer>> create(asio::any_io_executor ex, const KafkaOptions& kafka,
                                                  const ConsumerOptions& options, Handler handler);
  ~Consumer();
  void start();
  // Marks a message finished; its offset becomes committable once every earlier message of its partition is
  // too.
  void done(const ConsumedMessage& message);
  // Leaves the group, committing what is finished. Blocks the caller until done; the io_context must be
  // running and the caller must not be one of its threads.
  void close();
  size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  bool assigned() const noexcept { return assigned_.load(std::memory_order_relaxed); }
  // A member of the group with an assignment, possibly empty (a standby when there are more consumers than
  // partitions).
  bool in_group() const noexcept { return in_group_.load(std::memory_order_relaxed) && !failed(); }
  // librdkafka raised a fatal error (e.g. "static consumer fenced" after a long broker outage): this consumer
  // reads nothing more and must be replaced by a new one (its unfinished messages go to the group again).
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
  // Tells the consumer that read `message` that it is finished (nothing if that consumer is gone).
  static void done_with(const ConsumedMessage& message);
  // Raises a fabricated fatal error (rd_kafka_test_fatal_error), for tests.
  void fail_for_test();

 private:
  Consumer(asio::any_io_executor ex) : strand_(asio::make_strand(ex)) {}
  awaitable<void> run();
  awaitable<void> poll_when_idle();
  void on_done(int32_t partition, int64_t offset);
  // Tracks `m` as in progress and gives it to the handler (an error is logged and dropped).
  void hand_out(rd_kafka_message_t* m);
  // Pauses (or resumes) fetching for every assigned partition.
  void set_paused(bool paused);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque);

  asio::strand<asio::any_io_executor> strand_;
  KafkaPtr rk_;
  std::string topic_;
  ConsumerOptions options_;
  Handler handler_;
  rd_kafka_queue_t* queue_ = nullptr;
  std::unique_ptr<QueueWaker> waker_;
  asio::steady_timer resume_{strand_};
  asio::steady_timer idle_{strand_};
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> assigned_{false};
  std::atomic<bool> in_group_{false};
  std::atomic<bool> failed_{false};
  int assigned_count_ = 0;  // partitions assigned (rebalance callback, on the strand)
  bool paused_ = false;     // strand only
  std::chrono::steady_clock::time_point last_handed_out_{};  // strand only
  // Per partition: offsets handed out and not yet finished (ordered), and the highest offset handed out.
  struct PartitionState {
    std::set<int64_t> pending;
    int64_t highest = -1;
    uint64_t generation =
        0;  // ConsumedMessage::generation; an entry lives from its first message to a revoke
  };
  std::map<int32_t, PartitionState> partitions_;  // strand only
};

}  // namespace hookd::bus
