// The signature_verification stage: checks a vendor's request from configuration alone.
//
//   "signature_verification": { "format": "hmac", "config": { ... }, "timestamp_tolerance": { ... } }
//   "signature_verification": [ { "format": "hmac", ... }, { "format": "hmac", ... } ]   // alternatives
//
// Formats (signature_schemes.h documents each one's fields): hmac, digest, equals, basic, ecdsa, ed25519, jwt.
// An array lists alternatives (a primary and a secondary secret, an old and a new scheme): the request passes
// if any one passes. Each alternative may carry a timestamp_tolerance (timestamp_rule.h), and so may the
// webhook section for all of them; a stale or future-dated request is then refused even with a valid
// signature.
//
// Every config error is found when the config is stored, with the field it concerns. At request time a
// failure names the step that failed (signature_missing, signature_mismatch, timestamp_outside_tolerance, ...)
// and never an expected value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/signature_value.h"

namespace hookd::ingest {

// Why a check failed, as the vendor's 401 (or the operator's 500) names it.
enum class SignatureFailure {
  none,
  secret_missing,               // the secret or key resolved to nothing: the account is misconfigured (500)
  secret_invalid,               // the secret or key is not what its encoding says (500)
  expression_failed,            // a {"jsonata"} value failed: the config is wrong (500)
  signature_missing,            // compare_with resolved to no candidate (the header is absent)
  signed_part_missing,          // a signed part resolved to nothing (e.g. a timestamp header is absent)
  signature_mismatch,           // no candidate matches
  timestamp_missing,            // timestamp_tolerance's value resolved to nothing
  timestamp_invalid,            // ... or is not in its format
  timestamp_outside_tolerance,  // stale or future-dated
  token_invalid,                // jwt: malformed, wrong algorithm, or its signature does not match
  token_expired,                // jwt: exp passed
  token_not_yet_valid,          // jwt: nbf in the future
  claim_mismatch,               // jwt: a required claim differs (or the query string hash)
};

// The word a response carries for a failure ("signature_mismatch").
std::string_view failure_code(SignatureFailure f) noexcept;
// True for the failures that are the configuration's fault (answered 500, logged), not the request's.
bool is_config_failure(SignatureFailure f) noexcept;

struct SignatureVerdict {
  SignatureFailure failure = SignatureFailure::none;
  std::string detail;  // what was missing or wrong; never secret material or an expected value
  bool ok() const noexcept { return failure == SignatureFailure::none; }
};

// One format's check, compiled from its `config` object.
class SignatureScheme {
 public:
  virtual ~SignatureScheme() = default;
  virtual SignatureVerdict check(const VerifyScope& scope) const = 0;
  // The account-context fields that hold this scheme's signing material.
  virtual void secret_fields(std::vector<std::string>& out) const = 0;
  virtual bool reads_parsed_body() const = 0;
};

class TimestampRule;

class SignatureVerifier {
 public:
  // `config` is the signature_verification value (an object or an array of them); `tolerance` the webhook
  // section's timestamp_tolerance (undefined when absent). Errors name the field:
  // "signature_verification.config.algorithm: unsupported algorithm 'sha3' (...)",
  // "signature_verification[1].format: ...".
  static Result<SignatureVerifier> create(const json::Value& config,
                                          const json::Value& tolerance = json::Value());

  SignatureVerdict verify(const VerifyScope& scope) const;

  // The top-level account-context fields that hold signing material (what the secret or key templates read):
  // an unsigned handshake may not change them once set.
  std::vector<std::string> secret_context_fields() const;
  // True when a value of this config reads the parsed body; otherwise the signature can be checked before
  // the body is parsed, over the bytes received.
  bool reads_parsed_body() const noexcept;

 private:
  struct Alternative {
    std::shared_ptr<const SignatureScheme> scheme;
    std::shared_ptr<const TimestampRule> tolerance;  // null: none
  };
  std::vector<Alternative> alternatives_;
  std::shared_ptr<const TimestampRule> tolerance_;  // for every alternative; null: none
  SignatureVerifier() = default;
};

}  // namespace hookd::ingest
