// The webhook section's `delivery_id`: exactly one of a header and a JSONata expression, an optional window
// within bounds; anything else is refused when the config is stored, with the field named.
#include <gtest/gtest.h>

#include "ingest/webhook_config.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

std::string compile_error(std::string_view section) {
  auto c = WebhookConfig::compile(parse(section));
  return c.ok() ? std::string("<compiled>") : c.error().message;
}

TEST(WebhookConfigDeliveryId, HeaderIsLowerCasedAndTheWindowIsOptional) {
  auto c = WebhookConfig::compile(parse(R"({"delivery_id":{"header":"X-GitHub-Delivery"}})"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE((*c)->delivery_id);
  EXPECT_EQ((*c)->delivery_id->header, "x-github-delivery");
  EXPECT_FALSE((*c)->delivery_id->expression);
  EXPECT_FALSE((*c)->delivery_id->window);
}

TEST(WebhookConfigDeliveryId, ExpressionIsCompiledAndEvaluatesOnThePayloadContext) {
  auto c = WebhookConfig::compile(
      parse(R"({"delivery_id":{"expression":"body.eventId","dedupe_window_seconds":3600}})"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE((*c)->delivery_id && (*c)->delivery_id->expression);
  EXPECT_EQ((*c)->delivery_id->window, std::chrono::seconds(3600));
  auto v = (*c)->delivery_id->expression->evaluate(parse(R"({"body":{"eventId":"e-1"}})"), {});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->string_or(""), "e-1");
}

TEST(WebhookConfigDeliveryId, WithoutItNothingChanges) {
  auto c = WebhookConfig::compile(parse(R"({"payload_transform":"body"})"));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE((*c)->delivery_id);
  c = WebhookConfig::compile(parse(R"({"delivery_id":null})"));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE((*c)->delivery_id);
}

TEST(WebhookConfigDeliveryId, InvalidSectionsAreRefusedWithTheFieldNamed) {
  struct Case {
    const char* section;
    const char* error_prefix;
  };
  const Case cases[] = {
      {R"({"delivery_id":"x-github-delivery"})", "webhook.delivery_id: must be an object"},
      {R"({"delivery_id":{}})", "webhook.delivery_id: exactly one of `header` and `expression` is required"},
      {R"({"delivery_id":{"header":"a","expression":"b"}})",
       "webhook.delivery_id: exactly one of `header` and `expression` is required"},
      {R"({"delivery_id":{"header":"bad header"}})",
       "webhook.delivery_id.header: must be an HTTP header name"},
      {R"({"delivery_id":{"header":42}})", "webhook.delivery_id.header: must be an HTTP header name"},
      {R"({"delivery_id":{"expression":""}})",
       "webhook.delivery_id.expression: must be a JSONata expression"},
      {R"({"delivery_id":{"expression":"body.id["}})", "webhook.delivery_id.expression"},
      {R"({"delivery_id":{"header":"x-id","dedupe_window_seconds":59}})",
       "webhook.delivery_id.dedupe_window_seconds: must be a whole number of seconds from 60 to 2592000"},
      {R"({"delivery_id":{"header":"x-id","dedupe_window_seconds":2592001}})",
       "webhook.delivery_id.dedupe_window_seconds: must be a whole number of seconds from 60 to 2592000"},
      {R"({"delivery_id":{"header":"x-id","dedupe_window_seconds":90.5}})",
       "webhook.delivery_id.dedupe_window_seconds: must be a whole number"},
      {R"({"delivery_id":{"header":"x-id","dedupe_window_seconds":"1h"}})",
       "webhook.delivery_id.dedupe_window_seconds: must be a whole number"},
      {R"({"delivery_id":{"header":"x-id","window":60}})", "webhook.delivery_id.window: unknown field"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.section);
    std::string error = compile_error(c.section);
    EXPECT_EQ(error.rfind(c.error_prefix, 0), 0u) << error;
  }
}

}  // namespace
}  // namespace hookd::ingest
