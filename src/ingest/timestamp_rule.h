// Replay protection: a request whose signed timestamp is too old (or too far in the future) is refused.
//
//   "timestamp_tolerance": {
//     "value": "{{headers.x-slack-request-timestamp}}",   // template or {"jsonata": "..."}
//     "format": "unix_seconds",                            // unix_seconds (default) | unix_ms | iso8601
//     "max_age_seconds": 300,                              // older than now - 300 s: refused
//     "max_future_seconds": 300 }                          // optional, default max_age_seconds
//
// "now" is the service's clock; in test mode (HOOKD_TEST_MODE) it can be set so that vendors' published
// vectors with old timestamps can be checked against the running binary.
#pragma once

#include <memory>

#include "ingest/signature.h"

namespace hookd::ingest {

class TimestampRule {
 public:
  enum class Format { unix_seconds, unix_ms, iso8601 };
  // `field` names the object in errors ("signature_verification.timestamp_tolerance").
  static Result<std::shared_ptr<const TimestampRule>> create(const json::Value& spec, std::string_view field);
  SignatureVerdict check(const VerifyScope& scope) const;
  bool reads_parsed_body() const noexcept { return value_.reads_parsed_body(); }

 private:
  SignedValue value_;
  Format format_ = Format::unix_seconds;
  int64_t max_age_ms_ = 0;
  int64_t max_future_ms_ = 0;
};

}  // namespace hookd::ingest
