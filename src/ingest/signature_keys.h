// A public key from config, for the ecdsa, ed25519 and jwt formats: literal keys are parsed once, when the
// config is compiled; keys that are templates over the account context are parsed per request.
#pragma once

#include <memory>

#include "core/crypto_pk.h"
#include "ingest/signature_schemes.h"

namespace hookd::ingest::scheme_detail {

class KeySource {
 public:
  // The config field `name`, a key of `type` (PEM, base64 SPKI DER, or a raw Ed25519 key).
  static Result<KeySource> read(const ConfigReader& r, std::string_view name, crypto::KeyType type);
  // The key, or secret_missing / secret_invalid.
  SignatureVerdict get(const VerifyScope& scope, std::shared_ptr<const crypto::PublicKey>& out) const;
  void context_fields(std::vector<std::string>& out) const { value_.context_fields(out); }

 private:
  SignedValue value_;
  crypto::KeyType type_ = crypto::KeyType::ec_p256;
  std::shared_ptr<const crypto::PublicKey> fixed_;  // a literal key, parsed once
};

}  // namespace hookd::ingest::scheme_detail
