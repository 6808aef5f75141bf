// The method check (a request other than POST that nothing answered and that carries no event is a 405), and the
// last stage: store the context update, publish the events, answer only after Kafka has acknowledged them (with
// the integration's accept_response when it has one).
//
// De-duplication, when the integration names the vendor's delivery id (webhook.delivery_id) and the request
// has one: it is read here, after the signature check, so an unauthenticated request never reaches the
// ledger. A delivery id published within its window is answered as the first time (the same event ids, or
// accept_response) and nothing is published; otherwise the events are published and, only once Kafka
// acknowledged them, the id is remembered for the window (not awaited: no second round trip before the
// answer). A failed publish leaves nothing behind: the vendor's retry is published. When the ledger cannot be
// read (Redis down), the events are published anyway: their ids derive from the delivery id, and the
// dispatcher makes at most one delivery per (event id, endpoint), so customers still get each event once.
#include "core/log.h"
#include "core/metrics.h"
#include "ingest/event_builder.h"
#include "ingest/pipeline.h"
#include "ingest/reply.h"

namespace hookd::ingest {

namespace {

using http::error_response;
using http::Status;

struct DedupeStats {
  metrics::Counter& duplicates = metrics::registry().counter(
      "hookd_ingest_duplicates_total",
      "Vendor requests answered as a repeat of a delivery id already published (nothing published).");
  metrics::Counter& lookup_failures = metrics::registry().counter(
      "hookd_ingest_dedupe_failures_total", "De-duplication ledger errors by step (the request went on).",
      "step=\"lookup\"");
};

DedupeStats& dedupe_stats() {
  static DedupeStats s;
  return s;
}

// The vendor's delivery id the integration names, or "" (none configured, absent, not a string or number,
// or the expression failed: then the request is handled as without the setting).
std::string read_delivery_id(const IngestState& s, const ExpressionLimits& limits) {
  const DeliveryIdSpec& spec = *s.config->delivery_id;
  if (!spec.header.empty()) return std::string(s.headers.get(spec.header).string_or(""));
  auto v = spec.expression->evaluate(s.context, limits);
  if (!v.ok()) {
    log::warn("ingest.delivery_id_failed", {{"account_id", s.account_id}, {"error", v.error().message}});
    return {};
  }
  if (v->is_string()) return std::string(v->as_string());
  std::string text;
  if (v->is_number()) json::write_number(text, v->as_number());
  return text;
}

// The events a remembered summary names (id and type: all an answer shows).
std::vector<Event> events_from_summary(std::string_view summary) {
  std::vector<Event> events;
  json::Value v;
  if (!json::parse(summary, v) || !v.is_array()) return events;
  for (const json::Value& e : v.as_array()) {
    Event event;
    event.id = e.get("id").string_or("");
    event.type = e.get("event").string_or("");
    events.push_back(std::move(event));
  }
  return events;
}

// Every method runs the chain, so that handle_verification can answer GET and HEAD challenges; a request other
// than POST that it did not answer and that carries no event is not a webhook: 405, before its signature is
// looked at (a GET to a signed integration is a wrong method, not a forgery).
class MethodStage final : public Stage {
 public:
  std::string_view name() const override { return "method"; }
  awaitable<StageStatus> run(IngestState& s) override {
    if (s.http.request.method() == http::Verb::post) co_return StageStatus::proceed;
    EventSource source{s.resolved.account, s.resolved.integration, s.headers, s.body,
                       s.transformed,      s.http.request.body()};
    if (makes_record_events(source)) co_return StageStatus::proceed;
    s.response = method_not_allowed(s.http.request.method_string());
    co_return StageStatus::stop;
  }
};

class PublishStage final : public Stage {
 public:
  PublishStage(AccountResolver& resolver, std::shared_ptr<EventPublisher> publisher,
               const IngestOptions& options)
      : resolver_(resolver), publisher_(std::move(publisher)), options_(options) {}
  std::string_view name() const override { return "publish"; }

  awaitable<StageStatus> run(IngestState& s) override {
    if (s.config->delivery_id) {
      s.vendor_delivery_id = read_delivery_id(s, options_.expression_limits);
      if (!s.vendor_delivery_id.empty() && co_await answered_as_duplicate(s)) co_return StageStatus::stop;
    }
    EventSource source{s.resolved.account, s.resolved.integration, s.headers,           s.body,
                       s.transformed,      s.http.request.body(),  s.vendor_delivery_id};
    // The signature held: the update a `payload` verification asked for can be trusted now.
    if (s.update_context.is_object()) {
      auto merged = co_await resolver_.merge_account_context(s.account_id, s.update_context);
      if (!merged.ok()) {
        s.response = error_response(Status::service_unavailable, "service_unavailable",
                                    "could not store update_context: " + merged.error().message);
        co_return StageStatus::stop;
      }
    }
    // Limits first, so that nothing of a request that breaks one is published (all or nothing).
    if (size_t n = count_record_events(source); n > options_.max_events_per_request) {
      s.response = error_response(Status::payload_too_large, "too_many_events",
                                  "the request makes " + std::to_string(n) + " events; at most " +
                                      std::to_string(options_.max_events_per_request) +
                                      " are accepted per request (HOOKD_MAX_EVENTS_PER_REQUEST)");
      co_return StageStatus::stop;
    }
    s.events = build_record_events(source);
    std::vector<bus::OutgoingMessage> messages;
    messages.reserve(s.events.size());
    for (const Event& e : s.events) {
      messages.push_back(
          {e.integrated_account_id, serialize_event(e), {{"event", e.type}, {"event_id", e.id}}});
      if (size_t bytes = messages.back().value.size(); bytes > options_.max_event_bytes) {
        s.response =
            error_response(Status::payload_too_large, "event_too_large",
                           "an event of this request is " + std::to_string(bytes) +
                               " bytes once normalized; Kafka takes at most " +
                               std::to_string(options_.max_event_bytes) + " (HOOKD_KAFKA_MAX_MESSAGE_BYTES)");
        s.events.clear();
        co_return StageStatus::stop;
      }
    }

    s.positions.resize(messages.size());
    std::span<bus::MessagePosition> positions(s.positions);
    if (error_code ec = co_await publisher_->publish(messages, positions)) {
      s.verdict = "publish_failed";
      if (ec == bus::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)) {
        // The broker's topic takes less than this producer may send: a retry cannot succeed.
        log::warn("ingest.event_too_large", {{"account_id", s.account_id}, {"error", ec.message()}});
        s.response =
            error_response(Status::payload_too_large, "event_too_large",
                           "Kafka refused an event of this request as too large (" + ec.message() + ")");
        co_return StageStatus::stop;
      }
      // Nothing is acknowledged that Kafka has not: the vendor retries.
      log::warn("ingest.publish_failed", {{"account_id", s.account_id}, {"error", ec.message()}});
      s.response = error_response(Status::service_unavailable, "service_unavailable",
                                  "the event could not be stored (" + ec.message() + "); retry later");
      s.response->set(bhttp::field::retry_after, "5");
      co_return StageStatus::stop;
    }
    if (!s.vendor_delivery_id.empty()) remember(s);
    s.response =
        s.config->accept_response ? build_reply(*s.config->accept_response) : accepted_response(s.events);
    // Debug, not info: one synchronous log line per accepted webhook cost more than the signature check;
    // hookd_ingest_requests_total counts them.
    log::debug("ingest.accepted", {{"account_id", s.account_id},
                                   {"integration", s.resolved.integration.name},
                                   {"events", json::Value(s.events.size())}});
    co_return StageStatus::stop;
  }

 private:
  // A hit answers the request as the first time was answered; a ledger error lets it go on (see the top).
  awaitable<bool> answered_as_duplicate(IngestState& s) {
    auto seen = co_await resolver_.find_delivery(s.account_id, s.vendor_delivery_id);
    if (!seen.ok()) {
      dedupe_stats().lookup_failures.inc();
      log::warn("ingest.dedupe_lookup_failed",
                {{"account_id", s.account_id}, {"error", seen.error().message}});
      co_return false;
    }
    if (!*seen) co_return false;
    dedupe_stats().duplicates.inc();
    s.events = events_from_summary(**seen);
    s.verdict = "duplicate";
    s.response =
        s.config->accept_response ? build_reply(*s.config->accept_response) : accepted_response(s.events);
    log::debug("ingest.duplicate",
               {{"account_id", s.account_id}, {"vendor_delivery_id", s.vendor_delivery_id}});
    co_return true;
  }

  // After Kafka's ack; the answer does not wait for the write (ports.h). Not remembering costs at most a
  // republish of the same ids, so the vendor gets its 2xx either way (the events are durable).
  void remember(IngestState& s) {
    std::chrono::seconds window = s.config->delivery_id->window.value_or(options_.dedupe_window);
    resolver_.remember_delivery(s.account_id, s.vendor_delivery_id, json::dump(event_summaries(s.events)),
                                window);
  }

  AccountResolver& resolver_;
  std::shared_ptr<EventPublisher> publisher_;
  const IngestOptions& options_;
};

}  // namespace

http::Response method_not_allowed(std::string_view method) {
  http::Response res = error_response(Status::method_not_allowed, "method_not_allowed",
                                      std::string(method) +
                                          " is answered only when the integration's handle_verification "
                                          "answers it (a verification challenge) "
                                          "or it carries an event; webhooks are POSTed");
  res.set(bhttp::field::allow, kWebhookMethods);
  return res;
}

json::Value event_summaries(const std::vector<Event>& events) {
  std::vector<json::Value> summaries;
  summaries.reserve(events.size());
  for (const Event& e : events) {
    json::ObjectBuilder b;
    b.set("id", e.id).set("event", e.type);
    summaries.push_back(std::move(b).build());
  }
  return json::Value::array(std::move(summaries));
}

http::Response accepted_response(const std::vector<Event>& events,
                                 const std::vector<std::string>& account_ids) {
  json::ObjectBuilder body;
  body.set("status", "accepted");
  if (!account_ids.empty()) {
    std::vector<json::Value> ids(account_ids.begin(), account_ids.end());
    body.set("integrated_account_ids", json::Value::array(std::move(ids)));
  }
  body.set("events", event_summaries(events));
  return http::json_response(http::Status::ok, std::move(body).build());
}

std::unique_ptr<Stage> make_method_stage() {
  return std::make_unique<MethodStage>();
}

std::unique_ptr<Stage> make_publish_stage(AccountResolver& resolver,
                                          std::shared_ptr<EventPublisher> publisher,
                                          const IngestOptions& options) {
  return std::make_unique<PublishStage>(resolver, std::move(publisher), options);
}

}  // namespace hookd::ingest
