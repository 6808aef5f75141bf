// An in-memory copy of the config records every webhook request reads (integrated accounts, installs,
// integrations, environments) and every delivery reads (the endpoints of an environment, an endpoint by id),
// so that a request or a delivery normally makes no Redis round trip for them and parses no JSON.
//
// Staying current: every write of one of these records publishes its key on keys::config_changes(db) in the
// same script or transaction as the write (store*.cpp), and the cache drops that key when the message comes.
// A copy is served only while nothing can have been missed:
//   - the subscription is up, and the cache was cleared since it last (re)connected (messages published while
//     it was down are lost, so a reconnect clears everything);
//   - no message is waiting to be handled (RedisSubscriber::quiet). A writer returns only once Redis has
//     written the message to every subscriber's socket (Store::change_published), so a change whose writer
//     has been answered is either applied here or makes this request read Redis. (Across machines, a message
//     still on the network when the writer's caller reaches another node is the one window left: the
//     difference between two network paths.);
//   - a record read from Redis is kept only if no change was applied while it was being read (a generation
//     count), so a read that raced a write cannot put the old record back.
// Otherwise requests read Redis as they would without the cache (a miss). A full cache is cleared, not
// trimmed: it is sized to hold every record of a deployment (HOOKD_CONFIG_CACHE_SIZE).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asio.h"
#include "store/redis/options.h"
#include "store/redis/subscriber.h"
#include "store/store.h"

namespace hookd::store {

class ConfigCache : public std::enable_shared_from_this<ConfigCache> {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t invalidations = 0;
    size_t records = 0;
  };

  // Subscribes on a connection of its own (to the Redis `redis` names). `capacity` records at most.
  static std::shared_ptr<ConfigCache> create(Store& store, asio::any_io_executor ex, RedisOptions redis,
                                             size_t capacity);
  ConfigCache(const ConfigCache&) = delete;
  ConfigCache& operator=(const ConfigCache&) = delete;

  // As Store's functions of the same names; from the cache when it can be trusted.
  awaitable<Result<ResolvedAccount>> resolve_account(std::string_view account_id);
  awaitable<Result<EnvironmentIntegration>> get_environment_integration(std::string_view id);
  awaitable<Result<Integration>> get_integration(std::string_view id);
  awaitable<Result<Environment>> get_environment(std::string_view id);
  awaitable<Result<Webhook>> get_webhook(std::string_view id);
  // The environment's endpoints, as Store::list_webhooks (shared: the copy is not made per caller).
  awaitable<Result<std::shared_ptr<const std::vector<Webhook>>>> list_webhooks(
      std::string_view environment_id);

  // Drops a record now (a writer in this process, before the message comes back). Any thread.
  void invalidate(std::string_view key);
  void forget_account(std::string_view account_id);
  // Up and trusted: what /metrics reports and tests wait for.
  bool live() const noexcept;
  Stats stats() const;
  void close();

 private:
  struct IdHash {
    using is_transparent = void;  // find() by string_view: no string built per lookup
    size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
  };
  template <typename T>
  using Map = std::unordered_map<std::string, std::shared_ptr<const T>, IdHash, std::equal_to<>>;
  // Where a fill started: it may store what it read only if nothing changed since.
  struct Ticket {
    uint64_t generation = 0;
    uint64_t session = 0;
    bool live = false;
  };

  ConfigCache(Store& store, size_t capacity);
  void on_subscribed();
  Ticket ticket() const;
  bool still_valid(const Ticket& t) const;  // under lock
  template <typename T>
  std::shared_ptr<const T> find(const Map<T>& map, std::string_view id);
  template <typename T>
  void keep(const Ticket& t, Map<T>& map, const std::string& id, T record);
  void keep_resolved(const Ticket& t, const ResolvedAccount& r);
  template <typename T, typename Fetch>
  awaitable<Result<T>> cached_get(Map<T>& map, std::string_view id, Fetch fetch);
  void clear_locked();
  size_t records_locked() const;

  Store& store_;
  const size_t capacity_;
  RedisSubscriberPtr subscriber_;
  mutable std::shared_mutex mutex_;
  uint64_t generation_ = 0;    // bumped by every invalidation and clear
  uint64_t live_session_ = 0;  // the subscriber session this cache was last cleared for
  Map<IntegratedAccount> accounts_;
  Map<EnvironmentIntegration> installs_;
  Map<Integration> integrations_;
  Map<Environment> environments_;
  Map<Webhook> webhooks_;
  Map<std::vector<Webhook>> environment_webhooks_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> invalidations_{0};
};

using ConfigCachePtr = std::shared_ptr<ConfigCache>;

}  // namespace hookd::store
