// Public-key signature verification on OpenSSL: the asymmetric half of verifying vendors' webhook signatures
// (ECDSA P-256, Ed25519, RSA PKCS#1 v1.5). Keys come from integration config; signatures and messages come
// from unauthenticated requests, so every verify function treats them as hostile: anything malformed is
// simply "does not verify" (false), never an exception or a crash.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header so users need no OpenSSL include path

namespace hookd::crypto {

// The key kinds hookd accepts; anything else (other curves, DSA, RSA-PSS-only keys, ...) fails to parse.
enum class KeyType { ec_p256, ed25519, rsa };

// "ec_p256", "ed25519", "rsa": for messages and logs.
std::string_view key_type_name(KeyType t) noexcept;

class PublicKey;

// What PublicKey::parse returns: the key, or (key == nullptr) a sentence saying what is wrong with the text,
// meant for whoever wrote the config. The error never repeats the text itself.
struct KeyParseResult {
  std::shared_ptr<const PublicKey> key;
  std::string error;
};

// A verification key. Immutable once parsed, so one instance is shared (shared_ptr) by every request and
// used from many threads at once; each verification builds its own OpenSSL context.
class PublicKey {
 public:
  // Accepts the forms vendors publish keys in (surrounding whitespace ignored):
  //  - PEM "-----BEGIN PUBLIC KEY-----" (X.509 SubjectPublicKeyInfo);
  //  - PEM "-----BEGIN RSA PUBLIC KEY-----" (PKCS#1 RSAPublicKey);
  //  - PEM "-----BEGIN CERTIFICATE-----" (the certificate's key; validity dates and issuer are NOT checked,
  //    the certificate is only a container; in a chain the first certificate is used);
  //  - base64 (standard or URL-safe, padded or not, whitespace and line breaks ignored) of SPKI DER;
  //  - a raw 32-byte Ed25519 key as base64 or hex (exactly 32 bytes once decoded).
  // Only P-256 EC keys, Ed25519 keys and RSA keys of at least 2048 bits are accepted: a weaker key in config
  // is refused here, at load time, rather than accepted for every request.
  static KeyParseResult parse(std::string_view text);

  KeyType type() const noexcept { return type_; }
  int bits() const noexcept { return bits_; }  // 256 for P-256 and Ed25519, the modulus size for RSA

  // For the verify functions; the EVP_PKEY is never modified.
  evp_pkey_st* evp_pkey() const noexcept { return pkey_.get(); }

 private:
  PublicKey(std::shared_ptr<evp_pkey_st> pkey, KeyType type, int bits) noexcept
      : pkey_(std::move(pkey)), type_(type), bits_(bits) {}
  static KeyParseResult adopt(evp_pkey_st* pkey);

  std::shared_ptr<evp_pkey_st> pkey_;
  KeyType type_;
  int bits_;
};

// How an ECDSA signature is laid out on the wire.
//  der: the ASN.1 DER SEQUENCE { r, s } (what OpenSSL, Java and most webhook vendors send);
//  raw: r || s, each zero-padded to 32 bytes, 64 bytes in all (JWS ES256, WebCrypto).
// Verification is strict per encoding: a raw 64-byte signature given as `der` (or DER given as `raw`) is
// false, so a config that names the wrong encoding fails loudly instead of half-working.
enum class EcdsaEncoding { der, raw };

// ECDSA with SHA-256 over the concatenation of `parts` (hashed part by part, never concatenated). False for
// a key that is not P-256, a signature that is not canonical in its encoding, and any mismatch.
bool verify_ecdsa_sha256(const PublicKey& key, const std::string_view* parts, size_t count,
                         std::string_view signature, EcdsaEncoding encoding);
inline bool verify_ecdsa_sha256(const PublicKey& key, std::initializer_list<std::string_view> parts,
                                std::string_view signature, EcdsaEncoding encoding) {
  return verify_ecdsa_sha256(key, parts.begin(), parts.size(), signature, encoding);
}
inline bool verify_ecdsa_sha256(const PublicKey& key, std::string_view message, std::string_view signature,
                                EcdsaEncoding encoding) {
  return verify_ecdsa_sha256(key, &message, 1, signature, encoding);
}

// Ed25519 (RFC 8032, pure, no prehash) over the concatenation of `parts`. Ed25519 cannot hash incrementally,
// so more than one part is concatenated into one buffer first. The signature must be exactly 64 bytes.
bool verify_ed25519(const PublicKey& key, const std::string_view* parts, size_t count,
                    std::string_view signature);
inline bool verify_ed25519(const PublicKey& key, std::initializer_list<std::string_view> parts,
                           std::string_view signature) {
  return verify_ed25519(key, parts.begin(), parts.size(), signature);
}
inline bool verify_ed25519(const PublicKey& key, std::string_view message, std::string_view signature) {
  return verify_ed25519(key, &message, 1, signature);
}

// RSASSA-PKCS1-v1_5 with `digest` over the concatenation of `parts` (hashed part by part). Digest::md5 is
// refused (always false): MD5 signatures can be forged. The signature must be exactly the modulus size.
bool verify_rsa_pkcs1(const PublicKey& key, Digest digest, const std::string_view* parts, size_t count,
                      std::string_view signature);
inline bool verify_rsa_pkcs1(const PublicKey& key, Digest digest,
                             std::initializer_list<std::string_view> parts, std::string_view signature) {
  return verify_rsa_pkcs1(key, digest, parts.begin(), parts.size(), signature);
}
inline bool verify_rsa_pkcs1(const PublicKey& key, Digest digest, std::string_view message,
                             std::string_view signature) {
  return verify_rsa_pkcs1(key, digest, &message, 1, signature);
}

}  // namespace hookd::crypto
