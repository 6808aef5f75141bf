#include "core/crypto_pk.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace hookd::crypto {
namespace {

// --- OpenSSL helpers: keys and signatures made independently of hookd's code -------------------------------

struct Free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Free>;

std::string unhex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b) << h;
  return b.value_or("");
}
std::string unb64(std::string_view t) {
  auto b = from_base64(t);
  EXPECT_TRUE(b) << t;
  return b.value_or("");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string pem_public(EVP_PKEY* k) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), k), 1);
  return bio_text(bio.get());
}

std::string spki_der(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(k, &der);
  EXPECT_GT(n, 0);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, Free> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, Free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* k = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx.get(), &k, EVP_PKEY_PUBLIC_KEY, params.get()), 1);
  return Pkey(k);
}

// An RSA public key from a JWK's n and e (base64url).
Pkey rsa_from_jwk(std::string_view n, std::string_view e) {
  std::string nb = unb64(n), eb = unb64(e);
  std::unique_ptr<BIGNUM, Free> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()), static_cast<int>(nb.size()), nullptr));
  std::unique_ptr<BIGNUM, Free> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(eb.data()), static_cast<int>(eb.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, Free> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  return from_params("RSA", bld.get());
}

// A P-256 public key from a JWK's x and y (base64url).
Pkey ec_from_jwk(std::string_view x, std::string_view y) {
  std::string point = "\x04" + unb64(x) + unb64(y);
  std::unique_ptr<OSSL_PARAM_BLD, Free> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  return from_params("EC", bld.get());
}

// Signs with OpenSSL directly (md null for Ed25519). ECDSA signatures come out as DER.
std::string openssl_sign(EVP_PKEY* k, const char* md, std::string_view msg) {
  std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), nullptr, md, nullptr, nullptr, k, nullptr), 1);
  size_t len = 0;
  auto m = reinterpret_cast<const unsigned char*>(msg.data());
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, m, msg.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, m, msg.size()), 1);
  sig.resize(len);
  return sig;
}

// DER ECDSA signature -> r || s, 32 bytes each.
std::string der_to_raw(std::string_view der) {
  auto p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, Free> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_TRUE(sig);
  std::string raw(64, '\0');
  auto out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32);
  return raw;
}

std::shared_ptr<const PublicKey> parse_ok(std::string_view text) {
  KeyParseResult r = PublicKey::parse(text);
  EXPECT_TRUE(r.key) << r.error;
  EXPECT_EQ(r.error, "");
  return r.key;
}

std::string flip(std::string s, size_t at = 0) {
  s[at] = static_cast<char>(s[at] ^ 0x01);
  return s;
}

// --- RFC 8032 section 7.1: Ed25519 test vectors TEST 1, 2, 3 -----------------------------------------------

struct Ed25519Vector {
  const char* public_key;
  const char* message;
  const char* signature;
};
const Ed25519Vector kRfc8032[] = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f"
     "0"
     "595bbe24655141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2ea"
     "e"
     "b4302aeeb00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e"
     "9"
     "716ed28dc027beceea1ec40a"},
};

TEST(CryptoPk, Ed25519Rfc8032VectorsVerify) {
  for (const auto& v : kRfc8032) {
    SCOPED_TRACE(v.public_key);
    auto key = parse_ok(v.public_key);  // raw 32-byte key as hex
    ASSERT_TRUE(key);
    EXPECT_EQ(key->type(), KeyType::ed25519);
    std::string msg = unhex(v.message), sig = unhex(v.signature);
    EXPECT_TRUE(verify_ed25519(*key, msg, sig));
    EXPECT_FALSE(verify_ed25519(*key, msg + "x", sig));      // tampered message
    EXPECT_FALSE(verify_ed25519(*key, msg, flip(sig, 10)));  // tampered signature
    EXPECT_FALSE(verify_ed25519(*key, msg, sig.substr(0, 63)));
    EXPECT_FALSE(verify_ed25519(*key, msg, sig + '\0'));
  }
}

TEST(CryptoPk, Ed25519KeyFormsAndParts) {
  const auto& v = kRfc8032[2];
  std::string raw = unhex(v.public_key), sig = unhex(v.signature);
  // The same key as base64 (padded and URL-safe unpadded) and as SPKI PEM.
  auto a = parse_ok(base64(raw));
  auto b = parse_ok(base64(raw, true, false));
  Pkey pk(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                      reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
  auto c = parse_ok(pem_public(pk.get()));
  for (const auto& key : {a, b, c}) {
    ASSERT_TRUE(key);
    EXPECT_TRUE(verify_ed25519(*key, {"\xaf", "\x82"}, sig));  // parts signed as their concatenation
    EXPECT_FALSE(verify_ed25519(*key, {"\xaf", "\x82", ""}, flip(sig, 63)));
  }
  // The wrong vector's key does not verify this signature.
  auto other = parse_ok(kRfc8032[0].public_key);
  EXPECT_FALSE(verify_ed25519(*other, unhex(v.message), sig));
}

// --- RFC 7515 appendix A.2 (RS256) and A.3 (ES256): the published JWS examples and their JWK keys -----------

constexpr std::string_view kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr std::string_view kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-"
    "SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr std::string_view kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t"
    "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_"
    "dO--"
    "xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";
constexpr std::string_view kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

TEST(CryptoPk, RsaRfc7515A2Verifies) {
  Pkey jwk = rsa_from_jwk(kA2N, "AQAB");
  auto key = parse_ok(base64(spki_der(jwk.get())));  // base64 SPKI DER, no PEM armor
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), KeyType::rsa);
  EXPECT_EQ(key->bits(), 2048);
  std::string sig = unb64(kA2Signature);
  std::string_view header = "eyJhbGciOiJSUzI1NiJ9";
  EXPECT_TRUE(verify_rsa_pkcs1(*key, Digest::sha256, {header, ".", kRfc7515Payload}, sig));
  EXPECT_FALSE(verify_rsa_pkcs1(*key, Digest::sha256, {header, ",", kRfc7515Payload}, sig));
  EXPECT_FALSE(verify_rsa_pkcs1(*key, Digest::sha256, {header, ".", kRfc7515Payload}, flip(sig, 100)));
  EXPECT_FALSE(verify_rsa_pkcs1(*key, Digest::sha512, {header, ".", kRfc7515Payload}, sig));
  EXPECT_FALSE(verify_rsa_pkcs1(*key, Digest::md5, {header, ".", kRfc7515Payload}, sig));
  EXPECT_FALSE(verify_rsa_pkcs1(*key, Digest::sha256, {header, ".", kRfc7515Payload}, sig.substr(1)));

  // The same key as PEM PKCS#1 "RSA PUBLIC KEY" (built from i2d_PublicKey, wrapped by hand).
  unsigned char* der = nullptr;
  int n = i2d_PublicKey(jwk.get(), &der);
  ASSERT_GT(n, 0);
  std::string body = base64(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(n)));
  OPENSSL_free(der);
  std::string pem = "-----BEGIN RSA PUBLIC KEY-----\n";
  for (size_t i = 0; i < body.size(); i += 64)
    pem += body.substr(i, 64) + "\n";
  pem += "-----END RSA PUBLIC KEY-----\n";
  auto pkcs1 = parse_ok(pem);
  ASSERT_TRUE(pkcs1);
  EXPECT_TRUE(verify_rsa_pkcs1(*pkcs1, Digest::sha256,
                               std::string(header) + "." + std::string(kRfc7515Payload), sig));
}

TEST(CryptoPk, EcdsaRfc7515A3RawVerifiesAndEncodingIsStrict) {
  Pkey jwk = ec_from_jwk(kA3X, kA3Y);
  auto key = parse_ok(pem_public(jwk.get()));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), KeyType::ec_p256);
  std::string sig = unb64(kA3Signature);
  ASSERT_EQ(sig.size(), 64u);
  std::string_view header = "eyJhbGciOiJFUzI1NiJ9";
  EXPECT_TRUE(verify_ecdsa_sha256(*key, {header, ".", kRfc7515Payload}, sig, EcdsaEncoding::raw));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, {header, ".", kRfc7515Payload}, sig, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, {header, ".", kRfc7515Payload}, flip(sig, 40), EcdsaEncoding::raw));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, {header, "."}, sig, EcdsaEncoding::raw));
  EXPECT_FALSE(
      verify_ecdsa_sha256(*key, {header, ".", kRfc7515Payload}, sig.substr(0, 63), EcdsaEncoding::raw));
}

// --- ECDSA with DER signatures from keys and signatures made by OpenSSL itself ------------------------------

TEST(CryptoPk, EcdsaDerSignedByOpenSsl) {
  Pkey priv(EVP_EC_gen("P-256")), other(EVP_EC_gen("P-256"));
  ASSERT_TRUE(priv && other);
  auto key = parse_ok(pem_public(priv.get()));
  auto wrong = parse_ok(base64(spki_der(other.get()), true, false));
  ASSERT_TRUE(key && wrong);
  std::string msg = "1700000000.{\"event\":\"ping\"}";
  std::string der = openssl_sign(priv.get(), "SHA256", msg);
  EXPECT_TRUE(verify_ecdsa_sha256(*key, msg, der, EcdsaEncoding::der));
  EXPECT_TRUE(
      verify_ecdsa_sha256(*key, {"1700000000", ".", "{\"event\":\"ping\"}"}, der, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, msg + " ", der, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, msg, flip(der, der.size() - 1), EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*wrong, msg, der, EcdsaEncoding::der));
  // Strict per encoding: the DER signature is not raw, its raw form is not DER.
  std::string raw = der_to_raw(der);
  EXPECT_FALSE(verify_ecdsa_sha256(*key, msg, der, EcdsaEncoding::raw));
  EXPECT_TRUE(verify_ecdsa_sha256(*key, msg, raw, EcdsaEncoding::raw));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, msg, raw, EcdsaEncoding::der));
  // DER with a trailing byte is not canonical.
  EXPECT_FALSE(verify_ecdsa_sha256(*key, msg, der + '\0', EcdsaEncoding::der));
}

TEST(CryptoPk, RsaSignedByOpenSslWithEachDigest) {
  Pkey priv(EVP_RSA_gen(2048));
  ASSERT_TRUE(priv);
  auto key = parse_ok(pem_public(priv.get()));
  ASSERT_TRUE(key);
  struct Case {
    Digest d;
    const char* md;
  } cases[] = {{Digest::sha1, "SHA1"}, {Digest::sha256, "SHA256"}, {Digest::sha512, "SHA512"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.md);
    std::string sig = openssl_sign(priv.get(), c.md, "payload");
    EXPECT_TRUE(verify_rsa_pkcs1(*key, c.d, {"pay", "load"}, sig));
    EXPECT_FALSE(verify_rsa_pkcs1(*key, c.d, "payload!", sig));
  }
}

TEST(CryptoPk, WrongKeyTypeNeverVerifies) {
  Pkey ec(EVP_EC_gen("P-256"));
  auto ec_key = parse_ok(pem_public(ec.get()));
  auto ed_key = parse_ok(kRfc8032[0].public_key);
  ASSERT_TRUE(ec_key && ed_key);
  std::string ed_sig = unhex(kRfc8032[0].signature);
  std::string ec_sig = openssl_sign(ec.get(), "SHA256", "");
  EXPECT_TRUE(verify_ed25519(*ed_key, "", ed_sig));
  EXPECT_TRUE(verify_ecdsa_sha256(*ec_key, "", ec_sig, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ed25519(*ec_key, "", ed_sig));
  EXPECT_FALSE(verify_ecdsa_sha256(*ed_key, "", ec_sig, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*ed_key, "", ed_sig, EcdsaEncoding::raw));
  EXPECT_FALSE(verify_rsa_pkcs1(*ec_key, Digest::sha256, "", ec_sig));
  EXPECT_FALSE(verify_rsa_pkcs1(*ed_key, Digest::sha256, "", ed_sig));
}

// --- Keys that must be refused, with a message that says why -------------------------------------------------

void expect_refused(std::string_view text, std::string_view words) {
  KeyParseResult r = PublicKey::parse(text);
  EXPECT_FALSE(r.key);
  EXPECT_NE(r.error.find(words), std::string::npos) << "error: " << r.error;
}

TEST(CryptoPk, WeakOrUnsupportedKeysAreRefused) {
  Pkey rsa1024(EVP_RSA_gen(1024)), p384(EVP_EC_gen("P-384"));
  ASSERT_TRUE(rsa1024 && p384);
  expect_refused(pem_public(rsa1024.get()), "1024 bits");
  expect_refused(pem_public(p384.get()), "P-256");
  Pkey x25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ASSERT_TRUE(x25519);
  expect_refused(pem_public(x25519.get()), "unsupported key algorithm");
}

TEST(CryptoPk, MalformedKeyTextHasClearError) {
  expect_refused("", "empty");
  expect_refused("  \n ", "empty");
  expect_refused("not a key at all!", "neither PEM nor base64");
  expect_refused("-----BEGIN PUBLIC KEY-----\n%%%%\n-----END PUBLIC KEY-----\n", "PEM text is malformed");
  expect_refused("-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n", "SubjectPublicKeyInfo");
  expect_refused("-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n", "X.509");
  expect_refused(base64(std::string(48, 'k')), "not SubjectPublicKeyInfo");
  expect_refused(base64(std::string(31, 'k')), "not SubjectPublicKeyInfo");
  Pkey ec(EVP_EC_gen("P-256"));
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), ec.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::string private_pem = bio_text(bio.get());
  expect_refused(private_pem, "private key");
  // The error never echoes the key text back.
  EXPECT_EQ(PublicKey::parse(private_pem).error.find(private_pem.substr(30, 20)), std::string::npos);
  // An SPKI with trailing bytes is not one key.
  expect_refused(base64(spki_der(ec.get()) + "x"), "not SubjectPublicKeyInfo");
}

TEST(CryptoPk, CertificateContributesItsKey) {
  Pkey priv(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, Free> cert(X509_new());
  ASSERT_TRUE(priv && cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), priv.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("vendor"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  ASSERT_GT(X509_sign(cert.get(), priv.get(), EVP_sha256()), 0);
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_X509(bio.get(), cert.get()), 1);
  auto key = parse_ok("\n" + bio_text(bio.get()));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), KeyType::ec_p256);
  std::string sig = openssl_sign(priv.get(), "SHA256", "body");
  EXPECT_TRUE(verify_ecdsa_sha256(*key, "body", sig, EcdsaEncoding::der));
  EXPECT_FALSE(verify_ecdsa_sha256(*key, "bodY", sig, EcdsaEncoding::der));
}

// --- Hostile signatures: truncated, extended, garbage, every length; false and no sanitizer report -----------

TEST(CryptoPk, GarbageSignaturesAreFalseNeverACrash) {
  Pkey ec(EVP_EC_gen("P-256")), rsa(EVP_RSA_gen(2048));
  auto ec_key = parse_ok(pem_public(ec.get()));
  auto rsa_key = parse_ok(pem_public(rsa.get()));
  auto ed_key = parse_ok(kRfc8032[0].public_key);
  ASSERT_TRUE(ec_key && rsa_key && ed_key);
  std::string der = openssl_sign(ec.get(), "SHA256", "m");
  std::string rsa_sig = openssl_sign(rsa.get(), "SHA256", "m");
  std::string ed_sig = unhex(kRfc8032[0].signature);
  std::vector<std::string> sigs;
  for (size_t n = 0; n <= 600; n += (n < 80 ? 1 : 37)) {
    sigs.push_back(std::string(n, '\0'));
    sigs.push_back(std::string(n, '\xff'));
    std::string pattern;
    for (size_t i = 0; i < n; ++i)
      pattern.push_back(static_cast<char>(i * 131 + 7));
    sigs.push_back(pattern);
  }
  for (size_t n = 0; n < der.size(); ++n)
    sigs.push_back(der.substr(0, n));
  for (size_t n = 0; n < rsa_sig.size(); n += 17)
    sigs.push_back(rsa_sig.substr(0, n));
  sigs.push_back("\x30\x81\xff\x02\x01\x01");          // DER with a length past the end
  sigs.push_back("\x30\x06\x02\x01\x00\x02\x01\x00");  // r = s = 0
  std::string zero_raw(64, '\0');
  sigs.push_back(zero_raw);
  for (const auto& s : sigs) {
    EXPECT_FALSE(verify_ecdsa_sha256(*ec_key, "m", s, EcdsaEncoding::der));
    EXPECT_FALSE(verify_ecdsa_sha256(*ec_key, "m", s, EcdsaEncoding::raw));
    EXPECT_FALSE(verify_ed25519(*ed_key, "", s));
    EXPECT_FALSE(verify_rsa_pkcs1(*rsa_key, Digest::sha256, "m", s));
  }
  // The real ones still verify after all that (no state was disturbed).
  EXPECT_TRUE(verify_ecdsa_sha256(*ec_key, "m", der, EcdsaEncoding::der));
  EXPECT_TRUE(verify_rsa_pkcs1(*rsa_key, Digest::sha256, "m", rsa_sig));
  EXPECT_TRUE(verify_ed25519(*ed_key, "", ed_sig));
}

TEST(CryptoPk, OneKeyVerifiesFromManyThreads) {
  Pkey ec(EVP_EC_gen("P-256"));
  auto key = parse_ok(pem_public(ec.get()));
  ASSERT_TRUE(key);
  std::string sig = openssl_sign(ec.get(), "SHA256", "shared");
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < ok.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        ok[t] += verify_ecdsa_sha256(*key, "shared", sig, EcdsaEncoding::der) &&
                 !verify_ecdsa_sha256(*key, "shared!", sig, EcdsaEncoding::der);
    });
  for (auto& th : threads)
    th.join();
  for (int n : ok)
    EXPECT_EQ(n, 25);
}

}  // namespace
}  // namespace hookd::crypto
