#include "dispatch/dispatcher.h"

#include <algorithm>
#include <span>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "dispatch/dispatch_stats.h"
#include "dispatch/schema_migration.h"

namespace hookd::dispatch {

namespace {

constexpr std::chrono::milliseconds kStoreRetry{500};

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor ex, store::Store& store,
                       std::shared_ptr<http::ClientPool> client, std::shared_ptr<bus::Producer> producer,
                       DispatchOptions options, store::ConfigCache* configs)
    : ex_(ex),
      store_(store),
      configs_(configs),
      client_(std::move(client)),
      producer_(std::move(producer)),
      options_(std::move(options)),
      deliveries_(store_, options_),
      notices_(store_),
      policy_(options_),
      flows_(options_.flow),
      budget_(store_, options_.retry_budget),
      lanes_(store_, options_),
      turns_(ex),
      leases_(ex, store_, options_.lease),
      claim_prefix_(ids::uuid_v4()),
      scheduler_strand_(asio::make_strand(ex)),
      wake_timer_(scheduler_strand_),
      slots_(options_.max_concurrent_attempts, options_.new_event_slots()) {}

void Dispatcher::wake() {
  if (wake_pending_.exchange(true)) return;
  asio::post(scheduler_strand_, [self = shared_from_this()] { self->wake_timer_.cancel(); });
}

awaitable<void> Dispatcher::pause(std::chrono::milliseconds d) {
  // A timer on the shared executor rather than `co_await this_coro::executor` (see the producer's note on GCC
  // 12).
  asio::steady_timer t(ex_);
  t.expires_after(d);
  error_code ec;
  co_await t.async_wait(redirect(ec));
}

awaitable<Result<std::shared_ptr<const std::vector<store::Webhook>>>> Dispatcher::endpoints(
    const std::string& env) {
  if (configs_) co_return co_await configs_->list_webhooks(env);
  auto list = co_await store_.list_webhooks(env);
  if (!list.ok()) co_return list.error();
  co_return std::make_shared<const std::vector<store::Webhook>>(std::move(list).value());
}

awaitable<Result<store::Webhook>> Dispatcher::endpoint(const std::string& id) {
  if (configs_) co_return co_await configs_->get_webhook(id);
  co_return co_await store_.get_webhook(id);
}

void Dispatcher::on_message(std::shared_ptr<const bus::ConsumedMessage> message) {
  uint64_t ticket = turns_.ticket(message->partition);
  asio::co_spawn(ex_, fan_out(std::move(message), ticket), asio::detached);
}

awaitable<void> Dispatcher::fan_out(std::shared_ptr<const bus::ConsumedMessage> message, uint64_t ticket) {
  auto self = shared_from_this();
  TurnTicket turn(turns_, message->partition, ticket);
  auto event = read_event_record(message->value);
  if (!event.ok()) {
    // Nothing can ever deliver it; keeping it would block its partition's offsets forever.
    dispatch_stats().malformed.inc();
    log::error("dispatch.malformed_event", {{"partition", message->partition},
                                            {"offset", json::Value(message->offset)},
                                            {"error", event.error().message}});
    bus::Consumer::done_with(*message);
    dispatch_stats().events_finished.inc();
    co_return;
  }
  // Until Redis answers, the message stays unfinished (and its offset uncommitted): nothing is dropped.
  // The record's text stays with the message, which the attempts started below keep alive.
  auto shared_event = std::make_shared<const ConsumedEvent>(ConsumedEvent{message, std::move(event).value()});
  const Event& e = shared_event->record.header;
  auto done = std::make_shared<EventDone>(self, message);
  bool left_to_scheduler = false;   // deliveries created due now, for the scheduler to claim
  std::vector<std::string> paused;  // disabled endpoints that would get the event: their deliveries wait
  for (;;) {
    auto webhooks = co_await endpoints(e.environment_id);
    if (webhooks.ok()) {
      std::vector<std::string> targets;
      std::vector<size_t> positions;  // of each target in the endpoint list
      const auto& list = **webhooks;
      paused.clear();
      for (size_t i = 0; i < list.size(); ++i) {
        const store::Webhook& w = list[i];
        // An endpoint gets the events that happen after it was registered, not ones still in flight before.
        bool subscribed = w.wants(e.type) && w.created_at <= e.created_at;
        if (e.target_webhook_id.empty() ? subscribed && w.is_active : w.id == e.target_webhook_id) {
          targets.push_back(w.id);
          positions.push_back(i);
        } else if (e.target_webhook_id.empty() && subscribed) {
          paused.push_back(w.id);
        }
      }
      if (targets.empty()) break;
      // Ordered endpoints first (ordered_lanes.h): their deliveries are created leased to this node, so that no
      // scheduler can take one before it has joined its lane.
      size_t ordered = e.integrated_account_id.empty() ? 0 : order_first(list, targets, positions);
      if (ordered) {
        // Lanes are reserved in consumption order, before anything waits for a slot.
        co_await turns_.async_wait_turn(turn.partition(), turn.ticket(), use_awaitable);
        co_await reserve_lanes(e, targets, ordered, message->offset);
      }
      turn.finish();
      // As many first attempts as this node has slots for are leased to it when they are created and sent
      // from here: no claim from the schedule and no read of the delivery, endpoint and event again. Waiting
      // for the first slot holds this message, and so (max_in_flight messages on) the consumer.
      size_t direct = 0;
      if (!stopping_) {
        bool taken = co_await slots_.async_take_direct(use_awaitable);
        if (!taken) {
          done->abandon();  // stopping: unfinished, the next consumer gets it again
          co_return;
        }
        direct = 1 + slots_.try_take(targets.size() - 1, slots_.direct_limit());
      }
      // An event no dispatcher has recorded goes out before anything is written (recorded_offsets.h).
      const bool may_send_first = direct && !ordered && !options_.record_before_send;
      auto verdict = may_send_first ? marks_.check(*message, e.id) : RecordedOffsets::Verdict::checked;
      if (may_send_first && verdict != RecordedOffsets::Verdict::unseen)
        dispatch_stats().events_checked.inc();
      if (verdict == RecordedOffsets::Verdict::read_mark)
        asio::co_spawn(ex_, read_mark(message->topic, message->partition, message->generation),
                       asio::detached);
      if (verdict == RecordedOffsets::Verdict::unseen) {
        auto left = co_await send_first(shared_event, *webhooks, targets, positions, direct, done);
        if (left) {
          left_to_scheduler = *left;
          break;
        }
      } else {
        size_t leased = std::max(direct, ordered);
        std::string claim = leased ? claim_prefix_ + ":d" + std::to_string(++direct_claims_) : std::string();
        auto created = co_await deliveries_.schedule(e, message->value, targets, claim, leased);
        if (created.ok()) {
          co_await raise_mark(e, *message);
          dispatch_stats().scheduled.inc(created->size());
          log::debug("dispatch.scheduled",
                     {{"event_id", e.id}, {"deliveries", json::Value(created->size())}});
          // An ordered endpoint's deliveries take their place in their account's lane before any attempt; those
          // this node will not send at once are then handed to the schedule.
          if (ordered) co_await settle_lanes(e, targets, direct, ordered, *created, claim);
          size_t started = 0;
          for (size_t i = 0; i < direct; ++i) {
            std::string id = DeliveryStore::delivery_id(e.id, targets[i]);
            // One that existed already (the event was consumed before) is the schedule's, not ours.
            if (std::find(created->begin(), created->end(), id) == created->end()) continue;
            ++started;
            asio::co_spawn(ex_, first_attempt(std::move(id), *webhooks, positions[i], shared_event, claim),
                           asio::detached);
          }
          release_attempts(direct - started);
          left_to_scheduler = created->size() > started;
          break;
        }
        release_attempts(direct);
        log::warn("dispatch.schedule_failed", {{"event_id", e.id}, {"error", created.error().message}});
      }
    } else {
      log::warn("dispatch.endpoints_unavailable", {{"event_id", e.id}, {"error", webhooks.error().message}});
    }
    if (stopping_) {
      done->abandon();  // unfinished: the next consumer gets it again
      co_return;
    }
    co_await pause(kStoreRetry);
  }
  if (!paused.empty()) {
    auto stored = co_await pause_deliveries(e, message->value, paused);
    if (!stored) {
      done->abandon();  // stopping: unfinished, the next consumer gets it again
      co_return;
    }
    left_to_scheduler = left_to_scheduler || *stored;
  }
  if (left_to_scheduler) done->wake_scheduler();
  // The message is finished when `done` goes: here, or after the last of its first attempts is recorded.
}

awaitable<std::optional<bool>> Dispatcher::send_first(
    std::shared_ptr<const ConsumedEvent> consumed,
    std::shared_ptr<const std::vector<store::Webhook>> endpoints, const std::vector<std::string>& targets,
    const std::vector<size_t>& positions, size_t direct, std::shared_ptr<EventDone> done) {
  const Event& e = consumed->record.header;
  bool left_to_scheduler = false;
  // Those beyond the slots it got wait in the schedule, created before any attempt is sent.
  std::span<const std::string> rest(targets.data() + direct, targets.size() - direct);
  if (!rest.empty()) {
    auto created = co_await deliveries_.schedule(e, consumed->message->value, rest);
    if (!created.ok()) {
      release_attempts(direct);
      log::warn("dispatch.schedule_failed", {{"event_id", e.id}, {"error", created.error().message}});
      co_return std::nullopt;
    }
    dispatch_stats().scheduled.inc(created->size());
    left_to_scheduler = !created->empty();
  }
  for (size_t i = 0; i < direct; ++i)
    asio::co_spawn(ex_, deliver_first(endpoints, positions[i], consumed, done), asio::detached);
  co_return left_to_scheduler;
}

awaitable<void> Dispatcher::raise_mark(const Event& e, const bus::ConsumedMessage& message) {
  const KafkaPosition at{message.topic, message.partition, message.offset};
  Status raised = co_await deliveries_.raise_mark(e.environment_id, at);
  // Not raised: a later consumer of the event may send it first again (a duplicate, never a loss).
  if (!raised.ok())
    log::warn("dispatch.mark_not_raised", {{"event_id", e.id}, {"error", raised.error().message}});
}

Dispatcher::EventDone::~EventDone() {
  if (abandoned_) return;
  bus::Consumer::done_with(*message_);
  dispatch_stats().events_finished.inc();
  if (wake_) d_->wake();
}

awaitable<void> Dispatcher::read_mark(std::string topic, int32_t partition, uint64_t generation) {
  auto self = shared_from_this();
  auto through = co_await deliveries_.recorded_through(topic, partition);
  if (!through.ok())
    log::warn("dispatch.recorded_offsets_unavailable",
              {{"partition", partition}, {"error", through.error().message}});
  else
    log::info("dispatch.recorded_offsets", {{"partition", partition}, {"through", json::Value(*through)}});
  marks_.learned(partition, generation, through);
}

size_t Dispatcher::order_first(const std::vector<store::Webhook>& list, std::vector<std::string>& targets,
                               std::vector<size_t>& positions) {
  std::vector<size_t> order(targets.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  auto first = std::stable_partition(order.begin(), order.end(),
                                     [&](size_t i) { return list[positions[i]].ordered(); });
  std::vector<std::string> t;
  std::vector<size_t> p;
  for (size_t i : order) {
    t.push_back(std::move(targets[i]));
    p.push_back(positions[i]);
  }
  targets = std::move(t);
  positions = std::move(p);
  return static_cast<size_t>(first - order.begin());
}

awaitable<void> Dispatcher::reserve_lanes(const Event& e, const std::vector<std::string>& targets,
                                          size_t ordered, int64_t offset) {
  for (size_t i = 0; i < ordered; ++i) {
    std::string id = DeliveryStore::delivery_id(e.id, targets[i]);
    Status reserved =
        co_await lanes_.reserve(e.environment_id, id, targets[i], e.integrated_account_id, offset);
    // Without its lane the delivery goes unordered: better than not at all, and said in the log.
    if (!reserved.ok())
      log::warn("dispatch.lane_reserve_failed", {{"delivery_id", id}, {"error", reserved.error().message}});
  }
}

awaitable<void> Dispatcher::settle_lanes(const Event& e, const std::vector<std::string>& targets,
                                         size_t direct, size_t ordered,
                                         const std::vector<std::string>& created, const std::string& claim) {
  int64_t now = clock::now_millis();
  for (size_t i = 0; i < ordered; ++i) {
    std::string id = DeliveryStore::delivery_id(e.id, targets[i]);
    bool ours = std::find(created.begin(), created.end(), id) != created.end();
    Status settled = co_await lanes_.settle(e.environment_id, id, e.integrated_account_id, claim,
                                            ours && i >= direct, now);
    // Not settled: an attempt reads no lane and goes unordered; a lease not handed over runs out.
    if (!settled.ok())
      log::warn("dispatch.lane_settle_failed", {{"delivery_id", id}, {"error", settled.error().message}});
  }
}

awaitable<std::optional<bool>> Dispatcher::pause_deliveries(const Event& e, std::string_view event_json,
                                                            const std::vector<std::string>& webhook_ids) {
  // Like scheduling: until Redis answers, the message stays unfinished and nothing is dropped.
  for (;;) {
    auto r = co_await deliveries_.pause(e, event_json, webhook_ids);
    if (r.ok()) {
      if (!r->dropped.empty())
        log::debug("dispatch.paused_dropped",
                   {{"event_id", e.id}, {"webhooks", json::Value(r->dropped.size())}});
      co_return !r->scheduled.empty();
    }
    log::warn("dispatch.pause_failed", {{"event_id", e.id}, {"error", r.error().message}});
    if (stopping_) co_return std::nullopt;
    co_await pause(kStoreRetry);
  }
}

awaitable<void> Dispatcher::scheduler() {
  auto self = shared_from_this();
  // Deliveries written in the unsharded layout move to the delivery shards before anything is claimed.
  while (!stopping_) {
    Status migrated = co_await migrate_delivery_schema(store_);
    if (migrated.ok()) break;
    log::info("dispatch.schema_migration_waiting", {{"reason", migrated.error().message}});
    co_await pause(kStoreRetry);
  }
  uint64_t round = 0;
  while (!stopping_) {
    wake_pending_ = false;
    size_t in_flight = slots_.in_flight();
    if (in_flight < slots_.limit()) {
      std::string claim = claim_prefix_ + ":" + std::to_string(++round);
      size_t room = slots_.limit() - in_flight;
      auto ids = co_await deliveries_.claim_due(clock::now_millis(), room, claim);
      if (!ids.ok()) {
        log::warn("dispatch.claim_failed", {{"error", ids.error().message}});
      } else {
        slots_.take(ids->size());
        for (auto& claimed : *ids)
          asio::co_spawn(ex_, attempt(std::move(claimed), claim), asio::detached);
        // A full batch means more may be due: go again without waiting.
        if (ids->size() == room && !ids->empty()) continue;
      }
    }
    if (wake_pending_) continue;
    wake_timer_.expires_after(options_.poll_interval);
    error_code ec;
    co_await wake_timer_.async_wait(redirect(ec));
  }
}

awaitable<void> Dispatcher::keep_leases() {
  auto self = shared_from_this();
  co_await leases_.run(stopping_);
}

awaitable<void> Dispatcher::attempt(ClaimedDelivery claimed, std::string claim) {
  auto self = shared_from_this();
  InFlight done{this};
  LeaseKeeper::Hold lease = leases_.hold(claimed.shard, claimed.id, claim);

  Preparation prepared = co_await prepare(claimed, claim);
  if (auto* unsendable = std::get_if<Unsendable>(&prepared)) {
    (void)co_await deliveries_.fail_without_attempt(unsendable->delivery, claim, unsendable->reason);
    co_return;
  }
  auto* ready = std::get_if<PreparedAttempt>(&prepared);
  if (!ready) co_return;  // abandoned: the lease decides
  bool admitted = co_await admit(ready->delivery, claim);
  if (!admitted) co_return;
  SentAttempt sent = co_await send(*ready);
  flow_finished(ready->delivery, sent);
  co_await record(*ready, claim, sent);
}

void Dispatcher::release_attempts(size_t n) {
  if (slots_.give_back(n)) wake();
}

awaitable<void> Dispatcher::disable_endpoint(const std::string& webhook_id, std::string reason) {
  if (reason.empty())
    reason =
        "disabled after failing continuously for at least " +
        std::to_string(std::chrono::duration_cast<std::chrono::minutes>(options_.disable_after).count()) +
        " minutes and " + std::to_string(options_.disable_after_failures) + " attempts";
  // One atomic change of the record, so that an admin's concurrent PATCH is kept, not overwritten.
  int64_t now = clock::now_millis();
  auto disabled = co_await store_.disable_webhook(webhook_id, reason, now);
  if (!disabled.ok()) {
    if (disabled.error().code != store::StoreErrc::not_found)
      log::error("dispatch.disable_failed",
                 {{"webhook_id", webhook_id}, {"error", disabled.error().message}});
    co_return;
  }
  if (!disabled->second) co_return;  // inactive already
  const store::Webhook& next = disabled->first;
  // From now on its events are paused; an enable's replay starts from here. If this fails, an endpoint never
  // enabled through hookd still has its events paused; one enabled before has them scheduled, dead-lettered
  // ("the endpoint is disabled") and brought back by an enable's replay of failed deliveries.
  if (Status marked = co_await deliveries_.mark_disabled(next.environment_id, webhook_id, now); !marked.ok())
    log::warn("dispatch.mark_disabled_failed",
              {{"webhook_id", webhook_id}, {"error", marked.error().message}});
  dispatch_stats().disabled.inc();
  log::warn("dispatch.endpoint_disabled", {{"webhook_id", webhook_id}, {"reason", next.disabled_reason}});
  co_await announce_disabled(next, now);
}

namespace {

constexpr int kNoticeRecordTries = 5;
constexpr std::chrono::milliseconds kNoticeRetryFirst{500};
constexpr std::chrono::milliseconds kNoticeRetryMax{std::chrono::seconds(60)};

}  // namespace

awaitable<void> Dispatcher::announce_disabled(const store::Webhook& endpoint, int64_t disabled_at) {
  json::ObjectBuilder payload;
  payload.set("webhook_id", endpoint.id)
      .set("target_url", endpoint.target_url)
      .set("reason", endpoint.disabled_reason);
  Event e = make_event("webhook:disabled", endpoint.environment_id, std::move(payload).build());
  // Stable: the same disable announced again (a retry, a second dispatcher's sweep) is the same event.
  e.id = ids::uuid_from_name("webhook:disabled/" + endpoint.id + "/" + std::to_string(disabled_at));
  e.created_at = disabled_at;
  Notice n{e.id,
           endpoint.environment_id,
           e.type,
           endpoint.id,
           endpoint.target_url,
           endpoint.disabled_reason,
           disabled_at,
           0,
           serialize_event(e)};
  Status recorded;
  for (int tries = 1;; ++tries) {
    recorded = co_await notices_.record(n, options_.event_retention);
    if (recorded.ok() || tries == kNoticeRecordTries || stopping_) break;
    co_await pause(kStoreRetry);
  }
  // Published even when it could not be recorded: the environment is told now, only not durably.
  if (!recorded.ok())
    log::error("dispatch.notice_not_recorded",
               {{"webhook_id", endpoint.id}, {"error", recorded.error().message}});
  asio::co_spawn(ex_, publish_notice(std::move(n)), asio::detached);
}

awaitable<void> Dispatcher::publish_notice(Notice n) {
  auto self = shared_from_this();
  std::chrono::milliseconds wait = kNoticeRetryFirst;
  for (;;) {
    bus::OutgoingMessage m{n.environment_id, n.event_json, {}};
    error_code ec = co_await producer_->publish(m);
    if (!ec) break;
    dispatch_stats().notice_publish_failed.inc();
    log::warn("dispatch.notice_not_published",
              {{"notice_id", n.id}, {"webhook_id", n.webhook_id}, {"error", ec.message()}});
    if (stopping_) co_return;  // still recorded as unpublished: the next dispatcher's sweep publishes it
    co_await pause(wait);
    wait = std::min(wait * 2, kNoticeRetryMax);
  }
  // If this fails the notice stays listed as unpublished and a later sweep publishes it again: harmless.
  if (Status s = co_await notices_.mark_published(n, clock::now_millis()); !s.ok())
    log::warn("dispatch.notice_not_marked", {{"notice_id", n.id}, {"error", s.error().message}});
}

awaitable<void> Dispatcher::sweep_notices() {
  auto self = shared_from_this();
  auto pending = co_await notices_.unpublished();
  if (!pending.ok()) {
    log::warn("dispatch.notice_sweep_failed", {{"error", pending.error().message}});
    co_return;
  }
  for (auto& n : *pending) {
    log::info("dispatch.notice_republished", {{"notice_id", n.id}, {"webhook_id", n.webhook_id}});
    asio::co_spawn(ex_, publish_notice(std::move(n)), asio::detached);
  }
}

}  // namespace hookd::dispatch
