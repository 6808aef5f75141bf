// The webhook section's context lookup fields: both or neither, a plain dotted path, JSONata compiled when
// the config loads; the compiled expression gives the value the lookup index is searched for.
#include "ingest/webhook_config.h"

#include <gtest/gtest.h>

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

TEST(WebhookConfigLookup, CompilesTheFieldAndTheExpression) {
  auto c = WebhookConfig::compile(
      parse(R"({"context_lookup_field_name":"slack.team_id","context_lookup_field_value":"body.team_id"})"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->context_lookup_field, "slack.team_id");
  ASSERT_TRUE((*c)->context_lookup_value);
  auto v = (*c)->context_lookup_value->evaluate(parse(R"({"body":{"team_id":"T42"}})"), {});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->string_or(""), "T42");
}

TEST(WebhookConfigLookup, WithoutTheFieldsTheInstallRouteIsOff) {
  auto c = WebhookConfig::compile(parse(R"({"payload_transform":"body"})"));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->context_lookup_field.empty());
  EXPECT_FALSE((*c)->context_lookup_value);
}

TEST(WebhookConfigLookup, InvalidFieldsAreRefusedWithTheFieldNamed) {
  EXPECT_EQ(compile_error(R"({"context_lookup_field_name":"team_id"})"),
            "webhook.context_lookup_field_value: required with context_lookup_field_name");
  EXPECT_EQ(compile_error(R"({"context_lookup_field_value":"body.team_id"})"),
            "webhook.context_lookup_field_name: required with context_lookup_field_value");
  for (const char* bad : {R"("")", R"("a:b")", R"("a..b")", R"(".a")", R"("a b")", R"(42)"}) {
    std::string section = std::string(R"({"context_lookup_field_name":)") + bad +
                          R"(,"context_lookup_field_value":"body.team_id"})";
    EXPECT_EQ(
        compile_error(section).rfind("webhook.context_lookup_field_name: must be a context field path", 0),
        0u)
        << bad;
  }
  std::string syntax = compile_error(
      R"({"context_lookup_field_name":"team_id","context_lookup_field_value":"body.team_id["})");
  EXPECT_NE(syntax.find("webhook.context_lookup_field_value"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("S0"), std::string::npos) << syntax;  // JSONata's syntax error code
}

}  // namespace
}  // namespace hookd::ingest
