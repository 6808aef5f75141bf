// The HTTP server's own failures (its options).
#pragma once

#include "core/error.h"

namespace hookd::http {

enum class HttpErrc {
  invalid_config = 1,
};

using hookd::make_error_code;

}  // namespace hookd::http

template <>
struct hookd::ErrcTable<hookd::http::HttpErrc> {
  static constexpr const char* category = "hookd.http";
  static constexpr ErrcEntry entries[] = {
      {"invalid_config", Fault::invalid_config},
  };
};

template <>
struct std::is_error_code_enum<hookd::http::HttpErrc> : std::true_type {};
