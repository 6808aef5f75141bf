// The process's own failures at startup.
#pragma once

#include "core/error.h"

namespace hookd::app {

enum class AppErrc {
  invalid_config = 1,
  listen_failed,
};

using hookd::make_error_code;

}  // namespace hookd::app

template <>
struct hookd::ErrcTable<hookd::app::AppErrc> {
  static constexpr const char* category = "hookd.app";
  static constexpr ErrcEntry entries[] = {
      {"invalid_config", Fault::invalid_config},
      {"listen_failed", Fault::unavailable},
  };
};

template <>
struct std::is_error_code_enum<hookd::app::AppErrc> : std::true_type {};
