// The formats of signature_verification, each compiled from its `config` object. Fields every format that
// reads a signature shares:
//
//   compare_with  where the signature is: a template, {"jsonata": ...}, or an array of them (several headers);
//                 required except where a default is given below
//   separator     characters that split a rendered compare_with into candidates (default ", "; "" keeps it
//                 whole); any candidate may match
//   prefix        text before the signature in a candidate ("sha256=", "v1="); candidates without it are
//                 skipped
//   string_type   how the signature is encoded: hex | base64 | base64url (any base64 alphabet is accepted)
//   parts         the signed text, concatenated: templates, "raw_body" or {"jsonata"}; default ["raw_body"]
//
// hmac     secret (template), algorithm (sha1 | sha256 (default) | sha384 | sha512 | md5), secret_encoding
//          (utf8 (default) | base64 (a "whsec_" prefix is dropped first) | hex), string_type default hex
// digest   an unkeyed hash of the parts (the secret is one of the parts: HubSpot v1/v2); algorithm, parts
//          required, string_type default hex
// equals   secret (template) equals a candidate, compared in constant time; separator default ""
// basic    HTTP Basic credentials equal username and password (templates); compare_with default
//          "{{headers.authorization}}"
// ecdsa    P-256 with SHA-256 over the parts: public_key (template: PEM or base64 SPKI DER),
//          signature_encoding der (default) | raw (r||s), string_type default base64
// ed25519  over the parts: public_key, string_type default base64
// jwt      a JSON Web Token (signature_jwt.cpp)
#pragma once

#include "ingest/signature.h"

namespace hookd::ingest {

bool is_signature_format(std::string_view format) noexcept;

// Compiles the `config` of a format is_signature_format() knows; `field` is the prefix for errors ("signature_verification.config").
Result<std::shared_ptr<const SignatureScheme>> compile_scheme(std::string_view format,
                                                              const json::Value& config,
                                                              const std::string& field);

// The supported format names, for the error that refuses another one.
inline constexpr std::string_view kSignatureFormats = "hmac, digest, equals, basic, ecdsa, ed25519, jwt";

namespace scheme_detail {

// Reading a config object: each format lists its fields; anything else is refused by name.
class ConfigReader {
 public:
  ConfigReader(const json::Value& config, const std::string& field) : config_(config), field_(field) {}
  Status only(std::initializer_list<std::string_view> known) const;
  const json::Value& get(std::string_view name) const { return config_.get(name); }
  std::string field(std::string_view name) const { return field_ + "." + std::string(name); }
  Error error(std::string_view name, std::string_view message) const;

  // A required (or defaulted) template-only value: secrets and keys.
  Result<SignedValue> secret(std::string_view name, std::string_view fallback = {}) const;
  Result<std::vector<SignedValue>> values(std::string_view name, std::string_view fallback = {}) const;
  Result<std::string> string(std::string_view name, std::string_view fallback) const;
  // One of `choices` (the first is the default).
  Result<std::string> choice(std::string_view name, std::initializer_list<std::string_view> choices) const;

 private:
  const json::Value& config_;
  const std::string& field_;
};

// compare_with, separator and prefix: the candidates a request carries.
struct Candidates {
  std::vector<SignedValue> values;
  std::string separators;
  std::string prefix;

  static Result<Candidates> read(const ConfigReader& r, std::string_view default_separators,
                                 std::string_view default_compare_with = {});
  // The candidates' text after the prefix. A template whose placeholder is missing contributes nothing;
  // none at all is signature_missing.
  SignatureVerdict collect(const VerifyScope& scope, std::vector<std::string>& out) const;
  bool reads_parsed_body() const noexcept;
};

// The signed parts: rendered once per request; raw-body parts are not copied.
struct SignedParts {
  std::vector<SignedValue> parts;

  static Result<SignedParts> read(const ConfigReader& r);
  // Fills `views` (pointing into `storage` or the request's bytes).
  SignatureVerdict render(const VerifyScope& scope, std::vector<std::string>& storage,
                          std::vector<std::string_view>& views) const;
  bool reads_parsed_body() const noexcept;
  void context_fields(std::vector<std::string>& out) const;
};

// A secret or key rendered, or why not (secret_missing).
SignatureVerdict render_secret(const SignedValue& secret, const VerifyScope& scope, std::string& out);

// Decodes candidates as string_type says; undecodable ones are dropped.
void decode_candidates(std::vector<std::string>& candidates, bool base64);

// The keyed formats of signature_keys.cpp and signature_jwt.cpp.
Result<std::shared_ptr<const SignatureScheme>> compile_ecdsa(const ConfigReader& r);
Result<std::shared_ptr<const SignatureScheme>> compile_ed25519(const ConfigReader& r);
Result<std::shared_ptr<const SignatureScheme>> compile_jwt(const ConfigReader& r);

}  // namespace scheme_detail

}  // namespace hookd::ingest
