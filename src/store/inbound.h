// Inbound request records, for lineage: every vendor request that reached an integrated account (accepted,
// answered as a duplicate, a handshake, refused by its signature or otherwise), with what became of it: its
// verdict and status, the vendor's delivery id, the transform result's size, and each event's id, type and
// Kafka partition and offset.
//
// Observability, best effort: records are written in the background after the vendor's answer is decided
// (a batched script; a failure is counted in hookd_inbound_record_failures_total and logged, never felt by the
// vendor), kept for a retention (HOOKD_INBOUND_RETENTION) and, per account, only the newest N
// (HOOKD_INBOUND_MAX_PER_ACCOUNT). Indexed by vendor delivery id and by event id within an environment, in one
// hash per day and kind (keys.h, store/inbound section; every key of one environment shares a hash tag).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <string>
#include <vector>

#include "store/redis/batched_script.h"
#include "store/store.h"

namespace hookd::store {

struct InboundEvent {
  std::string id;
  std::string type;
  int32_t partition = -1;  // -1: not published by this request (a duplicate, or a failed publish)
  int64_t offset = -1;
};

struct InboundRecord {
  std::string id;           // time-ordered (UUID v7)
  int64_t received_at = 0;  // unix ms
  std::string environment_id;
  std::string integrated_account_id;
  std::string environment_integration_id;
  std::string integration;  // the integration's name
  std::string method;
  // accepted | duplicate | verify | meta | signature_failed | publish_failed | refused
  std::string verdict;
  int status_code = 0;
  std::string error;  // the answer's error code, for a refusal
  std::string vendor_delivery_id;
  int64_t transform_result_bytes = -1;  // the serialized transform result; -1: no transform ran
  std::vector<InboundEvent> events;
};

// The record's JSON as stored for every request, and as the tree the admin API embeds in its answers.
std::string to_json_text(const InboundRecord& r);
json::Value to_json(const InboundRecord& r);
Result<InboundRecord> inbound_record_from_json(std::string_view text);

struct InboundLimits {
  std::chrono::milliseconds retention{7LL * 24 * 3600 * 1000};
  size_t max_per_account = 1000;
};

class InboundStore {
 public:
  explicit InboundStore(Store& store) : store_(store) {}

  // Fire-and-forget: queued to a batched script (made on first use: readers need none); returns at once.
  void record(const InboundRecord& r, const InboundLimits& limits);

  // Newest first. `account_id` (optional) keeps one account's records.
  awaitable<Result<std::vector<InboundRecord>>> by_vendor_delivery_id(std::string_view env,
                                                                      std::string_view vendor_id,
                                                                      std::string_view account_id = {});
  awaitable<Result<std::vector<InboundRecord>>> by_event_id(std::string_view env, std::string_view event_id);
  // One account's records, newest first; `verdict` (optional) filters; `cursor` is the last id of the page
  // before (ids are time-ordered).
  awaitable<Result<Page<InboundRecord>>> recent(std::string_view env, std::string_view account_id,
                                                std::string_view verdict, std::string_view cursor,
                                                size_t limit);

 private:
  enum class IndexKind { vendor_delivery, event };
  awaitable<Result<std::vector<InboundRecord>>> from_index(std::string env, IndexKind kind, std::string field,
                                                           std::string_view account_id);
  // The batcher of the slot `records_key` hashes to (made on first use).
  ScriptBatcher& writer_for(std::string_view records_key);

  Store& store_;
  // One batcher per Redis Cluster slot: a call's items are one script, whose keys must share a slot, and each
  // environment's records hash to a slot of their own. At most one per environment's slot in use.
  std::mutex writers_mu_;
  std::unordered_map<uint16_t, std::shared_ptr<ScriptBatcher>> writers_;
};

}  // namespace hookd::store
