// Configuration records in Redis: environments, API tokens, integrations, their installs, integrated accounts
// and webhook endpoints. (Deliveries, attempts and the retry schedule live in dispatch/, which owns their
// scripts.)
//
// Every call is one coroutine and at most a few round trips; errors are values: `not_found`, `conflict` (a
// concurrent change won, or a unique name is taken), `unavailable` (Redis unreachable: callers answer 503)
// and `corrupt_record`. Versioned records (integrations, installs, accounts) are written with compare-and-set
// on `version`, so two admin calls or a webhook's update_context never overwrite each other's change; webhook
// records, changed by admin and by the dispatcher, with compare-and-set on their text (update_webhook).
//
// Keys are built in store/keys.h, which says which module writes each; scripts get every key in KEYS[].
//
// Redis Cluster: every script, transaction and multi-key command touches one slot. Records are looked up by id
// alone (ingest knows only an account id), so a record and the indexes that list it are in different slots
// and are written in ordered single-slot steps, not one transaction. The crash-consistency rule: a write puts
// the record first (with its config-change PUBLISH, which is keyless, in the same transaction) and then adds
// it to its indexes; a delete removes the record first and then its index entries. So a crash between steps
// leaves at most an index entry whose record is missing (every reader skips those), or a record its index does
// not list yet (a create whose caller was answered with an error, and retries). The change is published before
// the writer returns (change_published), whichever step fails later.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.h"
#include "store/model.h"
#include "store/redis/client.h"
#include "store/redis/script.h"

namespace hookd::store {

// What the ingest path needs for one account, read in one round trip.
struct ResolvedAccount {
  IntegratedAccount account;
  EnvironmentIntegration install;
  Integration integration;
  Environment environment;
};

struct AccountFilter {
  std::string tenant_id;
  std::string integration_id;  // by id or name
  std::optional<AccountStatus> status;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty: no more
};

class Store {
 public:
  explicit Store(RedisClientPtr redis);
  RedisClient& redis() { return *redis_; }
  // Where this store's config writes announce themselves (keys::config_changes of its database).
  const std::string& changes_channel() const { return changes_channel_; }
  const RedisClientPtr& redis_ptr() const { return redis_; }

  // Environments.
  awaitable<Status> put_environment(const Environment& e);
  // Replaces an environment only if it is still as read: its stored updated_at is `read_updated_at` (an update
  // moves updated_at forward, at least by 1 ms: it serves as the record's version). conflict otherwise.
  awaitable<Status> update_environment(const Environment& e, int64_t read_updated_at);
  awaitable<Result<Environment>> get_environment(std::string_view id);
  awaitable<Result<std::vector<Environment>>> list_environments();

  // API tokens: looked up by the SHA-256 of the presented token.
  awaitable<Status> put_token(const ApiToken& t);
  awaitable<Result<ApiToken>> find_token(std::string_view token_hash);
  awaitable<Result<ApiToken>> get_token(std::string_view id);
  awaitable<Result<std::vector<ApiToken>>> list_tokens(std::string_view environment_id);
  awaitable<Status> delete_token(const ApiToken& t);

  // Integrations (names are unique: a second create with the same name is a conflict).
  awaitable<Status> create_integration(const Integration& i);
  awaitable<Status> update_integration(const Integration& i, int64_t expected_version);
  awaitable<Result<Integration>> get_integration(std::string_view id_or_name);
  awaitable<Result<std::vector<Integration>>> list_integrations();

  // Integration installs per environment.
  awaitable<Status> create_environment_integration(const EnvironmentIntegration& e);
  awaitable<Status> update_environment_integration(const EnvironmentIntegration& e, int64_t expected_version);
  awaitable<Result<EnvironmentIntegration>> get_environment_integration(std::string_view id);
  awaitable<Result<std::vector<EnvironmentIntegration>>> list_environment_integrations(std::string_view env);

  // Integrated accounts.
  awaitable<Status> create_account(const IntegratedAccount& a);
  awaitable<Status> update_account(const IntegratedAccount& a, int64_t expected_version);
  awaitable<Result<IntegratedAccount>> get_account(std::string_view id);
  awaitable<Status> delete_account(const IntegratedAccount& a);
  // Newest first. `cursor` is what the previous page returned.
  awaitable<Result<Page<IntegratedAccount>>> list_accounts(std::string_view env, const AccountFilter& filter,
                                                           std::string_view cursor, size_t limit);
  awaitable<Result<ResolvedAccount>> resolve_account(std::string_view account_id);
  // The ids (sorted) of `install`'s accounts whose context holds `value` at `field` (a dotted path; a number
  // matches its decimal text): how a webhook posted to an environment integration finds its accounts. Served
  // by an index (account_index.h) built on the first lookup by a field.
  awaitable<Result<std::vector<std::string>>> find_accounts_by_context(const EnvironmentIntegration& install,
                                                                       std::string_view field,
                                                                       std::string_view value);
  // Merges `patch` into the account's context (top-level keys), retrying on concurrent changes. `guard`, when
  // given, judges the context as read before each write; its error is returned and nothing is written. The write
  // is a compare-and-set on the account's version, so what the guard saw is what the patch is merged into.
  awaitable<Result<IntegratedAccount>> merge_account_context(
      std::string_view account_id, const json::Value& patch,
      const std::function<Status(const json::Value& context)>& guard = {});

  // Webhook endpoints.
  awaitable<Status> create_webhook(const Webhook& w);
  // Changes a stored endpoint atomically: `change` is applied to the record as read, and the result is written
  // only if the record is still the one read (compare-and-set on its text); otherwise it is read and changed
  // again. So concurrent writers (admin PATCH and secret rotation, the dispatcher's auto-disable) never undo
  // each other's changes. `change` returns false to leave the record alone. Returns the record as it is now;
  // not_found for a missing one (a deleted endpoint is not brought back).
  using WebhookChange = std::function<bool(Webhook&)>;
  awaitable<Result<Webhook>> update_webhook(std::string_view id, const WebhookChange& change);
  // The dispatcher's auto-disable: an active endpoint becomes inactive, with `reason`. Returns the record and
  // whether this call disabled it (false: it was inactive already).
  awaitable<Result<std::pair<Webhook, bool>>> disable_webhook(std::string_view id, std::string_view reason,
                                                              int64_t now);
  awaitable<Result<Webhook>> get_webhook(std::string_view id);
  awaitable<Result<std::vector<Webhook>>> list_webhooks(std::string_view env);
  awaitable<Status> delete_webhook(const Webhook& w);

  // Low-level helpers shared by the entity files.
  awaitable<Result<RedisReply>> command(RedisCommand c);
  awaitable<Result<RedisReply>> transaction(std::vector<RedisCommand> commands);
  // Independent commands, not atomic, in any slots (RedisClient::async_pipeline): an array of their replies.
  awaitable<Result<RedisReply>> pipeline(std::vector<RedisCommand> commands);
  awaitable<Result<RedisReply>> run(const RedisScript& script, RedisCommand keys, RedisCommand args);
  // Returns once HOOKD_REDIS_WAIT_REPLICAS replicas of `key`'s node have what this process wrote there
  // (RedisClient::async_wait_replicas); `unavailable` when fewer confirmed in time. At once without the setting.
  awaitable<Status> replicated(std::string_view key);
  // `write` (of one record) and a PUBLISH of `key` on changes_channel(), in one transaction (PUBLISH names no
  // key: one slot).
  awaitable<Result<RedisReply>> write_announced(RedisCommand write, std::string key);
  // GETs of `keys` (records in any slots) in one round trip: their replies, nil for a missing one.
  awaitable<Result<RedisReply>> get_many(const std::vector<std::string>& keys);
  awaitable<Result<json::Value>> get_json(std::string key, std::string_view what);
  // Called after a write that published a config change (changes_channel()): returns once Redis has
  // handed that message to every subscriber's socket. Redis answers a command before it writes the messages
  // that command published (the same pass over its clients, replies first), so without this a writer could
  // hear "done" and have its caller's next request reach a node whose cache has not heard of the change yet.
  // A PING sent after the write's answer is processed in a later pass, after the messages went out. On Redis
  // Cluster a PUBLISH reaches the other nodes' subscribers through the cluster bus, later: write_announced
  // publishes again on the channel's own node, where every ConfigCache subscribes, and the PING goes there;
  // the keys a script published itself (`published`) are published there again here, before the PING.
  awaitable<void> change_published(std::vector<std::string> published = {});

 private:
  RedisClientPtr redis_;
  std::string changes_channel_;
};

// Maps a transport error to the `unavailable` error every caller turns into 503.
Error unavailable(const error_code& ec);

// Replaces the JSON record at `key` if its stored `version_field` equals `expected` (conflict otherwise;
// not_found when there is no record): a number as a number, a text (a time stamp) as its text.
awaitable<Status> versioned_update(Store& store, std::string key, std::string expected, std::string json,
                                   std::string_view what, std::string_view version_field);
inline awaitable<Status> versioned_update(Store& store, std::string key, int64_t expected, std::string json,
                                          std::string_view what) {
  return versioned_update(store, std::move(key), std::to_string(expected), std::move(json), what, "version");
}

}  // namespace hookd::store
