// A throwaway certificate authority for TLS tests, generated with OpenSSL's API at run time (no checked-in
// keys, no openssl CLI): a self-signed CA and server certificates it issues for chosen DNS names and IP
// addresses. Keys are P-256, signatures SHA-256. Files live in a fresh temporary directory, removed with the
// object.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace hookd::test {

struct TestCertificate {
  std::string cert_file;  // PEM, the leaf certificate
  std::string key_file;   // PEM, its private key
};

class TestPki {
 public:
  // Creates the CA. Returns nullptr and sets `error` on failure.
  static std::unique_ptr<TestPki> create(std::string* error = nullptr);
  ~TestPki();

  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

  // Issues a server certificate (serverAuth) with these subjectAltNames. `name` names the files. Empty files
  // on failure, with `error` set.
  TestCertificate issue(const std::string& name, const std::vector<std::string>& dns_names,
                        const std::vector<std::string>& ip_addresses, std::string* error = nullptr);

 private:
  TestPki() = default;
  struct Keys;
  std::unique_ptr<Keys> ca_;
  std::string dir_;
  std::string ca_file_;
  long serial_ = 1;
};

}  // namespace hookd::test
