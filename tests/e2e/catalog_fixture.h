// What the catalog's vendor tests share: hookd in test mode (so that a request may say what time it is, and
// vendors' published vectors with old timestamps can be checked), the vendor's catalog file installed for one
// account, and requests built as the vendor builds them.
#pragma once

#include <optional>

#include <openssl/evp.h>

#include "e2e_fixture.h"

namespace hookd::test {

// Keyed and unkeyed hashes with OpenSSL directly (not hookd's crypto): the tests check hookd, not itself.
std::string hmac_of(const EVP_MD* md, std::string_view key, std::string_view data);
std::string digest_of(const EVP_MD* md, std::string_view data);

class CatalogTest : public E2eTest {
 protected:
  // HOOKD_PUBLIC_URL: what vendors that sign the URL they call (Twilio, Square, Trello, HubSpot) sign.
  static constexpr const char* kPublicUrl = "https://hooks.example.com";
  // The URL a vendor calls for an account: what `url` is in the payload context.
  static std::string public_url(const std::string& account_id, const std::string& query = "") {
    return std::string(kPublicUrl) + "/integrated-account-webhook/" + account_id + query;
  }

  std::map<std::string, std::string> hookd_env() override;

  // The catalog entry integrations/<vendor>.json (the whole file).
  static json::Value catalog_entry(const std::string& vendor);
  // An account with `context_json` of the vendor's catalog config (added under the name "catalog-<vendor>"
  // and installed on first use); returns the account's id.
  std::string install(const std::string& vendor, const std::string& context_json);

 public:
  struct VendorRequest {
    std::string method = "POST";
    std::string query;  // "?a=b", exactly as sent
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<int64_t> now_seconds;  // sent as X-Hookd-Test-Clock
  };

 protected:
  HttpResult send(const std::string& account_id, const VendorRequest& request);

  // A 2xx whose events are published: what hookd answers an accepted event by default.
  static void expect_accepted(const HttpResult& r, size_t events = 1);
  // A 401 naming `code`.
  static void expect_refused(const HttpResult& r, std::string_view code);

 private:
  std::map<std::string, std::string> installs_;  // vendor -> environment integration id
};

// Requests as vendors build them, and what the tests read from hookd's answers.
using Headers = std::vector<std::pair<std::string, std::string>>;
// `headers` with a Content-Type.
Headers with_type(Headers headers, const std::string& content_type = "application/json");
// A JSON POST, sent at the vendor's clock `now` (seconds) when given.
CatalogTest::VendorRequest post(std::string body, Headers headers, std::optional<int64_t> now = {});
std::string hex_hmac(const EVP_MD* md, std::string_view key, std::string_view data);
std::string hex_hmac(std::string_view key, std::string_view data);  // SHA-256
std::string b64_hmac(std::string_view key, std::string_view data);  // SHA-256
// The type of the i-th event an accepted request made, and the error code of a refusal.
std::string event_of(const HttpResult& r, size_t i = 0);
std::string error_of(const HttpResult& r);

}  // namespace hookd::test
