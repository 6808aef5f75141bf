#include "ingest/signature.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

struct Request {
  json::Value context;
  json::Value headers;
  std::string raw_body;
  TemplateScope scope() const { return {context, headers, raw_body}; }
  VerifyScope vscope() const { return {scope(), nullptr, 0, nullptr}; }
};

TEST(Template, RendersPathsHeadersAndLiterals) {
  Request r{parse(R"({"context":{"secret":"s3","n":42},"body":{"items":[{"id":"x"}]},
                      "environment_variables":{"KEY":"k"}})"),
            parse(R"({"x-ts":"1700000000"})"), "{\"a\":1}"};
  struct Case {
    const char* tmpl;
    const char* want;
  } cases[] = {
      {"{{context.secret}}", "s3"},
      {"{{credentials.secret}}", "s3"},
      {"{{ context.n }}", "42"},
      {"v0:{{headers.x-ts}}:{{raw_body}}", "v0:1700000000:{\"a\":1}"},
      {"{{headers.X-TS}}", "1700000000"},
      {"$header.x-ts", "1700000000"},
      {"{{$header.X-Ts}}", "1700000000"},
      {"$body", "{\"a\":1}"},
      {"raw_body", "{\"a\":1}"},
      {"{{body.items.0.id}}", "x"},
      {"{{environment_variables.KEY}}", "k"},
      {"literal only", "literal only"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tmpl);
    auto t = Template::compile(c.tmpl, "test");
    ASSERT_TRUE(t.ok()) << t.error().message;
    std::string out;
    EXPECT_TRUE(t->render(r.scope(), out).ok());
    EXPECT_EQ(out, c.want);
  }
}

TEST(Template, MissingValuesAreReported) {
  Request r{parse(R"({"context":{}})"), parse("{}"), ""};
  for (const char* tmpl : {"{{context.secret}}", "{{headers.x-sig}}", "a{{body.x}}b"}) {
    SCOPED_TRACE(tmpl);
    std::string out;
    Status s = Template::compile(tmpl, "f")->render(r.scope(), out);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, IngestErrc::missing_value);
    EXPECT_FALSE(s.error().message.empty());
  }
}

TEST(Template, CompileErrorsNameTheField) {
  struct Case {
    const char* tmpl;
    const char* error;
  } cases[] = {
      {"{{context.secret", "f: unclosed {{ in '{{context.secret'"},
      {"{{}}", "f: empty placeholder {{}}"},
      {"{{context..x}}", "f: empty path segment in {{context..x}}"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tmpl);
    auto t = Template::compile(c.tmpl, "f");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().message, c.error);
  }
}

json::Value shopify_config() {
  return parse(R"({"format":"hmac","config":{"secret":"{{context.webhook_secret}}","algorithm":"sha256",
      "string_type":"base64","compare_with":"{{headers.x-shopify-hmac-sha256}}","parts":["raw_body"]}})");
}

TEST(SignatureVerifier, ShopifyBase64OverRawBody) {
  auto v = SignatureVerifier::create(shopify_config());
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::string body = R"({"id":820982911946154508,"email":"jon@example.com"})";
  std::string sig = crypto::base64(crypto::hmac(crypto::Digest::sha256, "shpss_123", body));
  json::ObjectBuilder h;
  h.set("x-shopify-hmac-sha256", json::Value(sig));
  Request r{parse(R"({"context":{"webhook_secret":"shpss_123"}})"), std::move(h).build(), body};
  EXPECT_EQ(v->verify(r.vscope()).failure, SignatureFailure::none);

  Request tampered = r;
  tampered.raw_body[10] = '9';
  EXPECT_EQ(v->verify(tampered.vscope()).failure, SignatureFailure::signature_mismatch);

  Request no_header{r.context, parse("{}"), body};
  EXPECT_EQ(v->verify(no_header.vscope()).failure, SignatureFailure::signature_missing);

  Request no_secret{parse(R"({"context":{}})"), r.headers, body};
  EXPECT_EQ(v->verify(no_secret.vscope()).failure, SignatureFailure::secret_missing);
}

TEST(SignatureVerifier, GitHubPublishedVectorWithPrefix) {
  auto v = SignatureVerifier::create(parse(R"({"format":"hmac","config":{
      "secret":"{{environment_variables.GITHUB_SECRET}}","algorithm":"sha256","string_type":"hex",
      "compare_with":"{{headers.x-hub-signature-256}}","prefix":"sha256="}})"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  Request r{parse(R"({"environment_variables":{"GITHUB_SECRET":"It's a Secret to Everybody"}})"),
            parse(R"({"x-hub-signature-256":
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"})"),
            "Hello, World!"};
  EXPECT_EQ(v->verify(r.vscope()).failure, SignatureFailure::none);
  Request upper = r;
  upper.headers = parse(R"({"x-hub-signature-256":
      "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17"})");
  EXPECT_EQ(v->verify(upper.vscope()).failure, SignatureFailure::none) << "hex is case-insensitive";
  Request no_prefix = r;
  no_prefix.headers = parse(R"({"x-hub-signature-256":
      "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"})");
  EXPECT_EQ(v->verify(no_prefix.vscope()).failure, SignatureFailure::signature_missing)
      << "no candidate carries the prefix";
}

TEST(SignatureVerifier, SlackStyleParts) {
  auto v =
      SignatureVerifier::create(parse(R"({"format":"hmac","config":{"secret":"{{credentials.signing_secret}}",
      "algorithm":"SHA-256","string_type":"hex","compare_with":"{{headers.x-slack-signature}}","prefix":"v0=",
      "parts":["v0:","$header.x-slack-request-timestamp",":","$body"]}})"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::string body = "token=x&team_id=T1";
  std::string mac = crypto::hex(
      crypto::hmac(crypto::Digest::sha256, "8f742231b10e8888abcd99yyyzzz85a5", "v0:1531420618:" + body));
  json::ObjectBuilder h;
  h.set("x-slack-request-timestamp", json::Value("1531420618"));
  h.set("x-slack-signature", json::Value("v0=" + mac));
  Request r{parse(R"({"context":{"signing_secret":"8f742231b10e8888abcd99yyyzzz85a5"}})"),
            std::move(h).build(), body};
  EXPECT_EQ(v->verify(r.vscope()).failure, SignatureFailure::none);

  Request no_ts{r.context, parse(R"({"x-slack-signature":"v0=00"})"), body};
  EXPECT_EQ(v->verify(no_ts.vscope()).failure, SignatureFailure::signed_part_missing);
}

TEST(SignatureVerifier, AlgorithmsAndEncodings) {
  struct Case {
    const char* algorithm;
    crypto::Digest digest;
    const char* string_type;
  } cases[] = {{"sha1", crypto::Digest::sha1, "hex"},
               {"sha256", crypto::Digest::sha256, "base64"},
               {"sha512", crypto::Digest::sha512, "hex"},
               {"sha384", crypto::Digest::sha384, "base64"},
               {"md5", crypto::Digest::md5, "hex"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.algorithm);
    auto v = SignatureVerifier::create(parse(std::string(R"({"format":"hmac","config":{"secret":"k",)") +
                                             "\"algorithm\":\"" + c.algorithm + "\",\"string_type\":\"" +
                                             c.string_type + "\",\"compare_with\":\"{{headers.sig}}\"}}"));
    ASSERT_TRUE(v.ok()) << v.error().message;
    std::string mac = crypto::hmac(c.digest, "k", "body");
    std::string encoded =
        std::string(c.string_type) == "hex" ? crypto::hex(mac) : crypto::base64(mac, true, false);
    json::ObjectBuilder h;
    h.set("sig", json::Value(encoded));
    Request r{parse("{}"), std::move(h).build(), "body"};
    EXPECT_EQ(v->verify(r.vscope()).failure, SignatureFailure::none);
  }
}

TEST(SignatureVerifier, AnyOfSeveralSignaturesMatches) {
  auto v = SignatureVerifier::create(parse(R"({"format":"hmac","config":{"secret":"k","string_type":"hex",
      "compare_with":"{{headers.sig}}","prefix":"v1="}})"));
  std::string good = crypto::hex(crypto::hmac(crypto::Digest::sha256, "k", "b"));
  json::ObjectBuilder h;
  h.set("sig", json::Value("t=1,v1=deadbeef,v1=" + good));
  Request r{parse("{}"), std::move(h).build(), "b"};
  EXPECT_EQ(v->verify(r.vscope()).failure, SignatureFailure::none);
}

TEST(SignatureVerifier, InvalidConfigsAreRejectedWithTheField) {
  struct Case {
    const char* config;
    const char* error;
  } cases[] = {
      {R"("hmac")", "signature_verification: must be an object"},
      {R"({"format":"rsa","config":{}})",
       "signature_verification.format: unsupported format 'rsa' (supported: hmac, digest, equals, basic, "
       "ecdsa, "
       "ed25519, jwt)"},
      {R"({"format":"hmac"})", "signature_verification.config: must be an object"},
      {R"({"format":"hmac","config":{"compare_with":"{{headers.s}}"}})",
       "signature_verification.config.secret: is required"},
      {R"({"format":"hmac","config":{"secret":"k"}})",
       "signature_verification.config.compare_with: is required"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","algorithm":"sha3"}})",
       "signature_verification.config.algorithm: unsupported algorithm '\"sha3\"' (sha1, sha256, sha384, "
       "sha512, md5)"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","string_type":"binary"}})",
       "signature_verification.config.string_type: must be 'hex', 'base64' or 'base64url'"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","parts":[]}})",
       "signature_verification.config.parts: must be a non-empty array ('raw_body', templates or "
       "{\"jsonata\": "
       "...})"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","parts":["raw_body",3]}})",
       "signature_verification.config.parts[1]: must be a string template or {\"jsonata\": "
       "\"<expression>\"}"},
      {R"({"format":"hmac","config":{"secret":"{{context.x","compare_with":"x"}})",
       "signature_verification.config.secret: unclosed {{ in '{{context.x'"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x","algoritm":"sha1"}})",
       "signature_verification.config.algoritm: unknown field (secret, compare_with, algorithm, string_type, "
       "parts, prefix, separator, secret_encoding)"},
      {R"({"format":"hmac","config":{"secret":"k","compare_with":"x"},"extra":1})",
       "signature_verification.extra: unknown field (format, config, timestamp_tolerance)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    auto v = SignatureVerifier::create(parse(c.config));
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, IngestErrc::invalid_config);
    EXPECT_EQ(v.error().message, c.error);
  }
}

}  // namespace
}  // namespace hookd::ingest
