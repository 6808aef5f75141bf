#include "test_pki.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hookd::test {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

std::string openssl_error(const char* what) {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  return std::string(what) + ": " + buf;
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value, std::string* error) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (!ext) return fail(error, openssl_error(("extension " + value).c_str()));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return true;
}

// A certificate for `key` named `common_name`, signed by `issuer_key` (self-signed when `issuer` is null).
CertPtr make_certificate(EVP_PKEY* key, const std::string& common_name, long serial, X509* issuer,
                         EVP_PKEY* issuer_key, const std::vector<std::pair<int, std::string>>& extensions,
                         std::string* error) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("hookd tests"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions)
    if (!add_extension(cert.get(), &ctx, nid, value, error)) return nullptr;
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    fail(error, openssl_error("X509_sign"));
    return nullptr;
  }
  return cert;
}

bool write_pem(const std::string& path, X509* cert, EVP_PKEY* key, std::string* error) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return fail(error, "cannot write " + path);
  bool ok = cert ? PEM_write_X509(f, cert) == 1
                 : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  return ok || fail(error, openssl_error(("PEM write " + path).c_str()));
}

}  // namespace

struct TestPki::Keys {
  KeyPtr key;
  CertPtr cert;
};

std::unique_ptr<TestPki> TestPki::create(std::string* error) {
  std::unique_ptr<TestPki> pki(new TestPki());
  std::string dir_template = (std::filesystem::temp_directory_path() / "hookd-pki-XXXXXX").string();
  if (!mkdtemp(dir_template.data())) {
    fail(error, "mkdtemp failed");
    return nullptr;
  }
  pki->dir_ = dir_template;
  pki->ca_ = std::make_unique<Keys>();
  pki->ca_->key.reset(EVP_EC_gen("P-256"));
  if (!pki->ca_->key) {
    fail(error, openssl_error("EVP_EC_gen"));
    return nullptr;
  }
  pki->ca_->cert =
      make_certificate(pki->ca_->key.get(), "hookd test CA", pki->serial_++, nullptr, pki->ca_->key.get(),
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"},
                        {NID_subject_key_identifier, "hash"}},
                       error);
  if (!pki->ca_->cert) return nullptr;
  pki->ca_file_ = pki->dir_ + "/ca.pem";
  if (!write_pem(pki->ca_file_, pki->ca_->cert.get(), nullptr, error)) return nullptr;
  return pki;
}

TestPki::~TestPki() {
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

TestCertificate TestPki::issue(const std::string& name, const std::vector<std::string>& dns_names,
                               const std::vector<std::string>& ip_addresses, std::string* error) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    fail(error, openssl_error("EVP_EC_gen"));
    return {};
  }
  std::string san;
  for (const auto& d : dns_names)
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses)
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  if (!san.empty()) extensions.emplace_back(NID_subject_alt_name, san);
  CertPtr cert =
      make_certificate(key.get(), name, serial_++, ca_->cert.get(), ca_->key.get(), extensions, error);
  if (!cert) return {};
  TestCertificate out{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
  if (!write_pem(out.cert_file, cert.get(), nullptr, error) ||
      !write_pem(out.key_file, nullptr, key.get(), error))
    return {};
  return out;
}

}  // namespace hookd::test
