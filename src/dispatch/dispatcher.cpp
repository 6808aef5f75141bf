#include "dispatch/dispatcher.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "dispatch/signer.h"

namespace hookd::dispatch {

namespace {

struct DispatchStats {
  metrics::Counter& delivered = metrics::registry().counter(
      "hookd_dispatch_attempts_total", "Delivery attempts by outcome.", "outcome=\"delivered\"");
  metrics::Counter& failed = metrics::registry().counter(
      "hookd_dispatch_attempts_total", "Delivery attempts by outcome.", "outcome=\"failed\"");
  metrics::Counter& dead_lettered = metrics::registry().counter("hookd_dispatch_dead_lettered_total",
                                                                "Deliveries that exhausted their attempts.");
  metrics::Counter& disabled = metrics::registry().counter("hookd_dispatch_endpoints_disabled_total",
                                                           "Endpoints disabled after failing.");
  metrics::Counter& scheduled = metrics::registry().counter("hookd_dispatch_deliveries_scheduled_total",
                                                            "Deliveries created from events.");
  metrics::Counter& malformed = metrics::registry().counter("hookd_dispatch_malformed_events_total",
                                                            "Kafka records that were not events.");
  metrics::Histogram& latency =
      metrics::registry().histogram("hookd_dispatch_attempt_seconds", "Time of one delivery attempt.");
};

DispatchStats& stats() {
  static DispatchStats s;
  return s;
}

constexpr std::chrono::milliseconds kStoreRetry{500};

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor ex, store::Store& store,
                       std::shared_ptr<http::ClientPool> client, std::shared_ptr<bus::Producer> producer,
                       DispatchOptions options)
    : ex_(ex),
      store_(store),
      client_(std::move(client)),
      producer_(std::move(producer)),
      options_(std::move(options)),
      deliveries_(store_, options_),
      policy_(options_),
      scheduler_strand_(asio::make_strand(ex)),
      wake_timer_(scheduler_strand_) {}

Status Dispatcher::start(const bus::KafkaOptions& kafka, const bus::ConsumerOptions& consumer_options) {
  auto consumer = bus::Consumer::create(
      ex_, kafka, consumer_options, [self = weak_from_this()](std::shared_ptr<const bus::ConsumedMessage> m) {
        if (auto s = self.lock()) s->on_message(std::move(m));
      });
  if (!consumer.ok()) return consumer.error();
  consumer_ = *consumer;
  consumer_->start();
  asio::co_spawn(scheduler_strand_, scheduler(), asio::detached);
  return {};
}

void Dispatcher::stop() {
  stopping_ = true;
  asio::post(scheduler_strand_, [self = shared_from_this()] { self->wake_timer_.cancel(); });
  if (consumer_) consumer_->close();
}

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

void Dispatcher::on_message(std::shared_ptr<const bus::ConsumedMessage> message) {
  asio::co_spawn(ex_, fan_out(std::move(message)), asio::detached);
}

awaitable<void> Dispatcher::fan_out(std::shared_ptr<const bus::ConsumedMessage> message) {
  auto self = shared_from_this();
  auto event = parse_event(message->value);
  if (!event.ok()) {
    // Nothing can ever deliver it; keeping it would block its partition's offsets forever.
    stats().malformed.inc();
    log::error("dispatch.malformed_event", {{"partition", message->partition},
                                            {"offset", json::Value(message->offset)},
                                            {"error", event.error().message}});
    consumer_->done(*message);
    co_return;
  }
  // Until Redis answers, the message stays unfinished (and its offset uncommitted): nothing is dropped.
  for (;;) {
    auto webhooks = co_await store_.list_webhooks(event->environment_id);
    if (webhooks.ok()) {
      std::vector<std::string> targets;
      for (const auto& w : *webhooks) {
        // An endpoint gets the events that happen after it was registered, not ones still in flight before.
        bool subscribed = w.is_active && w.wants(event->type) && w.created_at <= event->created_at;
        if (event->target_webhook_id.empty() ? subscribed : w.id == event->target_webhook_id)
          targets.push_back(w.id);
      }
      if (targets.empty()) break;
      auto created = co_await deliveries_.schedule(*event, message->value, targets);
      if (created.ok()) {
        stats().scheduled.inc(created->size());
        log::debug("dispatch.scheduled",
                   {{"event_id", event->id}, {"deliveries", json::Value(created->size())}});
        break;
      }
      log::warn("dispatch.schedule_failed", {{"event_id", event->id}, {"error", created.error().message}});
    } else {
      log::warn("dispatch.endpoints_unavailable",
                {{"event_id", event->id}, {"error", webhooks.error().message}});
    }
    if (stopping_) co_return;  // unfinished: the next consumer gets it again
    co_await pause(kStoreRetry);
  }
  consumer_->done(*message);
  wake();
}

awaitable<void> Dispatcher::scheduler() {
  auto self = shared_from_this();
  std::string claim_prefix = ids::uuid_v4();
  uint64_t round = 0;
  while (!stopping_) {
    wake_pending_ = false;
    size_t in_flight = in_flight_.load(std::memory_order_relaxed);
    if (in_flight < options_.max_concurrent_attempts) {
      std::string claim = claim_prefix + ":" + std::to_string(++round);
      auto ids = co_await deliveries_.claim_due(clock::now_millis(),
                                                options_.max_concurrent_attempts - in_flight, claim);
      if (!ids.ok()) {
        log::warn("dispatch.claim_failed", {{"error", ids.error().message}});
      } else {
        for (auto& id : *ids) {
          in_flight_.fetch_add(1, std::memory_order_relaxed);
          asio::co_spawn(ex_, attempt(std::move(id), claim), asio::detached);
        }
        // A full batch means more may be due: go again without waiting.
        if (ids->size() == options_.max_concurrent_attempts - in_flight && !ids->empty()) continue;
      }
    }
    if (wake_pending_) continue;
    wake_timer_.expires_after(options_.poll_interval);
    error_code ec;
    co_await wake_timer_.async_wait(redirect(ec));
  }
}

awaitable<void> Dispatcher::attempt(std::string delivery_id, std::string claim) {
  auto self = shared_from_this();
  struct Done {
    Dispatcher* d;
    ~Done() {
      if (d->in_flight_.fetch_sub(1, std::memory_order_relaxed) == d->options_.max_concurrent_attempts)
        d->wake();
    }
  } done{this};

  auto d = co_await deliveries_.get(delivery_id);
  if (!d.ok()) {
    log::warn("dispatch.delivery_unreadable", {{"delivery_id", delivery_id}, {"error", d.error().message}});
    co_return;  // the lease expires and it is tried again
  }
  if (d->claim != claim) co_return;  // claimed again after our lease ran out: the other claimer owns it

  auto webhook = co_await store_.get_webhook(d->webhook_id);
  if (!webhook.ok()) {
    if (webhook.error().code == "not_found")
      (void)co_await deliveries_.fail_without_attempt(*d, claim, "the endpoint was deleted");
    co_return;
  }
  if (!webhook->is_active) {
    (void)co_await deliveries_.fail_without_attempt(*d, claim, "the endpoint is disabled");
    co_return;
  }
  auto stored = co_await deliveries_.event_json(d->event_id);
  if (!stored.ok()) {
    if (stored.error().code == "not_found")
      (void)co_await deliveries_.fail_without_attempt(*d, claim, "the event has expired");
    co_return;
  }
  auto event = parse_event(*stored);
  if (!event.ok()) {
    (void)co_await deliveries_.fail_without_attempt(*d, claim, "the stored event is malformed");
    co_return;
  }

  int64_t now = clock::now_millis();
  http::ClientRequest req;
  req.url = webhook->target_url;
  req.body = json::dump(envelope(*event, webhook->id));
  std::string_view previous = webhook->previous_secret_expires_at > now
                                  ? std::string_view(webhook->previous_secret)
                                  : std::string_view();
  SignedHeaders sig = sign(req.body, event->id, now / 1000, webhook->secret, previous);
  req.headers = {{"Content-Type", "application/json"},
                 {"X-Truto-Signature", std::move(sig.truto_signature)},
                 {"webhook-id", std::move(sig.webhook_id)},
                 {"webhook-timestamp", std::move(sig.webhook_timestamp)},
                 {"webhook-signature", std::move(sig.webhook_signature)},
                 {"X-Hookd-Delivery-Id", d->id},
                 {"X-Hookd-Attempt", std::to_string(d->attempts + 1)}};
  if (d->replays > 0) req.headers.emplace_back("X-Hookd-Replay", "true");

  http::ClientResult res = co_await client_->send(std::move(req));
  bool delivered = res.ok() && res.status >= 200 && res.status < 300;

  Attempt a;
  a.number = d->attempts + 1;
  a.started_at = now;
  a.status_code = static_cast<int>(res.status);
  a.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(res.latency).count();
  a.replay = d->replays > 0;
  a.response = res.body.substr(0, options_.response_snippet_bytes);
  if (!res.ok()) {
    a.error = std::string(http::to_string(res.error)) + ": " + res.error_message;
    if (!res.error_detail.empty())
      log::warn("delivery.target_refused",
                {{"delivery_id", d->id}, {"webhook_id", d->webhook_id}, {"detail", res.error_detail}});
  } else if (!delivered)
    a.error = "endpoint answered " + std::to_string(res.status);
  stats().latency.observe(std::chrono::duration<double>(res.latency).count());
  (delivered ? stats().delivered : stats().failed).inc();

  int64_t next_due = 0;
  if (!delivered)
    if (auto delay = policy_.next_delay(d->round_attempts() + 1))
      next_due = clock::now_millis() + delay->count();

  auto recorded = co_await deliveries_.record(*d, claim, a, delivered, next_due);
  if (!recorded.ok()) {
    // Sent but not recorded: the lease expires and it is sent again (at least once; same event id).
    log::error("dispatch.record_failed", {{"delivery_id", d->id}, {"error", recorded.error().message}});
    co_return;
  }
  if (recorded->lost_claim) {
    log::warn("dispatch.claim_lost", {{"delivery_id", d->id}});
    co_return;
  }
  log::info("dispatch.attempt", {{"delivery_id", d->id},
                                 {"event_id", d->event_id},
                                 {"webhook_id", d->webhook_id},
                                 {"attempt", a.number},
                                 {"status_code", a.status_code},
                                 {"latency_ms", json::Value(a.latency_ms)},
                                 {"outcome", json::Value(to_string(recorded->status))},
                                 {"error", a.error.empty() ? json::Value() : json::Value(a.error)}});
  if (recorded->status == DeliveryStatus::failed) {
    stats().dead_lettered.inc();
    log::warn("dispatch.dead_lettered", {{"delivery_id", d->id}, {"webhook_id", d->webhook_id}});
  }
  if (recorded->disable_endpoint) co_await disable_endpoint(d->webhook_id);
}

awaitable<void> Dispatcher::disable_endpoint(const std::string& webhook_id) {
  std::string reason =
      "disabled after failing continuously for at least " +
      std::to_string(std::chrono::duration_cast<std::chrono::minutes>(options_.disable_after).count()) +
      " minutes and " + std::to_string(options_.disable_after_failures) + " attempts";
  // One atomic change of the record, so that an admin's concurrent PATCH is kept, not overwritten.
  auto disabled = co_await store_.disable_webhook(webhook_id, reason, clock::now_millis());
  if (!disabled.ok()) {
    if (disabled.error().code != "not_found")
      log::error("dispatch.disable_failed",
                 {{"webhook_id", webhook_id}, {"error", disabled.error().message}});
    co_return;
  }
  if (!disabled->second) co_return;  // inactive already
  const store::Webhook& next = disabled->first;
  stats().disabled.inc();
  log::warn("dispatch.endpoint_disabled", {{"webhook_id", webhook_id}, {"reason", next.disabled_reason}});
  json::ObjectBuilder payload;
  payload.set("webhook_id", webhook_id)
      .set("target_url", next.target_url)
      .set("reason", next.disabled_reason);
  Event e = make_event("webhook:disabled", next.environment_id, std::move(payload).build());
  bus::OutgoingMessage m{next.environment_id, serialize_event(e), {}};
  if (error_code ec = co_await producer_->publish(m))
    log::warn("dispatch.disabled_event_not_published", {{"webhook_id", webhook_id}, {"error", ec.message()}});
}

}  // namespace hookd::dispatch
