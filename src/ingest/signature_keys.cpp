// The public-key formats: ecdsa (P-256, SHA-256) and ed25519 over the signed parts. A key written literally in
// the config is parsed when the config is stored (a bad key is refused then, naming the field); a key read
// from the account context is parsed per request.
#include "core/crypto.h"
#include "core/crypto_pk.h"
#include "ingest/signature_keys.h"

namespace hookd::ingest::scheme_detail {

Result<KeySource> KeySource::read(const ConfigReader& r, std::string_view name, crypto::KeyType type) {
  KeySource k;
  k.type_ = type;
  auto value = r.secret(name);
  if (!value.ok()) return value.error();
  k.value_ = std::move(value).value();
  if (!k.value_.has_placeholders()) {
    auto parsed = crypto::PublicKey::parse(k.value_.source());
    if (!parsed.key) return r.error(name, parsed.error);
    if (parsed.key->type() != type)
      return r.error(name, "is a " + std::string(crypto::key_type_name(parsed.key->type())) +
                               " key; this format needs " + std::string(crypto::key_type_name(type)));
    k.fixed_ = std::move(parsed.key);
  }
  return k;
}

SignatureVerdict KeySource::get(const VerifyScope& scope,
                                std::shared_ptr<const crypto::PublicKey>& out) const {
  if (fixed_) {
    out = fixed_;
    return {};
  }
  std::string text;
  if (auto v = render_secret(value_, scope, text); !v.ok()) return v;
  auto parsed = crypto::PublicKey::parse(text);
  if (!parsed.key) return {SignatureFailure::secret_invalid, value_.source() + ": " + parsed.error};
  if (parsed.key->type() != type_)
    return {SignatureFailure::secret_invalid,
            value_.source() + " is a " + std::string(crypto::key_type_name(parsed.key->type())) +
                " key; this format needs " + std::string(crypto::key_type_name(type_))};
  out = std::move(parsed.key);
  return {};
}

namespace {

// ecdsa and ed25519 share everything but the verification call.
class PublicKeyScheme final : public SignatureScheme {
 public:
  enum class Kind { ecdsa, ed25519 };

  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r, Kind kind) {
    Status known =
        kind == Kind::ecdsa
            ? r.only({"public_key", "signature_encoding", "string_type", "compare_with", "separator",
                      "prefix", "parts"})
            : r.only({"public_key", "string_type", "compare_with", "separator", "prefix", "parts"});
    if (!known.ok()) return known.error();
    auto scheme = std::make_shared<PublicKeyScheme>();
    scheme->kind_ = kind;
    auto key = KeySource::read(r, "public_key",
                               kind == Kind::ecdsa ? crypto::KeyType::ec_p256 : crypto::KeyType::ed25519);
    auto encoding =
        kind == Kind::ecdsa ? r.choice("signature_encoding", {"der", "raw"}) : Result<std::string>("");
    auto base64 = r.choice("string_type", {"base64", "base64url", "hex"});
    auto candidates = Candidates::read(r, ", ");
    auto parts = SignedParts::read(r);
    for (const Status& s :
         {key.status(), encoding.status(), base64.status(), candidates.status(), parts.status()})
      if (!s.ok()) return s.error();
    scheme->key_ = std::move(key).value();
    scheme->encoding_ = *encoding == "raw" ? crypto::EcdsaEncoding::raw : crypto::EcdsaEncoding::der;
    scheme->base64_ = *base64 != "hex";
    scheme->candidates_ = std::move(candidates).value();
    scheme->parts_ = std::move(parts).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    std::shared_ptr<const crypto::PublicKey> key;
    if (auto v = key_.get(scope, key); !v.ok()) return v;
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    std::vector<std::string> storage;
    std::vector<std::string_view> views;
    if (auto v = parts_.render(scope, storage, views); !v.ok()) return v;
    decode_candidates(candidates, base64_);
    for (const std::string& signature : candidates) {
      bool valid = kind_ == Kind::ecdsa
                       ? crypto::verify_ecdsa_sha256(*key, views.data(), views.size(), signature, encoding_)
                       : crypto::verify_ed25519(*key, views.data(), views.size(), signature);
      if (valid) return {};
    }
    return {SignatureFailure::signature_mismatch, "signature does not match"};
  }
  void secret_fields(std::vector<std::string>& out) const override { key_.context_fields(out); }
  bool reads_parsed_body() const override {
    return candidates_.reads_parsed_body() || parts_.reads_parsed_body();
  }

 private:
  Kind kind_ = Kind::ecdsa;
  KeySource key_;
  crypto::EcdsaEncoding encoding_ = crypto::EcdsaEncoding::der;
  bool base64_ = true;
  Candidates candidates_;
  SignedParts parts_;
};

}  // namespace

Result<std::shared_ptr<const SignatureScheme>> compile_ecdsa(const ConfigReader& r) {
  return PublicKeyScheme::compile(r, PublicKeyScheme::Kind::ecdsa);
}

Result<std::shared_ptr<const SignatureScheme>> compile_ed25519(const ConfigReader& r) {
  return PublicKeyScheme::compile(r, PublicKeyScheme::Kind::ed25519);
}

}  // namespace hookd::ingest::scheme_detail
