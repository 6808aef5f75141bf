// Ingest's failures: configs refused when compiled, expressions that fail, bodies that cannot be read.
#pragma once

#include "core/error.h"

namespace hookd::ingest {

enum class IngestErrc {
  invalid_config = 1,
  jsonata_error,
  too_many_fields,
  malformed_json,
  missing_value,           // a template placeholder resolved to nothing (a field or header the request lacks)
  context_update_refused,  // a handshake's update_context would change what it may not (handshake.h)
};

using hookd::make_error_code;

}  // namespace hookd::ingest

template <>
struct hookd::ErrcTable<hookd::ingest::IngestErrc> {
  static constexpr const char* category = "hookd.ingest";
  static constexpr ErrcEntry entries[] = {
      {"invalid_config", Fault::invalid_config}, {"jsonata_error", Fault::internal},
      {"too_many_fields", Fault::too_large},     {"malformed_json", Fault::invalid_input},
      {"missing_value", Fault::invalid_input},   {"context_update_refused", Fault::invalid_input},
  };
};

template <>
struct std::is_error_code_enum<hookd::ingest::IngestErrc> : std::true_type {};
