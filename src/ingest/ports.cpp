#include "ingest/ports.h"

namespace hookd::ingest {

awaitable<Status> AccountResolver::merge_account_context_if(std::string_view account_id,
                                                            const json::Value& patch,
                                                            const ContextGuard& guard) {
  auto resolved = co_await resolve_account(account_id);
  if (!resolved.ok()) co_return resolved.error();
  if (Status allowed = guard(resolved->account.context); !allowed.ok()) co_return allowed;
  co_return co_await merge_account_context(account_id, patch);
}

namespace {

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

 private:
  store::Store& store_;
  store::ConfigCache* cache_;
};

class KafkaPublisher final : public EventPublisher {
 public:
  explicit KafkaPublisher(std::shared_ptr<bus::Producer> producer) : producer_(std::move(producer)) {}
  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages) override {
    return producer_->publish(messages);
  }

 private:
  std::shared_ptr<bus::Producer> producer_;
};

}  // namespace

std::unique_ptr<AccountResolver> store_resolver(store::Store& store, store::ConfigCache* cache) {
  return std::make_unique<StoreResolver>(store, cache);
}

std::shared_ptr<EventPublisher> kafka_publisher(std::shared_ptr<bus::Producer> producer) {
  return std::make_shared<KafkaPublisher>(std::move(producer));
}

}  // namespace hookd::ingest
