// The public-key formats through SignatureVerifier: ed25519 with RFC 8032's vectors, ecdsa with keys and
// signatures made here by OpenSSL directly (SendGrid-style), and jwt with tokens built here.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include <memory>

#include "ingest/signature.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

std::string b64(std::string_view bytes, bool url = false) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  if (url) {
    for (char& c : out)
      c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=')
      out.pop_back();
  }
  return out;
}

struct Request {
  json::Value context;
  json::Value headers;
  std::string raw_body;
  int64_t now_millis = 1'700'000'000'000;
  SignatureVerdict check(const SignatureVerifier& v) const {
    return v.verify(VerifyScope{{context, headers, raw_body}, nullptr, now_millis, nullptr});
  }
};

Request request(std::string_view context_json,
                std::initializer_list<std::pair<std::string, std::string>> headers, std::string body) {
  json::ObjectBuilder h;
  for (const auto& [k, v] : headers)
    h.set(k, json::Value(v));
  return Request{parse(context_json), std::move(h).build(), std::move(body)};
}

Result<SignatureVerifier> create(const std::string& config) {
  return SignatureVerifier::create(parse(config));
}

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
TEST(SignatureKeys, Ed25519Rfc8032Vectors) {
  auto v = create(R"({"format":"ed25519","config":{"string_type":"hex","compare_with":"{{headers.sig}}",
      "public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  const std::string sig1 =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5"
      "f0595bbe24655141438e7a100b";
  EXPECT_TRUE(request("{}", {{"sig", sig1}}, "").check(*v).ok());
  EXPECT_EQ(request("{}", {{"sig", sig1}}, "r").check(*v).failure, SignatureFailure::signature_mismatch);

  auto v2 = create(R"({"format":"ed25519","config":{"string_type":"hex","compare_with":"{{headers.sig}}",
      "public_key":"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"}})");
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  const std::string sig2 =
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2e"
      "aeb4302aeeb00d291612bb0c00";
  EXPECT_TRUE(request("{}", {{"sig", sig2}}, "r").check(*v2).ok());
  EXPECT_EQ(request("{}", {{"sig", sig1}}, "r").check(*v2).failure, SignatureFailure::signature_mismatch);
  EXPECT_EQ(request("{}", {{"sig", "zz"}}, "r").check(*v2).failure, SignatureFailure::signature_mismatch);
}

struct EcKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                           &EVP_PKEY_free};
  std::string spki_base64() const {
    unsigned char* der = nullptr;
    int n = i2d_PUBKEY(pkey.get(), &der);
    std::string out = b64(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(n)));
    OPENSSL_free(der);
    return out;
  }
  std::string sign(std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get());
    size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
    return sig;
  }
};

// SendGrid's Event Webhook: ECDSA P-256 over timestamp + body, DER signature in base64, the verification key
// as base64 SPKI DER (in the account context here).
TEST(SignatureKeys, EcdsaSendGridStyle) {
  EcKey key, other;
  auto v = create(R"({"format":"ecdsa","config":{"public_key":"{{context.verification_key}}",
      "compare_with":"{{headers.x-twilio-email-event-webhook-signature}}",
      "parts":["{{headers.x-twilio-email-event-webhook-timestamp}}","raw_body"]}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::string body = R"([{"email":"a@example.com","event":"delivered"}])";
  std::string sig = b64(key.sign("1700000000" + body));
  std::string ctx = R"({"context":{"verification_key":")" + key.spki_base64() + R"("}})";
  auto req = [&](std::string s, std::string b) {
    return request(ctx,
                   {{"x-twilio-email-event-webhook-signature", std::move(s)},
                    {"x-twilio-email-event-webhook-timestamp", "1700000000"}},
                   std::move(b));
  };
  EXPECT_TRUE(req(sig, body).check(*v).ok());
  EXPECT_EQ(req(sig, body + " ").check(*v).failure, SignatureFailure::signature_mismatch);
  EXPECT_EQ(req(b64(other.sign("1700000000" + body)), body).check(*v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(req("not base64 at all!", body).check(*v).failure, SignatureFailure::signature_mismatch);
  Request bad_key = req(sig, body);
  bad_key.context = parse(R"({"context":{"verification_key":"bm90IGEga2V5"}})");
  EXPECT_EQ(bad_key.check(*v).failure, SignatureFailure::secret_invalid);
  EXPECT_EQ(v->secret_context_fields(), (std::vector<std::string>{"verification_key"}));
}

TEST(SignatureKeys, LiteralKeysAreCheckedWhenTheConfigIsStored) {
  auto bad =
      create(R"({"format":"ecdsa","config":{"public_key":"bm90IGEga2V5","compare_with":"{{headers.s}}"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("signature_verification.config.public_key: ", 0), 0u)
      << bad.error().message;
  auto wrong_type = create(R"({"format":"ecdsa","config":{"compare_with":"{{headers.s}}",
      "public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().message.find("public_key"), std::string::npos) << wrong_type.error().message;
}

std::string hs256_token(std::string_view secret, std::string_view claims_json,
                        std::string_view alg = "HS256") {
  std::string signing_input =
      b64(R"({"alg":")" + std::string(alg) + R"(","typ":"JWT"})", true) + "." + b64(claims_json, true);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &len);
  return signing_input + "." + b64(std::string_view(reinterpret_cast<char*>(mac), len), true);
}

TEST(SignatureKeys, JwtHs256WithClaims) {
  auto v = create(R"({"format":"jwt","config":{"algorithms":["HS256"],"secret":"{{context.shared_secret}}",
      "compare_with":["{{headers.authorization}}","{{query.jwt}}"],"claims":{"iss":"{{context.client_key}}"}}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  const char* ctx = R"({"context":{"shared_secret":"s3cr3t","client_key":"ck-1"},"query":{}})";
  std::string good = hs256_token("s3cr3t", R"({"iss":"ck-1","exp":1700000100,"iat":1700000000})");
  EXPECT_TRUE(request(ctx, {{"authorization", "JWT " + good}}, "").check(*v).ok());
  EXPECT_TRUE(request(ctx, {{"authorization", "Bearer " + good}}, "").check(*v).ok());
  Request in_query = request(
      R"({"context":{"shared_secret":"s3cr3t","client_key":"ck-1"},"query":{"jwt":")" + good + R"("}})", {},
      "");
  EXPECT_TRUE(in_query.check(*v).ok()) << "the token may come in the query";

  EXPECT_EQ(
      request(ctx, {{"authorization", "JWT " + hs256_token("other", R"({"iss":"ck-1","exp":1700000100})")}},
              "")
          .check(*v)
          .failure,
      SignatureFailure::token_invalid);
  EXPECT_EQ(
      request(ctx, {{"authorization", "JWT " + hs256_token("s3cr3t", R"({"iss":"ck-2","exp":1700000100})")}},
              "")
          .check(*v)
          .failure,
      SignatureFailure::claim_mismatch);
  EXPECT_EQ(
      request(ctx, {{"authorization", "JWT " + hs256_token("s3cr3t", R"({"iss":"ck-1","exp":1699999999})")}},
              "")
          .check(*v)
          .failure,
      SignatureFailure::token_expired);
  EXPECT_EQ(request(ctx,
                    {{"authorization",
                      "JWT " + hs256_token("s3cr3t", R"({"iss":"ck-1","exp":1700000100,"nbf":1700000050})")}},
                    "")
                .check(*v)
                .failure,
            SignatureFailure::token_not_yet_valid);
  EXPECT_EQ(request(ctx, {{"authorization", "JWT " + hs256_token("s3cr3t", R"({"iss":"ck-1"})")}}, "")
                .check(*v)
                .failure,
            SignatureFailure::token_invalid)
      << "exp is required by default";
  std::string none =
      b64(R"({"alg":"none"})", true) + "." + b64(R"({"iss":"ck-1","exp":1700000100})", true) + ".";
  EXPECT_EQ(request(ctx, {{"authorization", "JWT " + none}}, "").check(*v).failure,
            SignatureFailure::token_invalid);
  EXPECT_EQ(request(ctx, {{"authorization", "JWT"}}, "").check(*v).failure,
            SignatureFailure::signature_missing);
}

TEST(SignatureKeys, JwtConfigErrors) {
  struct Case {
    const char* config;
    const char* error;
  } cases[] = {
      {R"({"format":"jwt","config":{"secret":"s"}})",
       "signature_verification.config.algorithms: is required: a non-empty array of HS256, RS256, ES256"},
      {R"({"format":"jwt","config":{"algorithms":["none"],"secret":"s"}})",
       "signature_verification.config.algorithms[0]: must be HS256, RS256 or ES256"},
      {R"({"format":"jwt","config":{"algorithms":["HS256"]}})",
       "signature_verification.config.secret: is required for HS256"},
      {R"({"format":"jwt","config":{"algorithms":["RS256"]}})",
       "signature_verification.config.public_key: is required for RS256 and ES256"},
      {R"({"format":"jwt","config":{"algorithms":["HS256"],"secret":"s","leeway_seconds":-1}})",
       "signature_verification.config.leeway_seconds: must be a whole number of seconds from 0 to 300"},
      {R"({"format":"jwt","config":{"algorithms":["HS256"],"secret":"s","query_string_hash":"md5"}})",
       "signature_verification.config.query_string_hash: must be one of 'none', 'atlassian_connect'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto v = create(c.config);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().message, c.error);
  }
}

}  // namespace
}  // namespace hookd::ingest
