// Found by probing: GET /integration/{id} showed the catalog config's literal HMAC secret to every
// environment's token, enough to forge webhooks for other tenants' accounts.
#include "admin/secrets.h"

#include <gtest/gtest.h>

namespace hookd::admin {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

TEST(Secrets, LiteralSecretsAreRedactedAndReferencesShown) {
  json::Value config = parse(R"({"webhook":{"signature_verification":{"format":"hmac","config":{
      "secret":"shpss_literal","compare_with":"{{headers.x-sig}}","parts":["raw_body"]}}},
    "auth":[{"client_secret":"cs","client_id":"visible"},{"password":"{{context.password}}"}],
    "api_key":"{{environment_variables.KEY}}{{context.suffix}}","token":"pre{{context.t}}","Secret":12})");
  EXPECT_EQ(
      json::dump(redact_secrets(config)),
      R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"[redacted]",)"
      R"("compare_with":"{{headers.x-sig}}","parts":["raw_body"]}}},)"
      R"("auth":[{"client_secret":"[redacted]","client_id":"visible"},{"password":"{{context.password}}"}],)"
      R"("api_key":"{{environment_variables.KEY}}{{context.suffix}}","token":"[redacted]","Secret":"[redacted]"})");
  EXPECT_EQ(literal_secret_paths(config),
            (std::vector<std::string>{"config.webhook.signature_verification.config.secret",
                                      "config.auth[0].client_secret", "config.token", "config.Secret"}));
}

TEST(Secrets, AConfigWithoutLiteralsIsUnchanged) {
  json::Value config = parse(
      R"({"webhook":{"signature_verification":{"config":{"secret":"{{context.webhook_secret}}"}}},"n":[1,{"a":"b"}]})");
  EXPECT_EQ(json::dump(redact_secrets(config)), json::dump(config));
  EXPECT_TRUE(literal_secret_paths(config).empty());
}

}  // namespace
}  // namespace hookd::admin
