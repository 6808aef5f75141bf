#include "ingest/ports.h"

#include <atomic>

#include "core/log.h"
#include "core/metrics.h"

#include "store/keys.h"

namespace hookd::ingest {

awaitable<Status> AccountResolver::merge_account_context_if(std::string_view account_id,
                                                            const json::Value& patch,
                                                            const ContextGuard& guard) {
  auto resolved = co_await resolve_account(account_id);
  if (!resolved.ok()) co_return resolved.error();
  if (Status allowed = guard(resolved->account.context); !allowed.ok()) co_return allowed;
  co_return co_await merge_account_context(account_id, patch);
}

awaitable<Result<std::optional<std::string>>> AccountResolver::find_delivery(std::string_view,
                                                                             std::string_view) {
  co_return std::optional<std::string>();
}

void AccountResolver::remember_delivery(std::string_view, std::string_view, std::string,
                                        std::chrono::seconds) {}

void AccountResolver::record_inbound(store::InboundRecord, const store::InboundLimits&, json::Value) {}

namespace {

metrics::Counter& remember_failures() {
  static metrics::Counter& c = metrics::registry().counter(
      "hookd_ingest_dedupe_failures_total", "De-duplication ledger errors by step (the request went on).",
      "step=\"remember\"");
  return c;
}

// The adapters hand back the store's and the producer's own awaitables rather than being coroutines
// themselves: no second coroutine frame per call on the request path.
// Reads go through the config cache when there is one; a write drops the account's copy at once (the change
// message drops it again when it comes back, in this process and every other).
class StoreResolver final : public AccountResolver {
 public:
  StoreResolver(store::Store& store, store::ConfigCache* cache) : store_(store), cache_(cache) {}
  awaitable<Result<store::ResolvedAccount>> resolve_account(std::string_view account_id) override {
    return cache_ ? cache_->resolve_account(account_id) : store_.resolve_account(account_id);
  }
  awaitable<Status> merge_account_context_if(std::string_view account_id, const json::Value& patch,
                                             const ContextGuard& guard) override {
    auto merged = co_await store_.merge_account_context(account_id, patch, guard);
    if (cache_) cache_->forget_account(account_id);
    if (!merged.ok()) co_return merged.error();
    co_return Status{};
  }
  awaitable<Result<store::EnvironmentIntegration>> get_environment_integration(std::string_view id) override {
    return cache_ ? cache_->get_environment_integration(id) : store_.get_environment_integration(id);
  }
  awaitable<Result<store::Integration>> get_integration(std::string_view id) override {
    return cache_ ? cache_->get_integration(id) : store_.get_integration(id);
  }
  awaitable<Result<store::Environment>> get_environment(std::string_view id) override {
    return cache_ ? cache_->get_environment(id) : store_.get_environment(id);
  }
  awaitable<Result<std::vector<std::string>>> find_accounts_by_context(
      const store::EnvironmentIntegration& install, std::string_view field, std::string_view value) override {
    return store_.find_accounts_by_context(install, field, value);
  }
  awaitable<Status> merge_account_context(std::string_view account_id, const json::Value& patch) override {
    auto merged = co_await store_.merge_account_context(account_id, patch);
    if (cache_) cache_->forget_account(account_id);
    if (!merged.ok()) co_return merged.error();
    co_return Status{};
  }
  // One GET. The answer is the summary text as stored.
  awaitable<Result<std::optional<std::string>>> find_delivery(std::string_view account_id,
                                                              std::string_view vendor_id) override {
    auto reply = co_await store_.command(
        store::RedisCommand("GET", store::keys::vendor_delivery(account_id, vendor_id)));
    if (!reply.ok()) co_return reply.error();
    if (!reply->is_string()) co_return std::optional<std::string>();
    co_return std::optional<std::string>(std::string(reply->str()));
  }
  // A plain SET with the window as TTL, not awaited: the client pipelines it with every other command in
  // flight on its one connection, so concurrent requests' writes share round trips, and commands are answered
  // in order, so a retry reaching this node after the answer is looked up after the write.
  void remember_delivery(std::string_view account_id, std::string_view vendor_id, std::string summary,
                         std::chrono::seconds window) override {
    store_.redis().async_command(
        store::RedisCommand("SET", store::keys::vendor_delivery(account_id, vendor_id), summary, "EX",
                            static_cast<int64_t>(window.count())),
        [](error_code ec, store::RedisReply reply) {
          if (!ec && !reply.is_error()) return;
          remember_failures().inc();
          log::warn("ingest.dedupe_remember_failed",
                    {{"error", ec ? ec.message() : std::string(reply.str())}});
        });
  }
  // Posted, so that the answer goes out first: measuring the transform result and writing the record's JSON
  // happen after the request's coroutine has handed its answer back.
  void record_inbound(store::InboundRecord record, const store::InboundLimits& limits,
                      json::Value transform_result) override {
    asio::post(
        store_.redis().get_executor().get_inner_executor(),
        [this, record = std::move(record), limits, transform_result = std::move(transform_result)]() mutable {
          if (!transform_result.is_undefined())
            record.transform_result_bytes = static_cast<int64_t>(json::dumped_size(transform_result));
          inbound_.record(record, limits);
        });
  }

 private:
  store::Store& store_;
  store::ConfigCache* cache_;
  store::InboundStore inbound_{store_};
};

// Two producers, because one linger cannot serve both ends: waiting ~1 ms to batch is what lets a busy node
// take many events a second, and it is most of a lone request's wait for the broker's ack. While fewer than
// `immediate_below` publishes are in flight, events go out at once (linger 0); past that, the batching
// producer takes them. Events that could be reordered by the switch are ones of requests in flight at the same
// time, which have no order anyway: a request answered before the next one was sent was acknowledged first.
// The threshold stays low: an unbatched producer sends one request per event, and with a handful of them
// outstanding (idempotence allows five) the rest queue behind them (16 connections on linger 0 measured a
// quarter of the batched rate, with a 46 ms p99, against the mock cluster).
class KafkaPublisher final : public EventPublisher {
 public:
  KafkaPublisher(std::shared_ptr<bus::Producer> batching, std::shared_ptr<bus::Producer> immediate,
                 size_t immediate_below)
      : batching_(std::move(batching)), immediate_(std::move(immediate)), immediate_below_(immediate_below) {}
  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages) override {
    return publish(messages, {});
  }
  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages,
                                std::span<bus::MessagePosition> positions) override {
    size_t others = in_flight_.fetch_add(1, std::memory_order_relaxed);
    struct Leave {
      std::atomic<size_t>& n;
      ~Leave() { n.fetch_sub(1, std::memory_order_relaxed); }
    } leave{in_flight_};
    bus::Producer& producer = immediate_ && others < immediate_below_ ? *immediate_ : *batching_;
    co_return co_await producer.publish(messages, positions);
  }

 private:
  std::shared_ptr<bus::Producer> batching_;
  std::shared_ptr<bus::Producer> immediate_;  // may be null: always batch
  const size_t immediate_below_;
  std::atomic<size_t> in_flight_{0};
};

}  // namespace

std::unique_ptr<AccountResolver> store_resolver(store::Store& store, store::ConfigCache* cache) {
  return std::make_unique<StoreResolver>(store, cache);
}

std::shared_ptr<EventPublisher> kafka_publisher(std::shared_ptr<bus::Producer> producer,
                                                std::shared_ptr<bus::Producer> immediate,
                                                size_t immediate_below) {
  return std::make_shared<KafkaPublisher>(std::move(producer), std::move(immediate), immediate_below);
}

}  // namespace hookd::ingest
