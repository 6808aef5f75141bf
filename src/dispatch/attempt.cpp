// The three phases of a delivery attempt (dispatch/attempt.h), as members of the Dispatcher that owns the
// store, the client and the retry policy.
#include "dispatch/attempt.h"

#include <span>

#include "core/clock.h"
#include "core/log.h"
#include "dispatch/dispatch_stats.h"
#include "dispatch/dispatcher.h"
#include "dispatch/signer.h"

namespace hookd::dispatch {

namespace {

// Recording a sent attempt again after Redis failed it: first after this, then twice as long each time, up to
// the most.
constexpr std::chrono::milliseconds kRecordRetryFirst{100};
constexpr std::chrono::milliseconds kRecordRetryMax{2'000};

http::ClientRequest signed_request(const Delivery& d, const store::Webhook& webhook,
                                   const EventRecord& record, int64_t now) {
  const Event& event = record.header;
  http::ClientRequest req;
  req.url = webhook.target_url;
  req.body = envelope_json(record, webhook.id);
  std::string_view previous = webhook.previous_secret_expires_at > now
                                  ? std::string_view(webhook.previous_secret)
                                  : std::string_view();
  SignedHeaders sig = sign(req.body, event.id, now / 1000, webhook.secret, previous);
  req.headers = {{"Content-Type", "application/json"},
                 {"X-Truto-Signature", std::move(sig.truto_signature)},
                 {"webhook-id", std::move(sig.webhook_id)},
                 {"webhook-timestamp", std::move(sig.webhook_timestamp)},
                 {"webhook-signature", std::move(sig.webhook_signature)},
                 {"X-Hookd-Delivery-Id", d.id},
                 {"X-Hookd-Attempt", std::to_string(d.attempts + 1)}};
  if (d.replays > 0) req.headers.emplace_back("X-Hookd-Replay", "true");
  return req;
}

}  // namespace

awaitable<Preparation> Dispatcher::prepare(const ClaimedDelivery& claimed, const std::string& claim) {
  auto d = co_await deliveries_.get(claimed.shard, claimed.id);
  if (!d.ok()) {
    log::warn("dispatch.delivery_unreadable", {{"delivery_id", claimed.id}, {"error", d.error().message}});
    co_return Abandoned{};  // the lease expires and it is tried again
  }
  if (d->claim != claim)
    co_return Abandoned{};  // claimed again after our lease ran out: the other claimer owns it

  auto webhook = co_await endpoint(d->webhook_id);
  if (!webhook.ok()) {
    if (webhook.error().code == store::StoreErrc::not_found)
      co_return Unsendable{std::move(d).value(), "the endpoint was deleted"};
    co_return Abandoned{};
  }
  if (!webhook->is_active) co_return Unsendable{std::move(d).value(), "the endpoint is disabled"};
  auto stored = co_await deliveries_.event_json(d->environment_id, d->event_id);
  if (!stored.ok()) {
    if (stored.error().code == store::StoreErrc::not_found)
      co_return Unsendable{std::move(d).value(), "the event has expired"};
    co_return Abandoned{};
  }
  auto event = read_event_record(*stored);
  if (!event.ok()) co_return Unsendable{std::move(d).value(), "the stored event is malformed"};

  int64_t now = clock::now_millis();
  http::ClientRequest request = signed_request(*d, *webhook, *event, now);
  co_return PreparedAttempt{std::move(d).value(), std::move(request), now};
}

awaitable<void> Dispatcher::first_attempt(std::string delivery_id,
                                          std::shared_ptr<const std::vector<store::Webhook>> endpoints,
                                          size_t position, std::shared_ptr<const ConsumedEvent> consumed,
                                          std::string claim) {
  auto self = shared_from_this();
  InFlight done{this};  // the slot fan_out reserved
  LeaseKeeper::Hold lease =
      leases_.hold(DeliveryStore::shard_of(consumed->record.header.environment_id), delivery_id, claim);
  const store::Webhook& webhook = (*endpoints)[position];
  const EventRecord& event = consumed->record;
  // The delivery as the schedule script created it: pending, no attempt yet, leased to `claim`.
  Delivery d;
  d.id = std::move(delivery_id);
  d.event_id = event.header.id;
  d.webhook_id = webhook.id;
  d.environment_id = event.header.environment_id;
  d.event_type = event.header.type;
  d.claim = claim;
  if (webhook.ordered()) d.lane = event.header.integrated_account_id;
  int64_t now = clock::now_millis();
  d.created_at = d.updated_at = d.next_attempt_at = now;
  bool admitted = co_await admit(d, claim);
  if (!admitted) co_return;
  http::ClientRequest request = signed_request(d, webhook, event, now);
  PreparedAttempt prepared{std::move(d), std::move(request), now};
  SentAttempt sent = co_await send(prepared);
  flow_finished(prepared.delivery, sent);
  co_await record(prepared, claim, sent);
}

awaitable<void> Dispatcher::deliver_first(std::shared_ptr<const std::vector<store::Webhook>> endpoints,
                                          size_t position, std::shared_ptr<const ConsumedEvent> consumed,
                                          std::shared_ptr<EventDone> done) {
  auto self = shared_from_this();
  InFlight slot{this};  // the slot fan_out reserved
  const store::Webhook& webhook = (*endpoints)[position];
  const EventRecord& event = consumed->record;
  const Event& e = event.header;
  const bus::ConsumedMessage& message = *consumed->message;
  int64_t now = clock::now_millis();
  if (!admit_first(webhook.id, now)) {
    // Not now: to the schedule, due now, where the scheduler's attempt is deferred like any other.
    const std::string* target = &webhook.id;
    for (;;) {
      auto created = co_await deliveries_.schedule(e, message.value, std::span(target, 1));
      if (created.ok()) {
        co_await raise_mark(e, message);
        dispatch_stats().scheduled.inc(created->size());
        if (!created->empty()) done->wake_scheduler();
        co_return;
      }
      log::warn("dispatch.schedule_failed", {{"event_id", e.id}, {"error", created.error().message}});
      if (stopping_) {
        done->abandon();
        co_return;
      }
      co_await pause(kRecordRetryFirst);
    }
  }
  // The delivery as record_first will create it: no attempt yet, nobody's claim.
  Delivery d;
  d.id = DeliveryStore::delivery_id(e.id, webhook.id);
  d.event_id = e.id;
  d.webhook_id = webhook.id;
  d.environment_id = e.environment_id;
  d.event_type = e.type;
  d.created_at = d.updated_at = d.next_attempt_at = now;
  http::ClientRequest request = signed_request(d, webhook, event, now);
  PreparedAttempt prepared{std::move(d), std::move(request), now};
  SentAttempt sent = co_await send(prepared);
  flow_finished(prepared.delivery, sent);
  const KafkaPosition from{message.topic, message.partition, message.offset};
  auto record_it = [&] {
    return deliveries_.record_first(e, message.value, webhook.id, now, sent.attempt, sent.delivered,
                                    sent.next_due, from);
  };
  auto result = co_await record_it();
  // Sent but not recorded (Redis away): tried again until it is, the message unfinished meanwhile (and so the
  // slot taken: a node that cannot record stops consuming). Stopping, it is left to the next consumer, which
  // sends it again (at least once; same event id).
  std::chrono::milliseconds wait = kRecordRetryFirst;
  while (!result.ok()) {
    log::warn("dispatch.record_retry",
              {{"delivery_id", prepared.delivery.id}, {"error", result.error().message}});
    if (stopping_) {
      log::error("dispatch.record_failed",
                 {{"delivery_id", prepared.delivery.id}, {"error", result.error().message}});
      done->abandon();
      co_return;
    }
    co_await pause(wait);
    wait = std::min<std::chrono::milliseconds>(wait * 2, kRecordRetryMax);
    result = co_await record_it();
  }
  if (result->existed) {
    // Consumed twice, and recorded by the other consumer first: this attempt was one more.
    dispatch_stats().first_attempts_repeated.inc();
    log::info("dispatch.first_attempt_repeated",
              {{"delivery_id", prepared.delivery.id}, {"event_id", e.id}, {"webhook_id", webhook.id}});
    co_return;
  }
  dispatch_stats().scheduled.inc();
  co_await recorded(prepared.delivery, sent, *result);
}

awaitable<SentAttempt> Dispatcher::send(PreparedAttempt& p) {
  const Delivery& d = p.delivery;
  http::ClientResult res = co_await client_->send(std::move(p.request));
  SentAttempt sent;
  sent.delivered = res.ok() && res.status >= 200 && res.status < 300;
  Attempt& a = sent.attempt;
  a.number = d.attempts + 1;
  a.started_at = p.started_at;
  a.status_code = static_cast<int>(res.status);
  a.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(res.latency).count();
  a.replay = d.replays > 0;
  a.response = res.body.substr(0, options_.response_snippet_bytes);
  if (!res.ok()) {
    a.error = std::string(http::to_string(res.error)) + ": " + res.error_message;
    if (!res.error_detail.empty())
      log::warn("delivery.target_refused",
                {{"delivery_id", d.id}, {"webhook_id", d.webhook_id}, {"detail", res.error_detail}});
  } else if (!sent.delivered) {
    a.error = "endpoint answered " + std::to_string(res.status);
  }
  dispatch_stats().latency.observe(std::chrono::duration<double>(res.latency).count());
  (sent.delivered ? dispatch_stats().delivered : dispatch_stats().failed).inc();
  if (!sent.delivered) {
    int64_t now = clock::now_millis();
    Failure failure = classify_failure(res.status, res.error == http::ClientErrorKind::timeout,
                                       res.header("Retry-After"), now);
    if (failure.retry_after)
      a.error += " (Retry-After " + std::to_string((failure.retry_after->count() + 999) / 1000) + " s)";
    sent.endpoint_gone = failure.kind == FailureKind::gone && options_.disable_on_gone;
    sent.throttled = failure.kind == FailureKind::throttled;
    if (auto delay = policy_.next_delay(d.round_attempts() + 1, failure))
      sent.next_due = now + delay->count();
  }
  co_return sent;
}

awaitable<void> Dispatcher::record(const PreparedAttempt& p, const std::string& claim,
                                   const SentAttempt& sent) {
  const Delivery& d = p.delivery;
  const Attempt& a = sent.attempt;
  auto recorded = co_await deliveries_.record(d, claim, a, sent.delivered, sent.next_due);
  // Sent but not recorded (Redis away): tried again for as long as a lease lasts, the lease being renewed
  // meanwhile once Redis is back. Recording late is better than sending again; the claim check in the script
  // refuses it if another dispatcher took the delivery meanwhile.
  const int64_t give_up = clock::now_millis() + options_.lease.count();
  std::chrono::milliseconds wait = kRecordRetryFirst;
  while (!recorded.ok() && clock::now_millis() < give_up) {
    log::warn("dispatch.record_retry", {{"delivery_id", d.id}, {"error", recorded.error().message}});
    co_await pause(wait);
    wait = std::min<std::chrono::milliseconds>(wait * 2, kRecordRetryMax);
    recorded = co_await deliveries_.record(d, claim, a, sent.delivered, sent.next_due);
  }
  if (!recorded.ok()) {
    // Not recorded: the lease runs out and it is sent again (at least once; same event id).
    log::error("dispatch.record_failed", {{"delivery_id", d.id}, {"error", recorded.error().message}});
    co_return;
  }
  if (recorded->lost_claim) {
    log::warn("dispatch.claim_lost", {{"delivery_id", d.id}});
    co_return;
  }
  co_await this->recorded(d, sent, *recorded);
}

awaitable<void> Dispatcher::recorded(const Delivery& d, const SentAttempt& sent, const RecordResult& result) {
  const Attempt& a = sent.attempt;
  // A failed attempt is worth a line at info; a delivered one only at debug (one synchronous line per delivery
  // at 20,000 deliveries/s would be 20,000 writes to stderr a second; hookd_dispatch_* metrics count them).
  log::Level level = sent.delivered ? log::Level::debug : log::Level::info;
  if (log::enabled(level))
    log::write(level, "dispatch.attempt",
               {{"delivery_id", d.id},
                {"event_id", d.event_id},
                {"webhook_id", d.webhook_id},
                {"attempt", a.number},
                {"status_code", a.status_code},
                {"latency_ms", json::Value(a.latency_ms)},
                {"outcome", json::Value(to_string(result.status))},
                {"error", a.error.empty() ? json::Value() : json::Value(a.error)}});
  if (result.order_skipped) {
    dispatch_stats().order_skipped.inc();
    log::warn("dispatch.order_skipped",
              {{"delivery_id", d.id}, {"webhook_id", d.webhook_id}, {"lane", d.lane}});
  }
  if (result.status == DeliveryStatus::failed) {
    dispatch_stats().dead_lettered.inc();
    log::warn("dispatch.dead_lettered", {{"delivery_id", d.id}, {"webhook_id", d.webhook_id}});
  }
  if (sent.endpoint_gone) {
    std::string reason = "the endpoint answered 410 Gone";
    co_await disable_endpoint(d.webhook_id, std::move(reason));
  } else if (result.disable_endpoint)
    co_await disable_endpoint(d.webhook_id);
}

}  // namespace hookd::dispatch
