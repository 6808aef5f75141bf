// The vendor-facing request side: the payload context's `url` (public base URL, trusted proxies, never the Host
// header), replies built from configuration (verification_response, accept_response) and the store-time checks
// of the webhook section's new fields.
#include "ingest/request_url.h"

#include <gtest/gtest.h>

#include "ingest/payload_context.h"
#include "ingest/pipeline.h"
#include "ingest/reply.h"
#include "ingest/webhook_config.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

std::vector<http::Cidr> cidrs(std::initializer_list<const char*> list) {
  std::vector<http::Cidr> out;
  for (const char* c : list)
    out.push_back(http::Cidr::parse(c).value());
  return out;
}

struct Call {
  http::Request req;
  std::string remote;
  Call(std::string target, std::string remote_address,
       std::vector<std::pair<std::string, std::string>> headers = {})
      : req{http::Verb::get, target, 11}, remote(std::move(remote_address)) {
    req.set(bhttp::field::host, "attacker.example");
    for (auto& [k, v] : headers)
      req.insert(k, v);
  }
  std::optional<std::string> url(std::string_view public_url, const std::vector<http::Cidr>& proxies) {
    http::RequestContext ctx{req, req.target(), {}, {}, remote, {}};
    return request_url(ctx, public_url, proxies);
  }
};

TEST(PayloadContextUrl, PublicUrlPlusTheTargetAsSent) {
  Call c("/integrated-account-webhook/a1?challenge=a%2Fb&x=1+2&x=%zz", "203.0.113.9");
  EXPECT_EQ(c.url("https://hooks.example.com", {}),
            "https://hooks.example.com/integrated-account-webhook/a1?challenge=a%2Fb&x=1+2&x=%zz")
      << "the query string is not decoded or re-encoded";
  EXPECT_EQ(c.url("https://example.com/hookd", {}),
            "https://example.com/hookd/integrated-account-webhook/a1?challenge=a%2Fb&x=1+2&x=%zz");
}

TEST(PayloadContextUrl, TrustedProxySuppliesSchemeAndHost) {
  Call c(
      "/integrated-account-webhook/a1?q=1", "10.1.2.3",
      {{"X-Forwarded-Proto", "https, http"}, {"X-Forwarded-Host", "hooks.example.com:8443, evil.example"}});
  EXPECT_EQ(c.url("", cidrs({"10.0.0.0/8"})),
            "https://hooks.example.com:8443/integrated-account-webhook/a1?q=1");
  EXPECT_EQ(c.url("https://configured.example", cidrs({"10.0.0.0/8"})),
            "https://configured.example/integrated-account-webhook/a1?q=1")
      << "HOOKD_PUBLIC_URL takes precedence";
  Call v6("/x", "::1", {{"X-Forwarded-Proto", "HTTP"}, {"X-Forwarded-Host", "[2001:db8::1]:80"}});
  EXPECT_EQ(v6.url("", cidrs({"::1"})), "http://[2001:db8::1]:80/x");
}

TEST(PayloadContextUrl, UntrustedPeersAndTheHostHeaderAloneGiveNoUrl) {
  Call c("/x", "203.0.113.9", {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "hooks.example.com"}});
  EXPECT_EQ(c.url("", cidrs({"10.0.0.0/8", "127.0.0.1"})), std::nullopt) << "the peer is not a trusted proxy";
  EXPECT_EQ(c.url("", {}), std::nullopt);
  Call no_forwarded("/x", "10.0.0.1");
  EXPECT_EQ(no_forwarded.url("", cidrs({"10.0.0.0/8"})), std::nullopt) << "Host alone is never used";
}

TEST(PayloadContextUrl, BadForwardedValuesGiveNoUrl) {
  std::vector<std::pair<std::string, std::string>> bad[] = {
      {{"X-Forwarded-Proto", "ftp"}, {"X-Forwarded-Host", "hooks.example.com"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "evil.example/path?"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "user@evil.example"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "evil example"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "hooks.example.com:99999"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", "[not-v6]"}},
      {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Host", ""}},
      {{"X-Forwarded-Host", "hooks.example.com"}},
  };
  for (auto& headers : bad) {
    Call c("/x", "10.0.0.1", headers);
    SCOPED_TRACE(headers.back().second);
    EXPECT_EQ(c.url("", cidrs({"10.0.0.0/8"})), std::nullopt);
  }
}

TEST(PayloadContextUrl, PublicUrlIsValidatedAndTrimmed) {
  EXPECT_EQ(normalize_public_url("https://hooks.example.com/").value(), "https://hooks.example.com");
  EXPECT_EQ(normalize_public_url("HTTP://example.com/hookd//").value(), "http://example.com/hookd");
  EXPECT_EQ(normalize_public_url("https://example.com:8443").value(), "https://example.com:8443");
  for (const char* bad : {"hooks.example.com", "ftp://example.com", "https://", "https://example.com/?a=1",
                          "https://example.com/#top", "https://u:p@example.com", "https://exa mple.com",
                          "https://example.com:0"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(normalize_public_url(bad).ok());
  }
  IngestOptions o;
  o.public_url = "https://example.com/";
  EXPECT_FALSE(o.validate().ok());
  EXPECT_EQ(o.validate().error().field, "public_url");
  o.public_url = "https://example.com";
  EXPECT_TRUE(o.validate().ok());
}

TEST(PayloadContextUrl, InTheContextOnlyWhenKnown) {
  http::Request req{http::Verb::get, "/integrated-account-webhook/acc?challenge=abc", 11};
  http::RequestContext ctx{req, "/integrated-account-webhook/acc", {{"challenge", "abc"}}, {}, "127.0.0.1",
                           {}};
  ContextInputs with{ctx,           headers_object(req),
                     json::Value(), json::Value(),
                     json::Value(), "acc",
                     "env",         "https://h.example/integrated-account-webhook/acc?challenge=abc"};
  json::Value c = build_payload_context(with);
  EXPECT_EQ(c.get("url").string_or(""), "https://h.example/integrated-account-webhook/acc?challenge=abc");
  EXPECT_EQ(c.get("method").string_or(""), "GET");
  ContextInputs without{ctx,   headers_object(req), json::Value(), json::Value(), json::Value(), "acc",
                        "env", std::nullopt};
  EXPECT_TRUE(build_payload_context(without).get("url").is_undefined());
}

// --- replies -------------------------------------------------------------------------------------------------

http::Response reply(std::string_view spec) {
  auto s = parse_reply(parse(spec), "verification_response");
  EXPECT_TRUE(s.ok()) << s.error().message;
  return build_reply(s.ok() ? *s : ReplySpec{});
}

std::string reply_error(std::string_view spec, ReplyRules rules = {}) {
  auto s = parse_reply(parse(spec), "verification_response", rules);
  return s.ok() ? "<ok>" : s.error().message;
}

TEST(IngestReply, StringBodyByteForByteWithItsHeaders) {
  auto r = reply(R"({"body":"abc\u0000\n","headers":{"X-Content-Type-Options":"nosniff"}})");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), std::string("abc\0\n", 5));
  EXPECT_EQ(r[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(r["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(r[bhttp::field::content_length], "5");

  auto given = reply(R"({"status_code":201,"body":"<ok/>","headers":{"content-type":"application/xml"}})");
  EXPECT_EQ(given.result_int(), 201);
  EXPECT_EQ(given[bhttp::field::content_type], "application/xml") << "the config's Content-Type wins";
}

TEST(IngestReply, ObjectsAsJsonAndNullAsNothing) {
  auto r = reply(R"({"body":{"challenge":"x"}})");
  EXPECT_EQ(r.body(), R"({"challenge":"x"})");
  EXPECT_EQ(r[bhttp::field::content_type], "application/json");
  auto empty = reply(R"({"status_code":202,"body":null})");
  EXPECT_EQ(empty.result_int(), 202);
  EXPECT_EQ(empty.body(), "");
  EXPECT_EQ(empty[bhttp::field::content_type], "");
  EXPECT_EQ(reply("null").result_int(), 200);
  auto no_content = reply(R"({"status_code":204,"body":"dropped"})");
  EXPECT_EQ(no_content.body(), "");
}

TEST(IngestReply, FramingHeadersAreHookds) {
  auto r = reply(R"({"body":"abc","headers":{"Content-Length":"99","Transfer-Encoding":"chunked",
                     "Connection":"close","X-Ok":"1"}})");
  EXPECT_EQ(r[bhttp::field::content_length], "3");
  EXPECT_EQ(r[bhttp::field::transfer_encoding], "");
  EXPECT_EQ(r[bhttp::field::connection], "");
  EXPECT_EQ(r["X-Ok"], "1");
}

TEST(IngestReply, InvalidSpecsNameTheProblem) {
  EXPECT_EQ(reply_error(R"({"status_code":600})"), "verification_response.status_code: must be 100-599");
  EXPECT_EQ(reply_error(R"({"status_code":99})"), "verification_response.status_code: must be 100-599");
  EXPECT_EQ(reply_error(R"({"status_code":"200"})"),
            "verification_response.status_code: must be an integer 100-599");
  EXPECT_EQ(reply_error(R"({"status_code":200.5})"),
            "verification_response.status_code: must be an integer 100-599");
  EXPECT_EQ(reply_error(R"({"headers":{"Bad Name":"x"}})"),
            "verification_response.headers: 'Bad Name' is not a valid header name");
  EXPECT_EQ(reply_error(R"({"headers":{"X-A":"a\r\nSet-Cookie: x"}})"),
            "verification_response.headers.X-A: must not contain CR, LF or NUL");
  EXPECT_EQ(reply_error(R"("text")"),
            "verification_response: must be an object with status_code, headers and body");
}

TEST(WebhookConfigAcceptResponse, CompilesAndRefusesWithTheFieldNamed) {
  auto ok = WebhookConfig::compile(
      parse(R"({"accept_response":{"status_code":202,"headers":{"X-A":"b"},"body":""}})"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_TRUE((*ok)->accept_response);
  EXPECT_EQ((*ok)->accept_response->status_code, 202);
  auto none = WebhookConfig::compile(parse(R"({})"));
  EXPECT_FALSE((*none)->accept_response) << "absent: the default JSON answer";

  auto error = [](std::string_view section) {
    auto c = WebhookConfig::compile(parse(section));
    return c.ok() ? std::string("<compiled>") : c.error().message;
  };
  EXPECT_EQ(error(R"({"accept_response":{"status_code":302}})"),
            "webhook.accept_response.status_code: must be 200-299");
  EXPECT_EQ(error(R"({"accept_response":{"status_code":"202"}})"),
            "webhook.accept_response.status_code: must be an integer 200-299");
  EXPECT_EQ(error(R"({"accept_response":{"status":202}})"),
            "webhook.accept_response.status: unknown field (status_code, headers, body)");
  EXPECT_EQ(error(R"({"accept_response":{"headers":{"X-N":1}}})"),
            "webhook.accept_response.headers.X-N: must be a string");
  EXPECT_EQ(error(R"({"accept_response":{"body":5}})"),
            "webhook.accept_response.body: must be a string, an object, an array or null");
  EXPECT_EQ(error(R"({"accept_response":"ok"})"),
            "webhook.accept_response: must be an object with status_code, headers and body");
}

TEST(WebhookConfigHandshakeFields, AreTopLevelFieldNames) {
  auto ok = WebhookConfig::compile(parse(R"({"handshake_context_fields":["verify_token","hook-id"]})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->handshake_context_fields, (std::vector<std::string>{"verify_token", "hook-id"}));
  for (const char* bad : {R"("verify_token")", R"([1])", R"(["a.b"])", R"([""])", R"(["a b"])"}) {
    SCOPED_TRACE(bad);
    auto c = WebhookConfig::compile(parse(std::string(R"({"handshake_context_fields":)") + bad + "}"));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().message.rfind("webhook.handshake_context_fields: ", 0), 0u) << c.error().message;
  }
}

}  // namespace
}  // namespace hookd::ingest
