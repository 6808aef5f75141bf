#include "store/redis/error.h"

#include <string>

namespace hookd::store {

namespace {

class RedisCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "hookd.redis"; }

  std::string message(int ev) const override {
    switch (static_cast<RedisError>(ev)) {
      case RedisError::not_connected:
        return "not connected to Redis (waiting to reconnect)";
      case RedisError::connection_lost:
        return "connection to Redis lost before the reply arrived (the command may have run)";
      case RedisError::timeout:
        return "Redis did not reply within the command timeout (connection dropped; the command may have "
               "run)";
      case RedisError::connect_failed:
        return "could not connect to Redis";
      case RedisError::connect_timeout:
        return "connecting to Redis timed out";
      case RedisError::handshake_failed:
        return "Redis refused the connection handshake (AUTH, SELECT or CLIENT SETNAME)";
      case RedisError::closed:
        return "the Redis client was closed";
      case RedisError::unexpected_reply:
        return "unexpected reply from Redis";
      case RedisError::empty_command:
        return "empty Redis command";
      case RedisError::unsupported_command:
        return "command not allowed on a shared Redis connection (pub/sub needs RedisSubscriber; use "
               "transactions or scripts instead of MULTI/WATCH; the database is fixed by the URL)";
      case RedisError::cross_slot:
        return "keys of one command, transaction or script are in different Redis Cluster slots (not sent)";
      case RedisError::not_replicated:
        return "fewer Redis replicas than HOOKD_REDIS_WAIT_REPLICAS confirmed the write in time (it may be "
               "lost "
               "with its master)";
    }
    return "unknown Redis error";
  }
};

}  // namespace

const boost::system::error_category& redis_category() noexcept {
  static const RedisCategory category;
  return category;
}

}  // namespace hookd::store
