// What the ingest stages need from outside, as two narrow interfaces: the accounts and configs they resolve
// (Redis, through store::Store; with the de-duplication ledger and the inbound request records, which live in
// the same Redis) and the log they publish to (Kafka, through bus::Producer). Production wires
// the real ones (store_resolver, kafka_publisher); unit tests hand the stages fakes and need neither service.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/producer.h"
#include "core/result.h"
#include "store/config_cache.h"
#include "store/inbound.h"
#include "store/store.h"

namespace hookd::ingest {

class AccountResolver {
 public:
  virtual ~AccountResolver() = default;
  // The account with its install, integration and environment (StoreErrc::not_found names what is missing).
  virtual awaitable<Result<store::ResolvedAccount>> resolve_account(std::string_view account_id) = 0;
  virtual awaitable<Result<store::EnvironmentIntegration>> get_environment_integration(
      std::string_view id) = 0;
  virtual awaitable<Result<store::Integration>> get_integration(std::string_view id) = 0;
  virtual awaitable<Result<store::Environment>> get_environment(std::string_view id) = 0;
  // The accounts of `install` whose context holds `value` at `field` (the install-level lookup).
  virtual awaitable<Result<std::vector<std::string>>> find_accounts_by_context(
      const store::EnvironmentIntegration& install, std::string_view field, std::string_view value) = 0;
  // A verified `update_context`, merged into the account's context.
  virtual awaitable<Status> merge_account_context(std::string_view account_id, const json::Value& patch) = 0;
  // A handshake's `update_context`: merged only if `guard` accepts the account's context as it is when the
  // patch is written (its error is returned and nothing is stored). The store's resolver checks and writes
  // atomically (compare-and-set on the account's version). This default reads, checks, then merges: a
  // concurrent change between the two can slip through, so it serves fakes, not production.
  using ContextGuard = std::function<Status(const json::Value& context)>;
  virtual awaitable<Status> merge_account_context_if(std::string_view account_id, const json::Value& patch,
                                                     const ContextGuard& guard);

  // De-duplication at ingest (webhook.delivery_id). What the first accepted request with this vendor delivery
  // id was answered (the `remember`ed summary), or nullopt when the id was not seen within its window. One
  // round trip. The defaults keep no ledger: never seen, nothing remembered.
  virtual awaitable<Result<std::optional<std::string>>> find_delivery(std::string_view account_id,
                                                                      std::string_view vendor_id);
  // Called only after Kafka acknowledged the request's events, so that a failed publish leaves nothing
  // behind and the vendor's retry is published. Fire-and-forget: the answer does not wait for the write
  // (failures are counted and logged by the ledger; not remembering costs at most a republish of the same
  // ids, which the dispatcher's de-duplication absorbs).
  virtual void remember_delivery(std::string_view account_id, std::string_view vendor_id, std::string summary,
                                 std::chrono::seconds window);
  // Lineage: one inbound request, written in the background after its answer is decided (observability, best
  // effort: a failure is counted and logged, never felt by the vendor). `transform_result` (undefined: no
  // transform ran) is measured in the background too, off the request's path. The default drops it.
  virtual void record_inbound(store::InboundRecord record, const store::InboundLimits& limits,
                              json::Value transform_result);
};

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // Completes when every message is acknowledged (or the first failure): the ingest answers 2xx only then.
  virtual awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages) = 0;
  // The same, and `positions` (one per message) receives where each acknowledged message was stored (for
  // lineage). The default reports none (they stay -1).
  virtual awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages,
                                        std::span<bus::MessagePosition> positions) {
    (void)positions;
    return publish(messages);
  }
};

// `cache`, when given (it must outlive the resolver), serves the reads of config records.
std::unique_ptr<AccountResolver> store_resolver(store::Store& store, store::ConfigCache* cache = nullptr);
// `immediate` (linger 0), when given, publishes while fewer than `immediate_below` publishes are in flight;
// `producer` (batching) the rest.
std::shared_ptr<EventPublisher> kafka_publisher(std::shared_ptr<bus::Producer> producer,
                                                std::shared_ptr<bus::Producer> immediate = nullptr,
                                                size_t immediate_below = 0);

}  // namespace hookd::ingest
