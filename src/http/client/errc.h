// The outbound client's failures outside a send(): target URLs that do not parse, headers that would break the
// request framing, and options or SSRF allowlist entries that are refused. Failures of a send() itself are
// reported in ClientResult (client.h).
#pragma once

#include "core/error.h"

namespace hookd::http {

enum class ClientErrc {
  invalid_url = 1,
  invalid_header,
  invalid_config,
};

using hookd::make_error_code;

}  // namespace hookd::http

template <>
struct hookd::ErrcTable<hookd::http::ClientErrc> {
  static constexpr const char* category = "hookd.http.client";
  static constexpr ErrcEntry entries[] = {
      {"invalid_url", Fault::invalid_input},
      {"invalid_header", Fault::invalid_input},
      {"invalid_config", Fault::invalid_config},
  };
};

template <>
struct std::is_error_code_enum<hookd::http::ClientErrc> : std::true_type {};
