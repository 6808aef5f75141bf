#include "ingest/payload_context.h"

#include <gtest/gtest.h>

namespace hookd::ingest {
namespace {

TEST(ParseBody, ByContentType) {
  struct Case {
    const char* content_type;
    const char* body;
    const char* want;  // the parsed value as JSON
  } cases[] = {
      {"application/json", R"({"a":[1,2]})", R"({"a":[1,2]})"},
      {"application/json; charset=utf-8", "[true]", "[true]"},
      {"application/vnd.api+json", R"({"x":1})", R"({"x":1})"},
      {"application/x-www-form-urlencoded", "a=1&b=x%20y&a=2&c", R"({"a":["1","2"],"b":"x y","c":""})"},
      {"text/plain", "hello", R"("hello")"},
      {"application/xml", "<a/>", R"("<a/>")"},
      {"", R"({"guess":true})", R"({"guess":true})"},
      {"", "not json", R"("not json")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto v = parse_body(c.content_type, c.body);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(json::dump(*v), c.want);
  }
}

TEST(ParseBody, EmptyBodyIsAbsent) {
  EXPECT_TRUE(parse_body("application/json", "")->is_undefined());
}

TEST(ParseBody, MalformedJsonIsAnError) {
  auto v = parse_body("application/json", R"({"a":)");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, IngestErrc::malformed_json);
  EXPECT_NE(v.error().message.find("not valid JSON"), std::string::npos);
}

// Found by probing: a form body of many fields was parsed in quadratic time before its signature was checked
// (a 1 MB body of `a&a&a…` was still being parsed 8 minutes later). Parsing is linear now, and bounded.
TEST(ParseBody, FormFieldsOverTheLimitAreRefusedBeforeParsing) {
  std::string body;
  for (int i = 0; i < 500'000; ++i)
    body += "a&";
  auto v = parse_body("application/x-www-form-urlencoded", body);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, IngestErrc::too_many_fields);
  EXPECT_EQ(v.error().message, "the form has more than 10000 fields (HOOKD_MAX_FORM_FIELDS)");
  EXPECT_TRUE(parse_body("application/x-www-form-urlencoded", body, {.max_form_fields = 500'000}).ok())
      << "exactly at the limit";
  BodyLimits tight{.max_form_fields = 2};
  EXPECT_TRUE(parse_form("a=1&&&b=2&", tight).ok()) << "empty fields do not count";
  EXPECT_FALSE(parse_form("a=1&b=2&c=3", tight).ok());
}

TEST(ParseBody, ManyRepeatedAndDistinctFieldsParseInLinearTime) {
  // Half a million fields under a raised limit: with the old grouping (an array copied per repeat, a linear
  // search per name) this took hours; now it is a pass over the body.
  std::string repeated, distinct;
  for (int i = 0; i < 500'000; ++i) {
    repeated += "a=&";
    distinct += "k" + std::to_string(i) + "=" + std::to_string(i) + "&";
  }
  BodyLimits roomy{.max_form_fields = 1'000'000};
  auto r = parse_form(repeated, roomy);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->get("a").size(), 500'000u);
  EXPECT_EQ(r->get("a").at(499'999).as_string(), "");
  auto d = parse_form(distinct, roomy);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 500'000u);
  EXPECT_EQ(d->get("k499999").as_string(), "499999");
  EXPECT_EQ(json::dump(*parse_form("b=1&a=2&b=3&c=&b=4")), R"({"b":["1","3","4"],"a":"2","c":""})")
      << "names in order of first appearance, values in order";
}

TEST(PayloadContext, HasEveryField) {
  http::Request req{http::Verb::post, "/integrated-account-webhook/acc?x=1&x=2", 11};
  req.set("X-Signature", "abc");
  req.insert("X-Multi", "1");
  req.insert("X-Multi", "2");
  req.body() = R"({"k":"v"})";
  http::RequestContext ctx{req, "/integrated-account-webhook/acc", {{"x", "1"}, {"x", "2"}}, {}, "127.0.0.1",
                           {}};
  json::Value account_ctx;
  ASSERT_TRUE(json::parse(R"({"secret":"s"})", account_ctx));
  ContextInputs in{ctx,         headers_object(req), *parse_body("application/json", req.body()),
                   account_ctx, json::Value(),       "acc",
                   "env"};
  EXPECT_EQ(
      json::dump(build_payload_context(in)),
      R"({"method":"POST","path":"/integrated-account-webhook/acc","query":{"x":["1","2"]},)"
      R"("headers":{"x-signature":"abc","x-multi":"1, 2"},"body":{"k":"v"},"raw_body":"{\"k\":\"v\"}",)"
      R"("context":{"secret":"s"},"environment_variables":{},"integrated_account_id":"acc","environment_id":"env"})");
}

}  // namespace
}  // namespace hookd::ingest
