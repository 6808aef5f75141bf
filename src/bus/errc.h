// The event bus's failures when a Kafka client is created or configured (publishing reports its own outcomes).
#pragma once

#include "core/error.h"

namespace hookd::bus {

enum class BusErrc {
  invalid_config = 1,
  kafka_error,
};

using hookd::make_error_code;

}  // namespace hookd::bus

template <>
struct hookd::ErrcTable<hookd::bus::BusErrc> {
  static constexpr const char* category = "hookd.bus";
  static constexpr ErrcEntry entries[] = {
      {"invalid_config", Fault::invalid_config},
      {"kafka_error", Fault::internal},
  };
};

template <>
struct std::is_error_code_enum<hookd::bus::BusErrc> : std::true_type {};
