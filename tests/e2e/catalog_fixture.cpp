#include "catalog_fixture.h"

#include <fstream>
#include <sstream>

#include <openssl/hmac.h>

namespace hookd::test {

std::string hmac_of(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string digest_of(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

Headers with_type(Headers headers, const std::string& content_type) {
  headers.emplace_back("Content-Type", content_type);
  return headers;
}
CatalogTest::VendorRequest post(std::string body, Headers headers, std::optional<int64_t> now) {
  return {"POST", "", std::move(body), with_type(std::move(headers)), now};
}
std::string hex_hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  return to_hex(hmac_of(md, key, data));
}
std::string hex_hmac(std::string_view key, std::string_view data) {
  return hex_hmac(EVP_sha256(), key, data);
}
std::string b64_hmac(std::string_view key, std::string_view data) {
  return to_base64(hmac_of(EVP_sha256(), key, data));
}
std::string event_of(const HttpResult& r, size_t i) {
  return std::string(r.json().get("events").at(i).get("event").string_or(""));
}
std::string error_of(const HttpResult& r) {
  return std::string(r.json().get("error").string_or(""));
}

std::map<std::string, std::string> CatalogTest::hookd_env() {
  auto env = E2eTest::hookd_env();
  env["HOOKD_TEST_MODE"] = "true";
  env["HOOKD_PUBLIC_URL"] = kPublicUrl;
  return env;
}

json::Value CatalogTest::catalog_entry(const std::string& vendor) {
  std::string path = std::string(HOOKD_SOURCE_DIR) + "/integrations/" + vendor + ".json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json::Value v;
  EXPECT_TRUE(json::parse(text.str(), v)) << path;
  EXPECT_TRUE(v.get("config").is_object()) << path << " has no config";
  return v;
}

std::string CatalogTest::install(const std::string& vendor, const std::string& context_json) {
  auto it = installs_.find(vendor);
  if (it == installs_.end()) {
    std::string name = "catalog-" + vendor;
    auto added = operator_call(
        "POST", "/integration",
        R"({"name":")" + name + R"(","config":)" + json::dump(catalog_entry(vendor).get("config")) + "}");
    EXPECT_EQ(added.status, 201) << added.body;
    auto installed = admin("POST", "/environment-integration", R"({"integration_id":")" + name + R"("})");
    EXPECT_EQ(installed.status, 201) << installed.body;
    it = installs_.emplace(vendor, std::string(installed.json().get("id").string_or(""))).first;
  }
  auto account = admin("POST", "/integrated-account",
                       R"({"tenant_id":"acme","environment_integration_id":")" + it->second +
                           R"(","authentication_method":"api_key","context":)" + context_json + "}");
  EXPECT_EQ(account.status, 201) << account.body;
  return std::string(account.json().get("id").string_or(""));
}

HttpResult CatalogTest::send(const std::string& account_id, const VendorRequest& request) {
  auto headers = request.headers;
  if (request.now_seconds) headers.emplace_back("X-Hookd-Test-Clock", std::to_string(*request.now_seconds));
  return http_call(hookd_->port(), request.method,
                   "/integrated-account-webhook/" + account_id + request.query, request.body, headers);
}

void CatalogTest::expect_accepted(const HttpResult& r, size_t events) {
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().get("status").string_or(""), "accepted") << r.body;
  EXPECT_EQ(r.json().get("events").size(), events) << r.body;
}

void CatalogTest::expect_refused(const HttpResult& r, std::string_view code) {
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.json().get("error").string_or(""), code) << r.body;
}

}  // namespace hookd::test
