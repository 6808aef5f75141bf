#include "core/crypto_pk.h"

#include <cctype>
#include <cstring>
#include <optional>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace hookd::crypto {

namespace {

struct Free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
  void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// OpenSSL records why a parse or a verification failed on a per-thread queue. hookd never reads it (the
// caller gets false or its own message), so it is emptied rather than left for unrelated code to find.
struct ClearErrorsOnExit {
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string strip_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

bool is_hex(std::string_view s) noexcept {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// DER of a SubjectPublicKeyInfo; the whole input must be one structure (no trailing bytes).
EVP_PKEY* spki_from_der(std::string_view der) {
  const unsigned char* p = bytes(der);
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pkey && p != bytes(der) + der.size()) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

KeyParseResult failure(std::string message) {
  return {nullptr, std::move(message)};
}

// The first PEM block of `text`, by its label ("PUBLIC KEY", "CERTIFICATE", ...).
KeyParseResult parse_pem(std::string_view text, EVP_PKEY** out) {
  Owned<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return failure("out of memory");
  char* name_raw = nullptr;
  char* header_raw = nullptr;
  unsigned char* data_raw = nullptr;
  long len = 0;
  int ok = PEM_read_bio(bio.get(), &name_raw, &header_raw, &data_raw, &len);
  Owned<char> name(name_raw), header(header_raw);
  Owned<unsigned char> data(data_raw);
  if (!ok) return failure("PEM text is malformed (bad BEGIN/END lines or base64 body)");
  std::string_view label(name.get());
  std::string_view der(reinterpret_cast<const char*>(data.get()), static_cast<size_t>(len));
  if (label == "PUBLIC KEY") {
    *out = spki_from_der(der);
    if (!*out) return failure("PEM PUBLIC KEY block does not hold a valid SubjectPublicKeyInfo");
  } else if (label == "RSA PUBLIC KEY") {
    const unsigned char* p = bytes(der);
    *out = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len);
    if (!*out) return failure("PEM RSA PUBLIC KEY block does not hold a valid PKCS#1 RSAPublicKey");
  } else if (label == "CERTIFICATE") {
    const unsigned char* p = bytes(der);
    Owned<X509> cert(d2i_X509(nullptr, &p, len));
    if (!cert) return failure("PEM CERTIFICATE block does not hold a valid X.509 certificate");
    *out = X509_get_pubkey(cert.get());  // a new reference
    if (!*out) return failure("the certificate's public key is not one OpenSSL can read");
  } else if (label.find("PRIVATE KEY") != std::string_view::npos) {
    return failure("PEM block is a private key; configure the vendor's public key instead");
  } else {
    return failure("PEM block \"" + std::string(label.substr(0, 40)) +
                   "\" is not a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE");
  }
  return {};
}

KeyParseResult parse_encoded(std::string_view text, EVP_PKEY** out) {
  std::string compact = strip_whitespace(text);
  std::optional<std::string> der;
  // 64 hex digits are also valid base64 (of 48 bytes): hex wins, since 32 bytes is an Ed25519 key.
  if (compact.size() == 64 && is_hex(compact)) der = from_hex(compact);
  if (!der) der = from_base64(compact);
  if (!der || der->empty())
    return failure(
        "key is neither PEM nor base64/hex (expected \"-----BEGIN PUBLIC KEY-----\", base64 of "
        "SubjectPublicKeyInfo DER, or a raw 32-byte Ed25519 key)");
  if (der->size() == 32) {
    *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(*der), der->size());
    if (!*out) return failure("32-byte key is not a valid Ed25519 public key");
    return {};
  }
  *out = spki_from_der(*der);
  if (!*out) return failure("decoded key is not SubjectPublicKeyInfo DER (nor a raw 32-byte Ed25519 key)");
  return {};
}

bool is_p256(EVP_PKEY* pkey) {
  char name[64] = {};
  size_t len = 0;
  if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
    return false;  // explicit curve parameters (no named group): refused
  std::string_view n(name, len);
  return n == "prime256v1" || n == "P-256" || n == "secp256r1";
}

}  // namespace

std::string_view key_type_name(KeyType t) noexcept {
  switch (t) {
    case KeyType::ec_p256:
      return "ec_p256";
    case KeyType::ed25519:
      return "ed25519";
    case KeyType::rsa:
      return "rsa";
  }
  return "rsa";
}

KeyParseResult PublicKey::parse(std::string_view text) {
  ClearErrorsOnExit clear;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) return failure("key is empty");
  if (text.size() > 64 * 1024) return failure("key text is over 64 KiB; not a public key");
  EVP_PKEY* pkey = nullptr;
  KeyParseResult r = text.starts_with("-----BEGIN ") ? parse_pem(text, &pkey) : parse_encoded(text, &pkey);
  if (!r.error.empty()) {
    EVP_PKEY_free(pkey);
    return r;
  }
  return adopt(pkey);
}

KeyParseResult PublicKey::adopt(EVP_PKEY* raw) {
  std::shared_ptr<EVP_PKEY> pkey(raw, Free{});
  int bits = EVP_PKEY_get_bits(raw);
  switch (EVP_PKEY_get_base_id(raw)) {
    case EVP_PKEY_ED25519:
      return {std::shared_ptr<const PublicKey>(new PublicKey(std::move(pkey), KeyType::ed25519, bits)), {}};
    case EVP_PKEY_EC:
      if (!is_p256(raw)) return failure("EC key is not on curve P-256 (prime256v1); only P-256 is accepted");
      return {std::shared_ptr<const PublicKey>(new PublicKey(std::move(pkey), KeyType::ec_p256, bits)), {}};
    case EVP_PKEY_RSA:
      if (bits < 2048)
        return failure("RSA key has " + std::to_string(bits) + " bits; at least 2048 are required");
      return {std::shared_ptr<const PublicKey>(new PublicKey(std::move(pkey), KeyType::rsa, bits)), {}};
    case EVP_PKEY_RSA_PSS:
      return failure("RSA-PSS-restricted keys are not supported; give a plain RSA key");
    default:
      return failure("unsupported key algorithm; accepted are EC P-256, Ed25519 and RSA (>= 2048 bits)");
  }
}

namespace {

// EVP_DigestVerify over `parts` hashed in order; `md` is null for Ed25519 (which signs the message itself).
bool digest_verify(EVP_PKEY* pkey, const char* md, const std::string_view* parts, size_t count,
                   std::string_view signature) {
  ClearErrorsOnExit clear;
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, pkey, nullptr) != 1) return false;
  for (size_t i = 0; i < count; ++i)
    if (!parts[i].empty() && EVP_DigestVerifyUpdate(ctx.get(), parts[i].data(), parts[i].size()) != 1)
      return false;
  return EVP_DigestVerifyFinal(ctx.get(), bytes(signature), signature.size()) == 1;
}

// r || s (32 bytes each) as the DER SEQUENCE OpenSSL verifies.
std::optional<std::string> raw_ecdsa_to_der(std::string_view raw) {
  Owned<ECDSA_SIG> sig(ECDSA_SIG_new());
  Owned<BIGNUM> r(BN_bin2bn(bytes(raw), 32, nullptr)), s(BN_bin2bn(bytes(raw) + 32, 32, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  Owned<unsigned char> owned(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
}

}  // namespace

bool verify_ecdsa_sha256(const PublicKey& key, const std::string_view* parts, size_t count,
                         std::string_view signature, EcdsaEncoding encoding) {
  if (key.type() != KeyType::ec_p256) return false;
  if (encoding == EcdsaEncoding::raw) {
    if (signature.size() != 64) return false;
    auto der = raw_ecdsa_to_der(signature);
    return der && digest_verify(key.evp_pkey(), "SHA256", parts, count, *der);
  }
  // A P-256 DER signature is at most 72 bytes (two 33-byte INTEGERs plus headers); OpenSSL itself rejects
  // non-canonical DER (it re-encodes and compares).
  if (signature.empty() || signature.size() > 72) return false;
  return digest_verify(key.evp_pkey(), "SHA256", parts, count, signature);
}

bool verify_ed25519(const PublicKey& key, const std::string_view* parts, size_t count,
                    std::string_view signature) {
  if (key.type() != KeyType::ed25519 || signature.size() != 64) return false;
  std::string joined;
  std::string_view message;
  if (count == 1) {
    message = parts[0];
  } else {
    for (size_t i = 0; i < count; ++i)
      joined.append(parts[i]);
    message = joined;
  }
  ClearErrorsOnExit clear;
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.evp_pkey(), nullptr) != 1)
    return false;
  // OpenSSL wants a non-null pointer even for the empty message.
  static const unsigned char kEmpty = 0;
  const unsigned char* m = message.empty() ? &kEmpty : bytes(message);
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), m, message.size()) == 1;
}

bool verify_rsa_pkcs1(const PublicKey& key, Digest digest, const std::string_view* parts, size_t count,
                      std::string_view signature) {
  if (key.type() != KeyType::rsa || digest == Digest::md5) return false;
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.evp_pkey()))) return false;
  std::string md(digest_name(digest));  // "sha256": OpenSSL's digest names are case-insensitive
  return digest_verify(key.evp_pkey(), md.c_str(), parts, count, signature);
}

}  // namespace hookd::crypto
