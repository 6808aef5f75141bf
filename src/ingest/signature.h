// The signature_verification stage: checks a vendor's HMAC over the bytes received, from configuration alone.
//
//   "signature_verification": { "format": "hmac", "config": {
//       "secret": "{{context.webhook_secret}}",          // template; Truto's {{credentials.X}} works too
//       "algorithm": "sha256",                            // sha1 | sha256 | sha384 | sha512 | md5
//       "string_type": "base64",                          // hex | base64: how the vendor encodes the signature
//       "compare_with": "{{headers.x-shopify-hmac-sha256}}",
//       "parts": ["raw_body"],                            // signed text, concatenated; default ["raw_body"]
//       "prefix": "sha256=" } }                           // optional: text before the signature in compare_with
//
// The received signature is decoded (hex in any case, base64 standard or URL-safe, padded or not) and
// compared with the computed MAC in constant time. Every config error is found when the config loads, with
// the field it concerns.
#pragma once

#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/result.h"
#include "ingest/template.h"

namespace hookd::ingest {

class SignatureVerifier {
 public:
  // `config` is the signature_verification object. Errors name the field:
  // "signature_verification.config.algorithm: unsupported algorithm 'sha3' (sha1, sha256, sha384, sha512,
  // md5)".
  static Result<SignatureVerifier> create(const json::Value& config);

  enum class Outcome {
    valid,
    mismatch,           // the signature does not match: 401
    missing_signature,  // compare_with resolved to nothing (header absent): 401
    missing_secret,     // the secret resolved to nothing: the account or environment is misconfigured
    missing_part,       // a signed part resolved to nothing (e.g. a timestamp header is absent): 401
  };
  struct Verdict {
    Outcome outcome;
    std::string detail;  // what was missing; never secret material
  };
  Verdict verify(const TemplateScope& scope) const;
  // The top-level account-context fields that hold signing material (what the secret or key templates read):
  // an unsigned handshake may not change them once set.
  std::vector<std::string> secret_context_fields() const {
    std::vector<std::string> out;
    secret_.context_fields(out);
    return out;
  }
  // True when a template of this config reads the parsed body; otherwise the signature can be checked before
  // the body is parsed, over the bytes received.
  bool reads_parsed_body() const noexcept {
    if (secret_.reads_parsed_body() || compare_with_.reads_parsed_body()) return true;
    for (const auto& p : parts_)
      if (p.reads_parsed_body()) return true;
    return false;
  }

 private:
  crypto::Digest digest_ = crypto::Digest::sha256;
  bool base64_ = false;
  std::string prefix_;
  Template secret_;
  Template compare_with_;
  std::vector<Template> parts_;
  SignatureVerifier() = default;
};

}  // namespace hookd::ingest
