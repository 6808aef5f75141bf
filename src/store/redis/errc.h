// The Redis client's own configuration failures (transport failures are RedisError, store/redis/error.h).
#pragma once

#include "core/error.h"

namespace hookd::store {

enum class RedisErrc {
  invalid_url = 1,  // a Redis URL the process was started with is refused
};

using hookd::make_error_code;

}  // namespace hookd::store

template <>
struct hookd::ErrcTable<hookd::store::RedisErrc> {
  static constexpr const char* category = "hookd.redis";
  static constexpr ErrcEntry entries[] = {
      {"invalid_url", Fault::invalid_config},
  };
};

template <>
struct std::is_error_code_enum<hookd::store::RedisErrc> : std::true_type {};
