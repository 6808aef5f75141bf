// The dispatcher's own failures (its options; deliveries report with the store's codes).
#pragma once

#include "core/error.h"

namespace hookd::dispatch {

enum class DispatchErrc {
  invalid_config = 1,
};

using hookd::make_error_code;

}  // namespace hookd::dispatch

template <>
struct hookd::ErrcTable<hookd::dispatch::DispatchErrc> {
  static constexpr const char* category = "hookd.dispatch";
  static constexpr ErrcEntry entries[] = {
      {"invalid_config", Fault::invalid_config},
  };
};

template <>
struct std::is_error_code_enum<hookd::dispatch::DispatchErrc> : std::true_type {};
