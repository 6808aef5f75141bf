// The store's failures (records in Redis); dispatch's delivery store reports with these codes too.
#pragma once

#include "core/error.h"

namespace hookd::store {

enum class StoreErrc {
  not_found = 1,
  conflict,
  invalid_cursor,
  corrupt_record,
  unavailable,
  redis_error,
  // A read that kept losing to concurrent writers (no consistent snapshot after its retries): nothing is wrong
  // with the request, so the caller retries later (503), unlike a write's conflict (409).
  contended,
};

using hookd::make_error_code;

}  // namespace hookd::store

template <>
struct hookd::ErrcTable<hookd::store::StoreErrc> {
  static constexpr const char* category = "hookd.store";
  static constexpr ErrcEntry entries[] = {
      {"not_found", Fault::not_found},          {"conflict", Fault::conflict},
      {"invalid_cursor", Fault::invalid_input}, {"corrupt_record", Fault::internal},
      {"unavailable", Fault::unavailable},      {"redis_error", Fault::internal},
      {"contended", Fault::unavailable},
  };
};

template <>
struct std::is_error_code_enum<hookd::store::StoreErrc> : std::true_type {};
