// Every Redis key hookd uses, in one place: no other file spells a key, and no Lua script builds one (scripts
// get every key they touch through KEYS[], as Redis Cluster requires). All start with "hookd:" so a shared
// Redis stays readable.
//
// Each key has one owner, the only module that writes it (others read it, or ask the owner to change it: admin
// resets an endpoint's failure count through DeliveryStore, the dispatcher disables an endpoint through Store):
//   store/                 config records and their indexes (Store: store*.cpp)
//   store/account_index    the context lookup index of integrated accounts (written with the account records)
//   dispatch/              events kept for delivery, deliveries, their attempts, the schedule, dead letters and
//                          endpoint health (DeliveryStore, delivery_scripts.h)
//   ingest/                the de-duplication ledger of vendor delivery ids (ports.cpp)
//   store/inbound          inbound request records for lineage (inbound.h)
// The sections below follow the owners.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto.h"
#include "store/redis/slots.h"

namespace hookd::store::keys {

namespace detail {
inline std::string join(std::string_view a, std::string_view b, std::string_view suffix = {}) {
  std::string k;
  k.reserve(6 + a.size() + b.size() + suffix.size());
  k += "hookd:";
  k += a;
  k += b;
  k += suffix;
  return k;
}
// A vendor's id as part of a key: itself when short (readable keys), else its SHA-256 (a header may hold
// kilobytes).
inline std::string bounded_id(std::string_view id) {
  return id.size() <= 128 ? std::string(id) : "sha256:" + crypto::sha256_hex(id);
}
}  // namespace detail

// --- owner: store/ -----------------------------------------------------------------------------------------

// Records (JSON strings).
inline std::string environment(std::string_view id) {
  return detail::join("environment:", id);
}
inline std::string api_token(std::string_view id) {
  return detail::join("api_token:", id);
}  // -> token hash
inline std::string token_hash(std::string_view hash) {
  return detail::join("token_hash:", hash);
}  // -> token record
inline std::string integration(std::string_view id) {
  return detail::join("integration:", id);
}
inline std::string integration_name(std::string_view name) {
  return detail::join("integration_name:", name);
}  // -> id
inline std::string environment_integration(std::string_view id) {
  return detail::join("environment_integration:", id);
}
inline std::string integrated_account(std::string_view id) {
  return detail::join("integrated_account:", id);
}
inline std::string webhook(std::string_view id) {
  return detail::join("webhook:", id);
}

// A pub/sub channel, not a key: every write of an environment, integration, install, account or webhook record
// publishes the record's key here in the same script or transaction (a webhook write also publishes its
// environment's endpoint index key), so that in-memory copies (store/config_cache.h) are dropped before the
// writer hears that its write is done.
// One channel per Redis database (pub/sub spans databases): deployments or tests that share a server on
// different databases do not drop each other's cached records.
inline std::string config_changes(int db) {
  return "hookd:config-changes:" + std::to_string(db);
}

// Indexes.
inline std::string environments() {
  return "hookd:environments";
}  // set of ids
inline std::string integrations() {
  return "hookd:integrations";
}  // set of ids
inline std::string environment_tokens(std::string_view env) {
  return detail::join("environment:", env, ":api_tokens");
}
inline std::string environment_integrations(std::string_view env) {
  return detail::join("environment:", env, ":environment_integrations");
}
// zset: account id scored by creation time (ms)
inline std::string environment_accounts(std::string_view env) {
  return detail::join("environment:", env, ":integrated_accounts");
}
inline std::string environment_webhooks(std::string_view env) {
  return detail::join("environment:", env, ":webhooks");
}

// --- owner: store/account_index (see account_index.h) ------------------------------------------------------
// Hash tag: the install, `{i:<install id>}`, so that an index update touches one slot (account records are in
// slots of their own: they are written in ordered steps with the index, see account_index.h).

// set: the context fields whose index account writes keep current (an index being built, or built)
inline std::string account_lookup_fields(std::string_view install) {
  return detail::join("{i:", install, "}:lookup_fields");
}
// set: the context fields whose index is complete: lookups answer from it
inline std::string account_lookup_ready(std::string_view install) {
  return detail::join("{i:", install, "}:lookup_ready");
}
// hash: the ids of the install's accounts whose context holds (or held, see account_index.h) `value` at
// `field` -> the record version that put them there
inline std::string account_lookup(std::string_view install, std::string_view field, std::string_view value) {
  std::string k = detail::join("{i:", install, "}:lookup:");
  k.append(field).append(":").append(value);
  return k;
}

// --- owner: dispatch/ (see delivery_store.h) ---------------------------------------------------------------
// Delivery shards. Under Redis Cluster a script or transaction runs only if all its keys are in one slot, and
// a delivery's scripts touch the delivery, its event, the schedule and its endpoint's indexes, health, lane,
// budget and pause state together. So all delivery data of one environment shares one hash tag, that of its
// delivery shard, `{d:<shard>}` with shard = crc16(environment id) % kDeliveryShards: an environment's
// deliveries live in one slot, and the environments spread over kDeliveryShards slots (and so over the
// cluster's nodes). The schedule is one sorted set per shard; the dispatcher claims from all of them.
//
// kDeliveryShards is part of the data layout: changing it moves every environment's keys to another name
// (a migration, like the one from the unsharded layout in dispatch/schema_migration.h).
inline constexpr int kDeliveryShards = 64;
// The delivery shard of an environment's delivery data.
inline int delivery_shard(std::string_view environment_id) noexcept {
  return static_cast<int>(crc16(environment_id) % kDeliveryShards);
}

namespace detail {
inline std::string sharded(int shard, std::string_view a, std::string_view b = {},
                           std::string_view suffix = {}) {
  std::string k = "hookd:{d:" + std::to_string(shard) + "}:";
  k.reserve(k.size() + a.size() + b.size() + suffix.size());
  k += a;
  k += b;
  k += suffix;
  return k;
}
}  // namespace detail

// the event (Kafka record value), kept for retries and replays (retention TTL)
inline std::string event(int shard, std::string_view id) {
  return detail::sharded(shard, "event:", id);
}
// set: the ids of an event's deliveries
inline std::string event_deliveries(int shard, std::string_view event_id) {
  return detail::sharded(shard, "event:", event_id, ":deliveries");
}
// hash: status, attempts, timestamps, last result, claim token
inline std::string delivery(int shard, std::string_view id) {
  return detail::sharded(shard, "delivery:", id);
}
// list: attempt JSON objects, oldest first
inline std::string delivery_attempts(int shard, std::string_view id) {
  return detail::sharded(shard, "delivery:", id, ":attempts");
}
// zset: the shard's delivery ids -> when each is due (or when its claim's lease runs out)
inline std::string schedule(int shard) {
  return detail::sharded(shard, "schedule");
}
// zset: delivery id -> created ms
inline std::string webhook_deliveries(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":deliveries");
}
// zset: delivery id -> created ms
inline std::string environment_deliveries(int shard, std::string_view env) {
  return detail::sharded(shard, "environment:", env, ":deliveries");
}
// zset: dead-lettered delivery id -> when
inline std::string webhook_failed(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":failed");
}
// hash: consecutive_failures, failing_since (for auto-disable)
inline std::string webhook_health(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":health");
}
// zset: the unfinished deliveries of an ordered endpoint for one integrated account -> Kafka position
// (dispatch/ordered_lanes.h)
inline std::string webhook_lane(int shard, std::string_view webhook_id, std::string_view account_id) {
  std::string k = detail::sharded(shard, "webhook:", webhook_id, ":lane:");
  k += account_id;
  return k;
}
// hash: rate, tat (the pacing clock), cut_at: the endpoint's fleet-wide retry budget (dispatch/retry_budget.h)
inline std::string webhook_retry_budget(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":retry_budget");
}
// zset: the endpoint's paused deliveries (created while it was disabled) -> created ms
inline std::string webhook_paused(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":paused");
}
// hash: disabled_at, enabled_at (ms), paused_dropped (events not recorded over the bound while disabled)
inline std::string webhook_pause_state(int shard, std::string_view webhook_id) {
  return detail::sharded(shard, "webhook:", webhook_id, ":pause_state");
}
// string: the highest offset of Kafka partition `partition` of `topic` whose first attempts a dispatcher
// recorded after sending them (dispatch/recorded_offsets.h), one per shard: a dispatcher that gets the
// partition reads the highest of all shards
inline std::string recorded_offset(int shard, std::string_view topic, int32_t partition) {
  std::string k = detail::sharded(shard, "kafka:", topic, ":");
  k += std::to_string(partition);
  return k;
}
// string: the delivery layout's version (dispatch/schema_migration.h); a key of its own slot
inline std::string delivery_schema() {
  return "hookd:schema";
}
// string: held (SET NX PX) by the dispatcher migrating the delivery layout
inline std::string delivery_schema_lock() {
  return "hookd:schema:lock";
}

// The unsharded delivery layout (schema 1, before the delivery shards): read and renamed only by
// dispatch/schema_migration.cpp.
namespace unsharded {
inline std::string schedule() {
  return "hookd:schedule";
}
inline std::string delivery(std::string_view id) {
  return detail::join("delivery:", id);
}
inline std::string delivery_attempts(std::string_view id) {
  return detail::join("delivery:", id, ":attempts");
}
inline std::string event(std::string_view id) {
  return detail::join("event:", id);
}
inline std::string event_deliveries(std::string_view id) {
  return detail::join("event:", id, ":deliveries");
}
// hash or zset: deliveries, failed, health, retry_budget of a webhook
inline std::string webhook_key(std::string_view webhook_id, std::string_view suffix) {
  return detail::join("webhook:", webhook_id, std::string(":").append(suffix));
}
// The prefixes of the families below (what a key found by SCAN starts with).
inline constexpr std::string_view kWebhookPrefix = "hookd:webhook:";
inline constexpr std::string_view kEnvironmentPrefix = "hookd:environment:";
inline constexpr std::string_view kEventPrefix = "hookd:event:";
inline constexpr std::string_view kDeliveryPrefix = "hookd:delivery:";
inline constexpr std::string_view kTagPrefix = "hookd:{";
// SCAN patterns of the old families. "hookd:{*}:..." also matches keys of today's tagged families: the migration
// skips tags it does not own ("d:", "i:") and suffixes other than these.
inline constexpr std::string_view kDeliveries = "hookd:delivery:*";    // and their :attempts
inline constexpr std::string_view kEvents = "hookd:event:*";           // and their :deliveries
inline constexpr std::string_view kWebhookKeys = "hookd:webhook:*:*";  // :deliveries :failed :health
                                                                       // :retry_budget
inline constexpr std::string_view kEnvironmentDeliveries = "hookd:environment:*:deliveries";
inline constexpr std::string_view kWebhookTagged =
    "hookd:{*}:*";  // {webhook}:lane:<acct> :paused :pause_state
inline constexpr std::string_view kAccountLookup = "hookd:environment_integration:*:lookup*";
}  // namespace unsharded

// --- owner: admin/ replay jobs (see admin/replay_job.h) ----------------------------------------------------
// A job's keys share the hash tag {replay:<env>}: the environment's jobs live in one slot, and a token only
// ever builds keys of its own environment.

// hash: a replay job's spec, state, progress, owner and lease
inline std::string replay_job(std::string_view env, std::string_view id) {
  std::string k = detail::join("{replay:", env, "}:job:");
  k.append(id);
  return k;
}
// zset: job id -> created ms (newest first for GET /replay)
inline std::string replay_jobs(std::string_view env) {
  return detail::join("{replay:", env, "}:jobs");
}
// zset: "<env>/<job id>" -> lease_until ms of every queued or running job: where any admin node finds the
// jobs whose node died (a separate slot: no script touches it together with a job)
inline std::string replay_leases() {
  return "hookd:replay:leases";
}

// --- owner: dispatch/, notices (see notices.h) ---------------------------------------------------------------
// Hash-tagged by the environment they belong to, so that a notice and its index share a Redis Cluster slot.
namespace detail {
inline std::string tagged(std::string_view tag, std::string_view suffix) {
  std::string k;
  k.reserve(9 + tag.size() + suffix.size());
  k += "hookd:{";
  k += tag;
  k += "}:";
  k += suffix;
  return k;
}
}  // namespace detail
// zset: the environment's notice ids -> created ms
inline std::string environment_notices(std::string_view env) {
  return detail::tagged(env, "notices");
}
// hash: one notice (type, webhook_id, reason, created_at, published_at, the event it announces)
inline std::string notice(std::string_view env, std::string_view id) {
  return detail::tagged(env, std::string("notice:").append(id));
}
// set: "<environment id>/<notice id>" of notices whose event Kafka has not acknowledged yet
inline std::string unpublished_notices() {
  return "hookd:notices:unpublished";
}

// --- owner: ingest/ (de-duplication at ingest, ports.cpp) ---------------------------------------------------

// string: the answer's event summaries of the first accepted request with this vendor delivery id (TTL: the
// dedupe window). Hash tag: the account, so one account's ledger stays in one slot under Redis Cluster.
inline std::string vendor_delivery(std::string_view account_id, std::string_view vendor_id) {
  std::string k = "hookd:{";
  k.append(account_id).append("}:vendor_delivery:").append(detail::bounded_id(vendor_id));
  return k;
}

// --- owner: store/inbound (see inbound.h) ------------------------------------------------------------------
// Hash tag: the environment, so one record's script (the record and its indexes) touches one slot.

// hash: inbound record id -> record JSON, one account's newest records
inline std::string inbound_records(std::string_view env, std::string_view account_id) {
  std::string k = "hookd:inbound:{";
  k.append(env).append("}:account:").append(account_id).append(":records");
  return k;
}
// zset: inbound record id -> received_at (ms), the same records, for newest-first listing
inline std::string inbound_recent(std::string_view env, std::string_view account_id) {
  std::string k = "hookd:inbound:{";
  k.append(env).append("}:account:").append(account_id);
  return k;
}
// The indexes are one hash per day (unix ms / 86,400,000) and kind, not a key per id: a busy environment
// would otherwise hold one key per event for the whole retention. A field's value is the space-separated
// "<account id>/<record id>" of the records that carried it.
// hash: vendor delivery id -> records, of the requests received that day
inline std::string inbound_by_vendor_delivery(std::string_view env, int64_t day) {
  std::string k = "hookd:inbound:{";
  k.append(env).append("}:vendor_delivery:day:").append(std::to_string(day));
  return k;
}
// hash: event id -> records (the accepted request, and duplicates answered with it), by the day received
inline std::string inbound_by_event(std::string_view env, int64_t day) {
  std::string k = "hookd:inbound:{";
  k.append(env).append("}:event:day:").append(std::to_string(day));
  return k;
}
// zset: day -> day, the days that have index hashes (a reader looks up a field in each)
inline std::string inbound_index_days(std::string_view env) {
  std::string k = "hookd:inbound:{";
  k.append(env).append("}:index_days");
  return k;
}

}  // namespace hookd::store::keys
