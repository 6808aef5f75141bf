#include "store/config_cache.h"

#include <mutex>
#include <optional>

#include "core/log.h"
#include "core/metrics.h"
#include "store/keys.h"

namespace hookd::store {

namespace {

metrics::Counter& lookups(std::string_view result) {
  return metrics::registry().counter("hookd_config_cache_lookups_total",
                                     "Config record lookups of webhook requests, by whether the in-memory "
                                     "copy could be used (hit) or Redis was read (miss).",
                                     "result=\"" + std::string(result) + "\"");
}

metrics::Counter& invalidation_counter() {
  return metrics::registry().counter("hookd_config_cache_invalidations_total",
                                     "Config records dropped from the in-memory copy because they changed.");
}

// The id in `key` if it is a record of the kind `prefix` (a key built for the empty id) names.
std::optional<std::string_view> id_in(std::string_view key, const std::string& prefix) {
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return std::nullopt;
  return key.substr(prefix.size());
}

}  // namespace

ConfigCache::ConfigCache(Store& store, size_t capacity) : store_(store), capacity_(capacity) {}

std::shared_ptr<ConfigCache> ConfigCache::create(Store& store, asio::any_io_executor ex, RedisOptions redis,
                                                 size_t capacity) {
  std::shared_ptr<ConfigCache> cache(new ConfigCache(store, capacity));
  std::weak_ptr<ConfigCache> weak = cache;
  RedisSubscriber::Handlers handlers;
  handlers.on_message = [weak](const RedisMessage& m) {
    if (auto self = weak.lock()) self->invalidate(m.payload);
  };
  handlers.on_subscribed = [weak] {
    if (auto self = weak.lock()) self->on_subscribed();
  };
  // On a cluster, on the channel's node: writers publish there too and PING it (Store::change_published).
  std::string channel = keys::config_changes(redis.db);
  if (redis.cluster)
    handlers.locate = [client = std::weak_ptr<RedisClient>(store.redis_ptr()), channel] {
      auto c = client.lock();
      return c ? c->master_for(channel) : std::nullopt;
    };
  cache->subscriber_ =
      RedisSubscriber::create(std::move(ex), std::move(redis), RedisSubscription{{channel}, {}}, handlers);
  return cache;
}

void ConfigCache::close() {
  if (subscriber_) subscriber_->close();
}

void ConfigCache::on_subscribed() {
  std::unique_lock lock(mutex_);
  clear_locked();
  live_session_ = subscriber_->session();
}

bool ConfigCache::live() const noexcept {
  // Not on the channel's node yet (a cluster, just started): messages might come late (store.h).
  if (!subscriber_->subscribed() || !subscriber_->located()) return false;
  {
    std::shared_lock lock(mutex_);
    if (live_session_ != subscriber_->session()) return false;
  }
  return subscriber_->quiet();
}

ConfigCache::Stats ConfigCache::stats() const {
  std::shared_lock lock(mutex_);
  return Stats{hits_.load(), misses_.load(), invalidations_.load(), records_locked()};
}

void ConfigCache::invalidate(std::string_view key) {
  static const std::string account = keys::integrated_account("");
  static const std::string install = keys::environment_integration("");
  static const std::string integration = keys::integration("");
  static const std::string environment = keys::environment("");
  static const std::string webhook = keys::webhook("");
  static const std::string endpoints_suffix = keys::environment_webhooks("").substr(environment.size());
  std::unique_lock lock(mutex_);
  ++generation_;
  invalidations_.fetch_add(1, std::memory_order_relaxed);
  static metrics::Counter& counter = invalidation_counter();
  counter.inc();
  auto erase = [](auto& map, std::string_view id) {
    if (auto it = map.find(id); it != map.end()) map.erase(it);
  };
  // An environment's endpoint index shares the environment record's prefix: look at it first.
  if (key.starts_with(environment) && key.ends_with(endpoints_suffix) &&
      key.size() > environment.size() + endpoints_suffix.size())
    erase(environment_webhooks_,
          key.substr(environment.size(), key.size() - environment.size() - endpoints_suffix.size()));
  else if (auto id = id_in(key, account))
    erase(accounts_, *id);
  else if (auto id = id_in(key, install))
    erase(installs_, *id);
  else if (auto id = id_in(key, integration))
    erase(integrations_, *id);
  else if (auto id = id_in(key, environment))
    erase(environments_, *id);
  else if (auto id = id_in(key, webhook))
    erase(webhooks_, *id);
  else
    clear_locked();  // a key this version does not know: a newer writer; forget everything to be safe
}

void ConfigCache::forget_account(std::string_view account_id) {
  invalidate(keys::integrated_account(account_id));
}

size_t ConfigCache::records_locked() const {
  return accounts_.size() + installs_.size() + integrations_.size() + environments_.size() +
         webhooks_.size() + environment_webhooks_.size();
}

void ConfigCache::clear_locked() {
  ++generation_;
  accounts_.clear();
  installs_.clear();
  integrations_.clear();
  environments_.clear();
  webhooks_.clear();
  environment_webhooks_.clear();
}

ConfigCache::Ticket ConfigCache::ticket() const {
  std::shared_lock lock(mutex_);
  return Ticket{
      generation_, live_session_,
      subscriber_->subscribed() && subscriber_->located() && live_session_ == subscriber_->session()};
}

bool ConfigCache::still_valid(const Ticket& t) const {
  return t.live && generation_ == t.generation && live_session_ == t.session && subscriber_->subscribed() &&
         subscriber_->located() && subscriber_->session() == t.session;
}

template <typename T>
std::shared_ptr<const T> ConfigCache::find(const Map<T>& map, std::string_view id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : it->second;
}

template <typename T>
void ConfigCache::keep(const Ticket& t, Map<T>& map, const std::string& id, T record) {
  if (!still_valid(t)) return;
  if (records_locked() >= capacity_) clear_locked();
  map.insert_or_assign(id, std::make_shared<const T>(std::move(record)));
}

void ConfigCache::keep_resolved(const Ticket& t, const ResolvedAccount& r) {
  std::unique_lock lock(mutex_);
  if (!still_valid(t)) return;
  keep(t, installs_, r.install.id, r.install);
  keep(t, integrations_, r.integration.id, r.integration);
  keep(t, environments_, r.environment.id, r.environment);
  keep(t, accounts_, r.account.id, r.account);
}

awaitable<Result<ResolvedAccount>> ConfigCache::resolve_account(std::string_view account_id) {
  static metrics::Counter& hit = lookups("hit");
  static metrics::Counter& miss = lookups("miss");
  if (live()) {
    std::shared_lock lock(mutex_);
    auto account = find(accounts_, account_id);
    auto install = account ? find(installs_, account->environment_integration_id) : nullptr;
    auto integration = account ? find(integrations_, account->integration_id) : nullptr;
    auto environment = account ? find(environments_, account->environment_id) : nullptr;
    if (account && install && integration && environment) {
      hit.inc();
      hits_.fetch_add(1, std::memory_order_relaxed);
      co_return ResolvedAccount{*account, *install, *integration, *environment};
    }
  }
  miss.inc();
  misses_.fetch_add(1, std::memory_order_relaxed);
  Ticket t = ticket();
  auto resolved = co_await store_.resolve_account(account_id);
  if (resolved.ok()) keep_resolved(t, *resolved);
  co_return resolved;
}

template <typename T, typename Fetch>
awaitable<Result<T>> ConfigCache::cached_get(Map<T>& map, std::string_view id, Fetch fetch) {
  static metrics::Counter& hit = lookups("hit");
  static metrics::Counter& miss = lookups("miss");
  if (live()) {
    std::shared_lock lock(mutex_);
    if (auto record = find(map, id)) {
      hit.inc();
      hits_.fetch_add(1, std::memory_order_relaxed);
      co_return *record;
    }
  }
  miss.inc();
  misses_.fetch_add(1, std::memory_order_relaxed);
  Ticket t = ticket();
  Result<T> fresh = co_await fetch(id);
  if (fresh.ok() && fresh->id == id) {  // not one found by another name (integrations have two)
    std::unique_lock lock(mutex_);
    keep(t, map, fresh->id, *fresh);
  }
  co_return fresh;
}

awaitable<Result<EnvironmentIntegration>> ConfigCache::get_environment_integration(std::string_view id) {
  return cached_get(installs_, id,
                    [this](std::string_view i) { return store_.get_environment_integration(i); });
}

awaitable<Result<Integration>> ConfigCache::get_integration(std::string_view id) {
  return cached_get(integrations_, id, [this](std::string_view i) { return store_.get_integration(i); });
}

awaitable<Result<Environment>> ConfigCache::get_environment(std::string_view id) {
  return cached_get(environments_, id, [this](std::string_view i) { return store_.get_environment(i); });
}

awaitable<Result<Webhook>> ConfigCache::get_webhook(std::string_view id) {
  return cached_get(webhooks_, id, [this](std::string_view i) { return store_.get_webhook(i); });
}

awaitable<Result<std::shared_ptr<const std::vector<Webhook>>>> ConfigCache::list_webhooks(
    std::string_view environment_id) {
  static metrics::Counter& hit = lookups("hit");
  static metrics::Counter& miss = lookups("miss");
  if (live()) {
    std::shared_lock lock(mutex_);
    if (auto list = find(environment_webhooks_, environment_id)) {
      hit.inc();
      hits_.fetch_add(1, std::memory_order_relaxed);
      co_return list;
    }
  }
  miss.inc();
  misses_.fetch_add(1, std::memory_order_relaxed);
  Ticket t = ticket();
  auto fresh = co_await store_.list_webhooks(environment_id);
  if (!fresh.ok()) co_return fresh.error();
  auto shared = std::make_shared<const std::vector<Webhook>>(std::move(fresh).value());
  std::unique_lock lock(mutex_);
  if (still_valid(t)) {
    if (records_locked() >= capacity_) clear_locked();
    environment_webhooks_.insert_or_assign(std::string(environment_id), shared);
  }
  co_return shared;
}

}  // namespace hookd::store
