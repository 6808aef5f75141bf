// The verification model beyond one HMAC over the body: secret encodings, candidate lists, JSONata parts,
// alternatives, timestamp tolerance and the unkeyed formats (digest, equals, basic). Expected values are
// computed here with OpenSSL directly or taken from the vendors' published vectors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ingest/signature.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

std::string openssl_hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string openssl_digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string b64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// A request as the signature stage sees it; the context is the payload context (headers copied into it as
// the context stage does).
struct Request {
  json::Value context;
  json::Value headers;
  std::string raw_body;
  int64_t now_millis = 1'700'000'000'000;

  Request(std::string_view context_json, std::string_view headers_json, std::string body)
      : context(parse(context_json)), headers(parse(headers_json)), raw_body(std::move(body)) {
    json::ObjectBuilder b(context);
    b.set("headers", headers);
    context = std::move(b).build();
  }
  SignatureVerdict check(const SignatureVerifier& v) const {
    return v.verify(VerifyScope{{context, headers, raw_body}, nullptr, now_millis, nullptr});
  }
};

SignatureVerifier compile(std::string_view config, std::string_view tolerance = {}) {
  auto v = SignatureVerifier::create(parse(config), tolerance.empty() ? json::Value() : parse(tolerance));
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message);
  return std::move(v).value();
}

std::string headers_with(std::string_view name, std::string_view value) {
  json::ObjectBuilder b;
  b.set(name, json::Value(value));
  return json::dump(std::move(b).build());
}

// Standard Webhooks (Svix and others): base64 secret with a whsec_ prefix, "v1,<base64>" candidates separated
// by spaces. The vector is the one standard-webhooks' libraries test with (secret, id, timestamp, payload and
// signature as published in github.com/standard-webhooks/standard-webhooks, libraries/*/ tests).
TEST(SignatureFormats, StandardWebhooksPublishedVector) {
  auto v = compile(R"({"format":"hmac","config":{"secret":"{{context.secret}}","secret_encoding":"base64",
      "string_type":"base64","compare_with":"{{headers.webhook-signature}}","separator":" ","prefix":"v1,",
      "parts":["{{headers.webhook-id}}",".","{{headers.webhook-timestamp}}",".","raw_body"]},
      "timestamp_tolerance":{"value":"{{headers.webhook-timestamp}}","max_age_seconds":300}})");
  auto request = [](std::string_view signature) {
    json::ObjectBuilder h;
    h.set("webhook-id", json::Value("msg_p5jXN8AQM9LWM0D4loKWxJek"))
        .set("webhook-timestamp", json::Value("1614265330"))
        .set("webhook-signature", json::Value(signature));
    Request r(R"({"context":{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})",
              json::dump(std::move(h).build()), R"({"test": 2432232314})");
    r.now_millis = 1614265330'000 + 10'000;
    return r;
  };
  EXPECT_TRUE(request("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=").check(v).ok());
  EXPECT_TRUE(
      request(
          "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
          .check(v)
          .ok())
      << "a key roll sends two signatures: either may match";
  EXPECT_EQ(request("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(request("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=").check(v).failure,
            SignatureFailure::signature_missing)
      << "no candidate with the v1, prefix";
  Request stale = request("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  stale.now_millis = 1614265330'000 + 301'000;
  EXPECT_EQ(stale.check(v).failure, SignatureFailure::timestamp_outside_tolerance);
  Request future = request("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  future.now_millis = 1614265330'000 - 301'000;
  EXPECT_EQ(future.check(v).failure, SignatureFailure::timestamp_outside_tolerance);
}

// Stripe: "t=<unix>,v1=<hex>,v1=<hex>"; the signed text is "<t>.<body>", t taken out of the header by JSONata.
TEST(SignatureFormats, StripeWithAJsonataPartAndTolerance) {
  auto v = compile(R"({"format":"hmac","config":{"secret":"{{context.secret}}","string_type":"hex",
      "compare_with":"{{headers.stripe-signature}}","separator":",","prefix":"v1=",
      "parts":[{"jsonata":"$match(headers.`stripe-signature`, /(?:^|,)t=([0-9]+)/).groups[0]"},".","raw_body"]},
      "timestamp_tolerance":{"value":{"jsonata":"$match(headers.`stripe-signature`, /(?:^|,)t=([0-9]+)/).groups[0]"},
        "format":"unix_seconds","max_age_seconds":300}})");
  std::string body = R"({"id":"evt_1","type":"charge.succeeded"})";
  std::string sig = hex(openssl_hmac(EVP_sha256(), "whsec_test", "1700000000." + body));
  auto request = [&](std::string header, int64_t now_s = 1700000100) {
    Request r(R"({"context":{"secret":"whsec_test"}})", headers_with("stripe-signature", header), body);
    r.now_millis = now_s * 1000;
    return r;
  };
  EXPECT_TRUE(request("t=1700000000,v1=" + sig).check(v).ok());
  EXPECT_TRUE(request("t=1700000000,v1=" + std::string(64, 'a') + ",v1=" + sig + ",v0=00").check(v).ok());
  EXPECT_EQ(request("t=1700000001,v1=" + sig).check(v).failure, SignatureFailure::signature_mismatch);
  EXPECT_EQ(request("t=1700000000,v1=" + sig, 1700000000 + 301).check(v).failure,
            SignatureFailure::timestamp_outside_tolerance);
  EXPECT_EQ(request("v1=" + sig).check(v).failure, SignatureFailure::signed_part_missing);
}

TEST(SignatureFormats, SecretEncodingsAndBase64Url) {
  std::string key("\x01\x02\xff\x00\x10", 5);
  std::string mac = openssl_hmac(EVP_sha256(), key, "body");
  std::string url_safe = b64(mac);
  for (char& c : url_safe)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!url_safe.empty() && url_safe.back() == '=')
    url_safe.pop_back();
  auto hex_key = compile(R"({"format":"hmac","config":{"secret":"{{context.k}}","secret_encoding":"hex",
      "string_type":"base64url","compare_with":"{{headers.sig}}"}})");
  EXPECT_TRUE(Request(R"({"context":{"k":"0102ff0010"}})", headers_with("sig", url_safe), "body")
                  .check(hex_key)
                  .ok());
  EXPECT_EQ(
      Request(R"({"context":{"k":"not hex"}})", headers_with("sig", url_safe), "body").check(hex_key).failure,
      SignatureFailure::secret_invalid);
  auto b64_key = compile(R"({"format":"hmac","config":{"secret":"{{context.k}}","secret_encoding":"base64",
      "string_type":"base64","compare_with":"{{headers.sig}}"}})");
  EXPECT_TRUE(
      Request(R"({"context":{"k":"AQL/ABA="}})", headers_with("sig", b64(mac)), "body").check(b64_key).ok());
  EXPECT_TRUE(Request(R"({"context":{"k":"whsec_AQL/ABA="}})", headers_with("sig", b64(mac)), "body")
                  .check(b64_key)
                  .ok());
  auto utf8 = compile(R"({"format":"hmac","config":{"secret":"{{context.k}}","string_type":"base64",
      "compare_with":"{{headers.sig}}"}})");
  EXPECT_EQ(
      Request(R"({"context":{"k":"AQL/ABA="}})", headers_with("sig", b64(mac)), "body").check(utf8).failure,
      SignatureFailure::signature_mismatch)
      << "utf8 (the default) signs with the text of the secret";
}

// DocuSign Connect: one HMAC per configured key, in X-DocuSign-Signature-1, -2, ...; any may match.
TEST(SignatureFormats, SeveralSignatureHeaders) {
  auto v = compile(R"({"format":"hmac","config":{"secret":"{{context.k}}","string_type":"base64",
      "compare_with":["{{headers.x-docusign-signature-1}}","{{headers.x-docusign-signature-2}}",
                      "{{headers.x-docusign-signature-3}}"]}})");
  std::string sig = b64(openssl_hmac(EVP_sha256(), "key", "payload"));
  json::ObjectBuilder h;
  h.set("x-docusign-signature-1", json::Value(b64("other key's")))
      .set("x-docusign-signature-2", json::Value(sig));
  std::string headers = json::dump(std::move(h).build());
  EXPECT_TRUE(Request(R"({"context":{"k":"key"}})", headers, "payload").check(v).ok())
      << "the third header is absent: the others still count";
  EXPECT_EQ(Request(R"({"context":{"k":"key"}})", headers, "tampered").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request(R"({"context":{"k":"key"}})", "{}", "payload").check(v).failure,
            SignatureFailure::signature_missing);
}

// An expression may return the candidates itself.
TEST(SignatureFormats, CandidatesFromAnExpression) {
  auto v = compile(R"({"format":"hmac","config":{"secret":"k","string_type":"hex",
      "compare_with":{"jsonata":"[body.signatures.value]"}}})");
  std::string sig = hex(openssl_hmac(EVP_sha256(), "k", "raw"));
  Request r(R"({"context":{},"body":{"signatures":[{"value":"00"},{"value":")" + sig + R"("}]}})", "{}",
            "raw");
  EXPECT_TRUE(r.check(v).ok());
  Request none(R"({"context":{},"body":{}})", "{}", "raw");
  EXPECT_EQ(none.check(v).failure, SignatureFailure::signature_missing);
}

// Box: a primary and a secondary key, each its own alternative; an unset secondary is not an error while the
// primary matches, and a tampered request is a 401 (not the secondary's 500).
TEST(SignatureFormats, AlternativesPassIfAnyPasses) {
  auto v = compile(R"([
      {"format":"hmac","config":{"secret":"{{context.primary}}","string_type":"base64",
        "compare_with":"{{headers.box-signature-primary}}"}},
      {"format":"hmac","config":{"secret":"{{context.secondary}}","string_type":"base64",
        "compare_with":"{{headers.box-signature-secondary}}"}}])");
  std::string body = "{}";
  json::ObjectBuilder h;
  h.set("box-signature-primary", json::Value(b64(openssl_hmac(EVP_sha256(), "old", body))))
      .set("box-signature-secondary", json::Value(b64(openssl_hmac(EVP_sha256(), "new", body))));
  std::string headers = json::dump(std::move(h).build());
  EXPECT_TRUE(Request(R"({"context":{"primary":"old"}})", headers, body).check(v).ok());
  EXPECT_TRUE(Request(R"({"context":{"primary":"rotated","secondary":"new"}})", headers, body).check(v).ok());
  EXPECT_EQ(Request(R"({"context":{"primary":"old"}})", headers, "{\"x\":1}").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request(R"({"context":{}})", headers, body).check(v).failure, SignatureFailure::secret_missing);
  EXPECT_EQ(v.secret_context_fields(), (std::vector<std::string>{"primary", "secondary"}));
}

// When no alternative passes, the answer names the one that got furthest: a signature found and refused says
// more than another scheme's absent header, whichever order they are listed in.
TEST(SignatureFormats, TheFailureOfTheAlternativeThatGotFurthestIsReported) {
  auto v = compile(R"([{"format":"hmac","config":{"secret":"k","compare_with":"{{headers.v3}}"}},
                       {"format":"hmac","config":{"secret":"k","compare_with":"{{headers.v1}}"}}])");
  EXPECT_EQ(Request("{}", headers_with("v1", "00"), "b").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request("{}", headers_with("v3", "00"), "b").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request("{}", "{}", "b").check(v).failure, SignatureFailure::signature_missing);
}

// HubSpot v2: SHA-256 hex of client secret + method + URI + body (here without the URL part).
TEST(SignatureFormats, Digest) {
  auto v = compile(R"({"format":"digest","config":{"algorithm":"sha256",
      "compare_with":"{{headers.x-hubspot-signature}}","parts":["{{context.client_secret}}","raw_body"]}})");
  std::string body = R"([{"eventId":1}])";
  std::string sig = hex(openssl_digest(EVP_sha256(), "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy" + body));
  const char* ctx = R"({"context":{"client_secret":"yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"}})";
  EXPECT_TRUE(Request(ctx, headers_with("x-hubspot-signature", sig), body).check(v).ok());
  EXPECT_EQ(Request(ctx, headers_with("x-hubspot-signature", sig), body + " ").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(v.secret_context_fields(), (std::vector<std::string>{"client_secret"}));
  std::string unkeyed_sig = hex(openssl_digest(EVP_sha256(), body));
  EXPECT_EQ(
      Request(R"({"context":{"client_secret":""}})", headers_with("x-hubspot-signature", unkeyed_sig), body)
          .check(v)
          .failure,
      SignatureFailure::secret_missing)
      << "an empty secret part must not leave a digest anyone can compute";
  EXPECT_EQ(
      Request(R"({"context":{}})", headers_with("x-hubspot-signature", unkeyed_sig), body).check(v).failure,
      SignatureFailure::secret_missing);
  auto unkeyed = SignatureVerifier::create(parse(R"({"format":"digest","config":{"compare_with":"x"}})"));
  ASSERT_FALSE(unkeyed.ok());
  EXPECT_EQ(
      unkeyed.error().message,
      "signature_verification.config.parts: is required: an unkeyed digest of the body alone proves nothing");
}

// Microsoft Graph's clientState, a static shared token.
TEST(SignatureFormats, Equals) {
  auto v = compile(R"({"format":"equals","config":{"secret":"{{context.client_state}}",
      "compare_with":{"jsonata":"body.value.clientState"}}})");
  const char* ctx_ok = R"({"context":{"client_state":"secret state"},
      "body":{"value":[{"clientState":"secret state"},{"clientState":"secret state"}]}})";
  EXPECT_TRUE(Request(ctx_ok, "{}", "").check(v).ok());
  const char* ctx_bad =
      R"({"context":{"client_state":"secret state"},"body":{"value":[{"clientState":"guess"}]}})";
  EXPECT_EQ(Request(ctx_bad, "{}", "").check(v).failure, SignatureFailure::signature_mismatch);
  auto header = compile(R"({"format":"equals","config":{"secret":"Bearer {{context.token}}",
      "compare_with":"{{headers.authorization}}"}})");
  EXPECT_TRUE(Request(R"({"context":{"token":"t 1"}})", headers_with("authorization", "Bearer t 1"), "")
                  .check(header)
                  .ok())
      << "no separator by default: the whole value is compared";
  EXPECT_EQ(Request(R"({"context":{"token":""}})", headers_with("authorization", "Bearer "), "")
                .check(header)
                .failure,
            SignatureFailure::secret_missing)
      << "an empty credential never matches, even inside a literal";
  EXPECT_EQ(Request(R"({"context":{}})", headers_with("authorization", "Bearer x"), "").check(header).failure,
            SignatureFailure::secret_missing);
}

TEST(SignatureFormats, Basic) {
  auto v =
      compile(R"({"format":"basic","config":{"username":"{{context.user}}","password":"{{context.pass}}"}})");
  const char* ctx = R"({"context":{"user":"hook","pass":"p:w"}})";
  EXPECT_TRUE(Request(ctx, headers_with("authorization", "Basic " + b64("hook:p:w")), "").check(v).ok());
  EXPECT_TRUE(Request(ctx, headers_with("authorization", "basic " + b64("hook:p:w")), "").check(v).ok());
  EXPECT_EQ(Request(ctx, headers_with("authorization", "Basic " + b64("hook:p")), "").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request(ctx, headers_with("authorization", "Bearer " + b64("hook:p:w")), "").check(v).failure,
            SignatureFailure::signature_mismatch);
  EXPECT_EQ(Request(ctx, "{}", "").check(v).failure, SignatureFailure::signature_missing);
}

TEST(SignatureFormats, TimestampFormats) {
  auto rule = [](std::string_view format, std::string_view value) {
    std::string config = R"({"format":"equals","config":{"secret":"s","compare_with":"{{headers.t}}"},
        "timestamp_tolerance":{"value":"{{headers.ts}}","format":")" +
                         std::string(format) + R"(","max_age_seconds":60,"max_future_seconds":5}})";
    json::ObjectBuilder h;
    h.set("t", json::Value("s")).set("ts", json::Value(value));
    Request r("{}", json::dump(std::move(h).build()), "");
    r.now_millis = 1'700'000'000'000;
    return r.check(compile(config)).failure;
  };
  EXPECT_EQ(rule("unix_seconds", "1699999950"), SignatureFailure::none);
  EXPECT_EQ(rule("unix_seconds", "1699999939"), SignatureFailure::timestamp_outside_tolerance);
  EXPECT_EQ(rule("unix_seconds", "1700000006"), SignatureFailure::timestamp_outside_tolerance);
  EXPECT_EQ(rule("unix_seconds", "1700000004"), SignatureFailure::none);
  EXPECT_EQ(rule("unix_ms", "1699999950000"), SignatureFailure::none);
  EXPECT_EQ(rule("unix_ms", "1699999939999"), SignatureFailure::timestamp_outside_tolerance);
  EXPECT_EQ(rule("iso8601", "2023-11-14T22:13:00Z"), SignatureFailure::none);
  EXPECT_EQ(rule("iso8601", "2023-11-14T22:11:00Z"), SignatureFailure::timestamp_outside_tolerance);
  EXPECT_EQ(rule("unix_seconds", "yesterday"), SignatureFailure::timestamp_invalid);
  EXPECT_EQ(rule("unix_seconds", "-5"), SignatureFailure::timestamp_invalid);
  EXPECT_EQ(rule("iso8601", "1700000000"), SignatureFailure::timestamp_invalid);
}

// The webhook section's tolerance applies to every alternative.
TEST(SignatureFormats, SectionLevelTolerance) {
  auto v = compile(R"([{"format":"equals","config":{"secret":"a","compare_with":"{{headers.t}}"}},
                       {"format":"equals","config":{"secret":"b","compare_with":"{{headers.t}}"}}])",
                   R"({"value":"{{headers.ts}}","max_age_seconds":10})");
  json::ObjectBuilder h;
  h.set("t", json::Value("b")).set("ts", json::Value("1699999000"));
  Request r("{}", json::dump(std::move(h).build()), "");
  EXPECT_EQ(r.check(v).failure, SignatureFailure::timestamp_outside_tolerance);
  Request no_ts("{}", headers_with("t", "b"), "");
  EXPECT_EQ(no_ts.check(v).failure, SignatureFailure::timestamp_missing);
}

TEST(SignatureFormats, ConfigErrorsNameTheField) {
  struct Case {
    const char* config;
    const char* error;
  } cases[] = {
      {R"([])", "signature_verification: must not be an empty array"},
      {R"([{"format":"hmac","config":{"secret":"k","compare_with":"x"}},{"format":"hmac","config":{}}])",
       "signature_verification[1].config.secret: is required"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","secret_encoding":"b64"}})",
       "signature_verification.config.secret_encoding: must be one of 'utf8', 'base64', 'hex'"},
      {R"({"format":"hmac","config":{"secret":{"jsonata":"context.k"},"compare_with":"x"}})",
       "signature_verification.config.secret: must be a string template"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":{"jsonata":"$$$("}}})",
       "signature_verification.config.compare_with.jsonata: JSONata"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":{"expr":"x"}}})",
       "signature_verification.config.compare_with: must be a string template or {\"jsonata\": "
       "\"<expression>\"}"},
      {R"({"format":"equals","config":{"secret":"k","compare_with":"x","algorithm":"sha1"}})",
       "signature_verification.config.algorithm: unknown field (secret, compare_with, prefix, separator)"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x"},"timestamp_tolerance":{"value":"x"}})",
       "signature_verification.timestamp_tolerance.max_age_seconds: is required"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x"},
          "timestamp_tolerance":{"value":"x","max_age_seconds":300,"format":"unix"}})",
       "signature_verification.timestamp_tolerance.format: must be unix_seconds, unix_ms or iso8601"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x"},
          "timestamp_tolerance":{"value":"x","max_age_seconds":0.5}})",
       "signature_verification.timestamp_tolerance.max_age_seconds: must be a whole number of seconds from 1 "
       "to "
       "31622400"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x"},
          "timestamp_tolerance":{"value":"x","max_age_seconds":60,"leeway":1}})",
       "signature_verification.timestamp_tolerance.leeway: unknown field (value, format, max_age_seconds, "
       "max_future_seconds)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto v = SignatureVerifier::create(parse(c.config));
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, IngestErrc::invalid_config);
    EXPECT_EQ(v.error().message.substr(0, std::string_view(c.error).size()), c.error);
  }
}

}  // namespace
}  // namespace hookd::ingest
