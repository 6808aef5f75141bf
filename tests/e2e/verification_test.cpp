// Rules of signature_verification that no catalog vendor exercises alone, through the running hookd: HTTP
// Basic credentials, the test clock honoured only in test mode, a bad config refused when stored with its
// field named, an account without its secret answered 500 (never a match), hex secrets with base64url
// signatures, RS256 tokens and raw ECDSA signatures with keys made here, and `url` behind a trusted proxy.
#include <openssl/x509.h>

#include <memory>

#include "catalog_fixture.h"

namespace hookd::test {
namespace {

class Verification : public E2eTest {};  // not in test mode

constexpr const char* kTolerant = R"({"webhook":{"signature_verification":{"format":"hmac","config":{
  "secret":"{{context.secret}}","string_type":"hex","compare_with":"{{headers.x-sig}}",
  "parts":["{{headers.x-ts}}",".","raw_body"]},
  "timestamp_tolerance":{"value":"{{headers.x-ts}}","max_age_seconds":300}}}})";

HttpResult post(uint16_t port, const std::string& account, const std::string& body,
                std::vector<std::pair<std::string, std::string>> headers) {
  headers.emplace_back("Content-Type", "application/json");
  return http_call(port, "POST", "/integrated-account-webhook/" + account, body, headers);
}

// Without HOOKD_TEST_MODE a request cannot choose the time it is judged at: a stale request stays stale.
TEST_F(Verification, TheTestClockHeaderIsIgnoredOutsideTestMode) {
  std::string account = add_account("tolerant", kTolerant, R"({"secret":"k"})");
  const std::string body = R"({"id":"e1","type":"thing.created"})";
  const std::string old_ts = "1700000000";
  std::string sig = to_hex(hmac_of(EVP_sha256(), "k", old_ts + "." + body));
  auto stale =
      post(hookd_->port(), account, body, {{"X-Sig", sig}, {"X-Ts", old_ts}, {"X-Hookd-Test-Clock", old_ts}});
  EXPECT_EQ(stale.status, 401) << stale.body;
  EXPECT_EQ(stale.json().get("error").string_or(""), "timestamp_outside_tolerance") << stale.body;

  std::string now = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  auto fresh = post(hookd_->port(), account, body,
                    {{"X-Sig", to_hex(hmac_of(EVP_sha256(), "k", now + "." + body))}, {"X-Ts", now}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
}

TEST_F(Verification, BasicCredentials) {
  std::string account =
      add_account("basic", R"({"webhook":{"signature_verification":{"format":"basic","config":{
        "username":"{{context.user}}","password":"{{context.password}}"}}}})",
                  R"({"user":"vendor","password":"pa:ss"})");
  auto call = [&](std::vector<std::pair<std::string, std::string>> headers) {
    return post(hookd_->port(), account, R"({"id":"b1","type":"x.created"})", std::move(headers));
  };
  EXPECT_EQ(call({{"Authorization", "Basic " + to_base64("vendor:pa:ss")}}).status, 200);
  auto wrong = call({{"Authorization", "Basic " + to_base64("vendor:pass")}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json().get("error").string_or(""), "signature_mismatch") << wrong.body;
  EXPECT_EQ(wrong.body.find("pa:ss"), std::string::npos) << "an expected value never reaches the answer";
  EXPECT_EQ(call({}).json().get("error").string_or(""), "signature_missing");
}

TEST_F(Verification, AnAccountWithoutItsSecretIs500NeverAMatch) {
  std::string account = add_account("tolerant", kTolerant, R"({"secret":""})");
  const std::string body = "{}";
  auto res = post(hookd_->port(), account, body,
                  {{"X-Sig", to_hex(hmac_of(EVP_sha256(), "", "1." + body))}, {"X-Ts", "1"}});
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.json().get("error").string_or(""), "signature_secret_missing") << res.body;
}

TEST_F(Verification, ABadConfigIsRefusedWhenStoredNamingTheField) {
  struct Case {
    const char* config;
    const char* field;
  } cases[] = {
      {R"({"webhook":{"signature_verification":{"format":"rsa","config":{}}}})",
       "signature_verification.format"},
      {R"({"webhook":{"signature_verification":[{"format":"hmac","config":{"secret":"{{context.s}}",
        "compare_with":"{{headers.x}}","algoritm":"sha1"}}]}})",
       "signature_verification[0].config.algoritm"},
      {R"({"webhook":{"signature_verification":{"format":"ecdsa","config":{"public_key":"not a key",
        "compare_with":"{{headers.x}}"}}}})",
       "signature_verification.config.public_key"},
      {R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"{{context.s}}",
        "compare_with":"{{headers.x}}"},"timestamp_tolerance":{"value":"{{headers.t}}","max_age_seconds":300,
        "format":"unix"}}}})",
       "signature_verification.timestamp_tolerance.format"},
      {R"({"webhook":{"timestamp_tolerance":{"value":"{{headers.t}}","max_age_seconds":300}}})",
       "webhook.timestamp_tolerance"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto res = operator_call("POST", "/integration",
                             R"({"name":"bad-)" + std::to_string(n++) + R"(","config":)" + c.config + "}");
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_NE(res.json().get("message").string_or("").find(c.field), std::string::npos) << res.body;
  }
}

std::string url_safe(std::string b64) {
  for (char& c : b64)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b64.empty() && b64.back() == '=')
    b64.pop_back();
  return b64;
}

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string spki_base64(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  std::string out = to_base64(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(n)));
  OPENSSL_free(der);
  return out;
}

std::string sign_sha256(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  sig.resize(len);
  return sig;
}

// An ECDSA DER signature as r||s (32 bytes each), as JWS ES256 and some vendors send it.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  unsigned char out[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32);
  return std::string(reinterpret_cast<char*>(out), 64);
}

TEST_F(Verification, HexSecretsAndBase64UrlSignatures) {
  std::string account = add_account(
      "hexkey", R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"{{context.key}}",
        "secret_encoding":"hex","string_type":"base64url","compare_with":"{{headers.x-sig}}"}}}})",
      R"({"key":"00ff10a0"})");
  const std::string body = R"({"id":"h1"})";
  std::string sig = url_safe(to_base64(hmac_of(EVP_sha256(), std::string("\x00\xff\x10\xa0", 4), body)));
  EXPECT_EQ(post(hookd_->port(), account, body, {{"X-Sig", sig}}).status, 200);
  auto text_key = url_safe(to_base64(hmac_of(EVP_sha256(), "00ff10a0", body)));
  EXPECT_EQ(post(hookd_->port(), account, body, {{"X-Sig", text_key}}).status, 401)
      << "the key is the decoded bytes";
}

TEST_F(Verification, Rs256TokensAndRawEcdsaSignatures) {
  Pkey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), &EVP_PKEY_free);
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
  std::string jwt_account = add_account(
      "rs256", R"({"webhook":{"signature_verification":{"format":"jwt","config":{"algorithms":["RS256"],
        "public_key":"{{context.key}}","claims":{"aud":"hookd"}}}}})",
      R"({"key":")" + spki_base64(rsa.get()) + R"("})");
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto token = [&](EVP_PKEY* key, const std::string& claims) {
    std::string input =
        url_safe(to_base64(R"({"alg":"RS256","typ":"JWT"})")) + "." + url_safe(to_base64(claims));
    return input + "." + url_safe(to_base64(sign_sha256(key, input)));
  };
  std::string claims = R"({"aud":"hookd","exp":)" + std::to_string(now + 60) + "}";
  const std::string body = R"({"id":"j1"})";
  EXPECT_EQ(post(hookd_->port(), jwt_account, body, {{"Authorization", "Bearer " + token(rsa.get(), claims)}})
                .status,
            200);
  Pkey other(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), &EVP_PKEY_free);
  auto forged =
      post(hookd_->port(), jwt_account, body, {{"Authorization", "Bearer " + token(other.get(), claims)}});
  EXPECT_EQ(forged.json().get("error").string_or(""), "token_invalid") << forged.body;
  auto wrong_aud =
      post(hookd_->port(), jwt_account, body,
           {{"Authorization",
             "Bearer " + token(rsa.get(), R"({"aud":"x","exp":)" + std::to_string(now + 60) + "}")}});
  EXPECT_EQ(wrong_aud.json().get("error").string_or(""), "claim_mismatch") << wrong_aud.body;

  std::string ec_account = add_account(
      "rawec",
      R"({"webhook":{"signature_verification":{"format":"ecdsa","config":{"public_key":"{{context.key}}",
        "signature_encoding":"raw","string_type":"hex","compare_with":"{{headers.x-sig}}"}}}})",
      R"({"key":")" + spki_base64(ec.get()) + R"("})");
  std::string raw = der_to_raw(sign_sha256(ec.get(), body));
  EXPECT_EQ(post(hookd_->port(), ec_account, body, {{"X-Sig", to_hex(raw)}}).status, 200);
  raw[5] ^= 1;
  EXPECT_EQ(post(hookd_->port(), ec_account, body, {{"X-Sig", to_hex(raw)}}).status, 401);
}

// `url` from X-Forwarded-Proto and X-Forwarded-Host, only because the peer (127.0.0.1) is a trusted proxy.
class TrustedProxy : public E2eTest {
 protected:
  std::map<std::string, std::string> hookd_env() override {
    auto env = E2eTest::hookd_env();
    env["HOOKD_TRUSTED_PROXIES"] = "127.0.0.1/32";
    return env;
  }
};

TEST_F(TrustedProxy, TheForwardedUrlIsSigned) {
  std::string account = add_account(
      "square-like", R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"k",
        "string_type":"base64","compare_with":"{{headers.x-sig}}","parts":["{{url}}","raw_body"]}}}})");
  const std::string body = R"({"id":"p1"})";
  const std::string url = "https://hooks.example.org/integrated-account-webhook/" + account + "?a=1";
  std::string sig = to_base64(hmac_of(EVP_sha256(), "k", url + body));
  auto call = [&](std::vector<std::pair<std::string, std::string>> headers) {
    headers.emplace_back("Content-Type", "application/json");
    return http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account + "?a=1", body,
                     headers);
  };
  EXPECT_EQ(call({{"X-Sig", sig}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "hooks.example.org"}})
                .status,
            200);
  auto other_host =
      call({{"X-Sig", sig}, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "evil.example"}});
  EXPECT_EQ(other_host.json().get("error").string_or(""), "signature_mismatch") << other_host.body;
  auto no_url = call({{"X-Sig", sig}});
  EXPECT_EQ(no_url.status, 401) << no_url.body;
  EXPECT_EQ(no_url.json().get("error").string_or(""), "signed_part_missing")
      << "no url from the Host header alone";
}

}  // namespace
}  // namespace hookd::test
