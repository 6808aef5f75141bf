#include "store/redis/client.h"

#include "store/redis/slots.h"

namespace hookd::store {

RedisClient::RedisClient(asio::any_io_executor ex, RedisOptions options)
    : io_executor_(ex), options_(std::move(options)), strand_(asio::make_strand(ex)) {}

std::shared_ptr<RedisClient> RedisClient::create(asio::any_io_executor ex, RedisOptions options) {
  std::shared_ptr<RedisClient> client(new RedisClient(ex, options));
  if (options.cluster) {
    auto router = detail::ClusterRouter::create(std::move(ex), std::move(options));
    router->attach_owner(client);
    client->strand_ = router->get_executor();
    client->cluster_ = router;
  } else {
    auto connection = detail::NodeConnection::create(std::move(ex), std::move(options), "client", nullptr);
    connection->attach_owner(client);
    client->strand_ = connection->get_executor();
    client->single_ = connection;
  }
  return client;
}

RedisClient::executor_type RedisClient::get_executor() const noexcept {
  return strand_;
}

const RedisOptions& RedisClient::options() const noexcept {
  return options_;
}

bool RedisClient::ready() const {
  if (options_.cluster) {
    auto router = cluster_.lock();
    return router && router->ready();
  }
  auto connection = single_.lock();
  return connection && connection->ready();
}

std::optional<RedisEndpoint> RedisClient::master_for(std::string_view key) const {
  if (!options_.cluster) return std::nullopt;
  auto router = cluster_.lock();
  return router ? router->master_of_slot(key_slot(key)) : std::nullopt;
}

std::string RedisClient::last_error() const {
  if (options_.cluster) {
    auto router = cluster_.lock();
    return router ? router->last_error() : "closed";
  }
  auto connection = single_.lock();
  return connection ? connection->last_error() : "closed";
}

void RedisClient::close() {
  if (auto router = cluster_.lock()) router->close();
  if (auto connection = single_.lock()) connection->close();
}

void RedisClient::submit(std::vector<RedisCommand> commands, detail::Batch batch,
                         std::unique_ptr<detail::Completion> completion) {
  if (options_.cluster) {
    if (auto router = cluster_.lock())
      return router->submit(std::move(commands), batch, std::move(completion));
  } else if (auto connection = single_.lock()) {
    return connection->submit(std::move(commands), batch, std::move(completion));
  }
  completion->complete(RedisError::closed, {});
}

}  // namespace hookd::store
