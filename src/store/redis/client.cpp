#include "store/redis/client.h"

namespace hookd::store {

RedisClient::RedisClient(asio::any_io_executor ex, RedisOptions options)
    : Connection(std::move(ex), std::move(options), "client") {}

std::shared_ptr<RedisClient> RedisClient::create(asio::any_io_executor ex, RedisOptions options) {
  std::shared_ptr<RedisClient> client(new RedisClient(std::move(ex), std::move(options)));
  client->start();
  return client;
}

}  // namespace hookd::store
