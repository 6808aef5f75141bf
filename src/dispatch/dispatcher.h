// The dispatch role: events from Kafka out to customers' endpoints.
//
//   Kafka (hookd-dispatch group) -> fan_out: the environment's active endpoints that want the event type
//     (from the config cache) -> wait for a free attempt slot (AttemptSlots: a full node stops consuming and
//     Kafka keeps the backlog) -> as many first attempts as it got slots for go out at once:
//       deliver first (an event no dispatcher has recorded, recorded_offsets.h): sent from the consumed event
//         before anything is written, then one script call creates the delivery with its attempt
//         (DeliveryStore::record_first); the offset is committable once every one is recorded;
//       checked (an event consumed again, an ordered endpoint): DeliveryStore::schedule creates the
//         deliveries that do not exist yet, leased to this node, then their first attempts (first_attempt)
//         and the offset is committable.
//     The deliveries beyond the slots it got are created due now, for the scheduler.
//   scheduler loop: claim due deliveries (a lease, atomically) -> attempt: POST, signed
//     -> record the attempt:
//     2xx: succeeded; otherwise retry later (RetryPolicy) or, when the round is exhausted, dead-letter.
//
// At least once: a Kafka message is finished only after its deliveries are durably recorded in Redis (sent
// and recorded, or scheduled), and a delivery leaves the schedule only when an attempt is recorded. A claim is a lease, renewed while the attempt
// is in flight (lease_keeper.h): a crash between sending and recording means the lease expires within
// HOOKD_LEASE and the attempt is made again, with the same event id for the receiver to de-duplicate.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "dispatch/attempt.h"
#include "dispatch/attempt_slots.h"
#include "dispatch/delivery_store.h"
#include "dispatch/endpoint_flow.h"
#include "dispatch/lease_keeper.h"
#include "dispatch/ordered_lanes.h"
#include "dispatch/partition_turns.h"
#include "dispatch/recorded_offsets.h"
#include "dispatch/retry_budget.h"
#include "dispatch/notices.h"
#include "dispatch/retry_policy.h"
#include "http/client/client.h"
#include "store/config_cache.h"

namespace hookd::dispatch {

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  // `configs`, when given (it must outlive the dispatcher), serves the endpoint records.
  Dispatcher(asio::any_io_executor ex, store::Store& store, std::shared_ptr<http::ClientPool> client,
             std::shared_ptr<bus::Producer> producer, DispatchOptions options,
             store::ConfigCache* configs = nullptr);

  // Joins the consumer group and starts the scheduler.
  Status start(const bus::KafkaOptions& kafka, const bus::ConsumerOptions& consumer);
  // Stops consuming and claiming; attempts in flight finish (their results are recorded).
  void stop();

  DeliveryStore& deliveries() { return deliveries_; }
  const DispatchOptions& options() const { return options_; }
  // Looks for due deliveries now instead of at the next poll (after a replay, after scheduling).
  void wake();
  size_t attempts_in_flight() const noexcept { return slots_.in_flight(); }
  // This node's flow control of each endpoint, and the fleet's retry budgets (for the admin API).
  const EndpointFlows& flows() const noexcept { return flows_; }
  RetryBudget& retry_budget() noexcept { return budget_; }
  // In its consumer group, with partitions or as a standby for them.
  bool consuming() const noexcept;

 private:
  void on_message(std::shared_ptr<const bus::ConsumedMessage> message);
  // A consumed message is finished (its offset committable) once fan_out and every first attempt it started
  // without a record (deliver_first) are done with it: when the last holder lets go. Abandoned: left
  // unfinished, so that its partition's next consumer gets it again.
  class EventDone {
   public:
    EventDone(std::shared_ptr<Dispatcher> d, std::shared_ptr<const bus::ConsumedMessage> m)
        : d_(std::move(d)), message_(std::move(m)) {}
    EventDone(const EventDone&) = delete;
    EventDone& operator=(const EventDone&) = delete;
    ~EventDone();
    void abandon() noexcept { abandoned_ = true; }
    void wake_scheduler() noexcept { wake_ = true; }  // it left deliveries due for the scheduler

   private:
    std::shared_ptr<Dispatcher> d_;
    std::shared_ptr<const bus::ConsumedMessage> message_;
    std::atomic<bool> abandoned_{false};
    std::atomic<bool> wake_{false};
  };
  awaitable<void> fan_out(std::shared_ptr<const bus::ConsumedMessage> message, uint64_t ticket);
  awaitable<void> scheduler();
  // The consumer's life (dispatcher_consumer.cpp): a new member of the group, the current one, and the watch
  // that replaces a consumer librdkafka declared dead.
  Result<std::shared_ptr<bus::Consumer>> join_group();
  std::shared_ptr<bus::Consumer> consumer() const;
  awaitable<void> watch_consumer();
  // Renews the leases of the attempts in flight until stopped (lease_keeper.h).
  awaitable<void> keep_leases();
  // Records the event's deliveries to disabled endpoints as paused (DeliveryStore::pause), retrying until Redis
  // answers. Returns whether some were scheduled instead (an endpoint enabled meanwhile); nullopt: stopping.
  awaitable<std::optional<bool>> pause_deliveries(const Event& e, std::string_view event_json,
                                                  const std::vector<std::string>& webhook_ids);
  // One attempt: prepare -> send -> record (attempt.h; the phases are in attempt.cpp).
  awaitable<void> attempt(ClaimedDelivery claimed, std::string claim);
  // The first attempt of a delivery fan_out just created leased to `claim`: prepared from what fan_out holds
  // (the event, the endpoint at `position` of `endpoints`), then sent and recorded as any attempt.
  struct ConsumedEvent {
    std::shared_ptr<const bus::ConsumedMessage> message;  // holds the text `record` points into
    EventRecord record;
  };
  awaitable<void> first_attempt(std::string delivery_id,
                                std::shared_ptr<const std::vector<store::Webhook>> endpoints, size_t position,
                                std::shared_ptr<const ConsumedEvent> consumed, std::string claim);
  // The first attempt of a new event's delivery to the endpoint at `position` of `endpoints`, sent before
  // anything is written, then recorded with the delivery it creates (DeliveryStore::record_first). Until then
  // `done` holds the message unfinished; not recorded (stopping), it is abandoned. When the endpoint's flow
  // control turns it away, the delivery is scheduled due now instead, for the scheduler.
  awaitable<void> deliver_first(std::shared_ptr<const std::vector<store::Webhook>> endpoints, size_t position,
                                std::shared_ptr<const ConsumedEvent> consumed,
                                std::shared_ptr<EventDone> done);
  // Sends the first attempts of an event no dispatcher has recorded to the first `direct` of `targets` (at
  // `positions` of `endpoints`), each with deliver_first, once the deliveries to the others are scheduled.
  // Returns whether some were left due for the scheduler; nullopt: they could not be scheduled (nothing was
  // sent, the slots are given back).
  awaitable<std::optional<bool>> send_first(std::shared_ptr<const ConsumedEvent> consumed,
                                            std::shared_ptr<const std::vector<store::Webhook>> endpoints,
                                            const std::vector<std::string>& targets,
                                            const std::vector<size_t>& positions, size_t direct,
                                            std::shared_ptr<EventDone> done);
  // Raises the mark of the message's partition to its offset once `e`'s deliveries were created before their
  // attempts (recorded_offsets.h): a later consumer takes the checked path for it too.
  awaitable<void> raise_mark(const Event& e, const bus::ConsumedMessage& message);
  // Reads the mark of the message's partition for its generation (recorded_offsets.h).
  awaitable<void> read_mark(std::string topic, int32_t partition, uint64_t generation);
  // Every attempt gives its slot back when it ends (InFlight), which wakes the scheduler when the node was
  // full.
  void release_attempts(size_t n);
  void attempt_finished() { release_attempts(1); }
  struct InFlight {
    Dispatcher* d;
    ~InFlight() { d->attempt_finished(); }
  };
  awaitable<Preparation> prepare(const ClaimedDelivery& claimed, const std::string& claim);
  // Moves the ordered endpoints among `targets` (and their `positions`) to the front; returns how many.
  static size_t order_first(const std::vector<store::Webhook>& list, std::vector<std::string>& targets,
                            std::vector<size_t>& positions);
  // Reserves the places of `e`'s deliveries to the first `ordered` targets in their account's lanes, at
  // `offset` (its turn in its partition came: partition_turns.h).
  awaitable<void> reserve_lanes(const Event& e, const std::vector<std::string>& targets, size_t ordered,
                                int64_t offset);
  // Once they exist: names the lane on each, and hands those leased for their lane's sake but not sent from
  // here ([direct, ordered) of those created) to the schedule.
  awaitable<void> settle_lanes(const Event& e, const std::vector<std::string>& targets, size_t direct,
                               size_t ordered, const std::vector<std::string>& created,
                               const std::string& claim);
  // Flow control before sending (flow_control.cpp): the endpoint's concurrency and breaker on this node, then,
  // for a retry or replay, the fleet's retry budget. False: not now, the delivery is back in the schedule.
  awaitable<bool> admit(const Delivery& d, const std::string& claim);
  // The same for a first attempt sent before its delivery exists: only the endpoint's flow on this node (a
  // first attempt is not paced by the retry budget). False: not now (counted as deferred).
  bool admit_first(const std::string& webhook_id, int64_t now);
  // After sending: the outcome moves the endpoint's flow (and its retry budget when the attempt was paced).
  void flow_finished(const Delivery& d, const SentAttempt& sent);
  awaitable<SentAttempt> send(PreparedAttempt& prepared);
  awaitable<void> record(const PreparedAttempt& prepared, const std::string& claim, const SentAttempt& sent);
  // What follows a recorded attempt: its log line, the dead letter's, disabling the endpoint.
  awaitable<void> recorded(const Delivery& d, const SentAttempt& sent, const RecordResult& result);
  // Disables the endpoint and announces it (webhook:disabled). `reason` empty: the auto-disable threshold's.
  awaitable<void> disable_endpoint(const std::string& webhook_id, std::string reason = {});
  // The announcement, durable (notices.h): recorded in Redis, then published until Kafka acknowledges it.
  awaitable<void> announce_disabled(const store::Webhook& endpoint, int64_t disabled_at);
  awaitable<void> publish_notice(Notice notice);
  // At start: publishes the notices a dispatcher recorded but could not publish (Kafka down, a crash).
  awaitable<void> sweep_notices();
  awaitable<void> pause(std::chrono::milliseconds d);
  awaitable<Result<std::shared_ptr<const std::vector<store::Webhook>>>> endpoints(const std::string& env);
  awaitable<Result<store::Webhook>> endpoint(const std::string& id);

  asio::any_io_executor ex_;
  store::Store& store_;
  store::ConfigCache* configs_;
  std::shared_ptr<http::ClientPool> client_;
  std::shared_ptr<bus::Producer> producer_;
  DispatchOptions options_;
  DeliveryStore deliveries_;
  NoticeStore notices_;
  RetryPolicy policy_;
  EndpointFlows flows_;
  RetryBudget budget_;
  OrderedLanes lanes_;
  PartitionTurns turns_;
  RecordedOffsets marks_;
  LeaseKeeper leases_;
  const std::string
      claim_prefix_;  // this node's claims: <prefix>:<round> (scheduler), <prefix>:d<n> (fan_out)
  std::atomic<uint64_t> direct_claims_{0};
  bus::KafkaOptions kafka_;
  bus::ConsumerOptions consumer_options_;
  mutable std::mutex consumer_mutex_;
  std::shared_ptr<bus::Consumer> consumer_;  // consumer_mutex_
  asio::strand<asio::any_io_executor> scheduler_strand_;
  asio::steady_timer wake_timer_;
  AttemptSlots slots_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> wake_pending_{false};
};

}  // namespace hookd::dispatch
