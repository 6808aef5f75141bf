// Ingest serves config records from memory (store/config_cache.h): a change made through the admin API must
// be in force for the very next vendor request, every time. Each round changes something and sends the next
// request at once, without waiting; the cache must have been used in between (its hit counter grows), or the
// test would prove nothing.
#include "e2e_fixture.h"

namespace hookd::test {
namespace {

using ConfigCache = E2eTest;

constexpr const char* kHits = "hookd_config_cache_lookups_total{result=\"hit\"}";
const std::string kBody = R"({"id":820982911946154508,"total_price":"19.99"})";

std::string shopify_signature(const std::string& secret) {
  return to_base64(hmac_sha256(secret, kBody));
}

TEST_F(ConfigCache, AChangedAccountSecretIsInForceForTheNextRequest) {
  ASSERT_EQ(post_shopify(kBody).status, 200);
  double hits = metric(kHits);
  std::string previous = kShopifySecret;
  for (int round = 0; round < 40; ++round) {
    // The old secret still works while it is the secret (and the cache serves it).
    auto before = post_shopify(kBody, {}, shopify_signature(previous));
    ASSERT_EQ(before.status, 200) << "round " << round << ": " << before.body;
    std::string secret = "shpss_rotated_" + std::to_string(round);
    auto patched = admin("PATCH", "/integrated-account/" + account_id_,
                         R"({"context":{"webhook_secret":")" + secret + R"("}})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    auto stale = post_shopify(kBody, {}, shopify_signature(previous));
    ASSERT_EQ(stale.status, 401) << "round " << round << ": the replaced secret was accepted";
    auto fresh = post_shopify(kBody, {}, shopify_signature(secret));
    ASSERT_EQ(fresh.status, 200) << "round " << round << ": the new secret was refused: " << fresh.body;
    previous = secret;
  }
  EXPECT_GE(metric(kHits) - hits, 40) << "the requests did not use the cache";
}

TEST_F(ConfigCache, AChangedIntegrationConfigIsInForceForTheNextRequest) {
  ASSERT_EQ(post_shopify(kBody).status, 200);
  double hits = metric(kHits);
  for (int round = 0; round < 20; ++round) {
    // Alternate which header carries the signature: a request signed the other way must fail at once.
    std::string header = round % 2 == 0 ? "x-vendor-signature" : "x-shopify-hmac-sha256";
    auto patched = operator_call("PATCH", "/integration/shopify",
                                 R"({"config":{"webhook":{"signature_verification":{"format":"hmac","config":{
        "secret":"{{context.webhook_secret}}","algorithm":"sha256","string_type":"base64",
        "compare_with":"{{headers.)" +
                                     header + R"(}}","parts":["raw_body"]}}}}})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    std::string signature = shopify_signature(kShopifySecret);
    auto in_header = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account_id_, kBody,
                               {{"Content-Type", "application/json"}, {header, signature}});
    ASSERT_EQ(in_header.status, 200) << "round " << round << ": " << in_header.body;
    std::string other = round % 2 == 0 ? "x-shopify-hmac-sha256" : "x-vendor-signature";
    auto in_other = http_call(hookd_->port(), "POST", "/integrated-account-webhook/" + account_id_, kBody,
                              {{"Content-Type", "application/json"}, {other, signature}});
    ASSERT_EQ(in_other.status, 401) << "round " << round << ": the old config was used";
  }
  EXPECT_GE(metric(kHits) - hits, 20) << "the requests did not use the cache";
}

TEST_F(ConfigCache, ADeletedAccountTakesNoMoreWebhooks) {
  ASSERT_EQ(post_shopify(kBody).status, 200);
  ASSERT_EQ(post_shopify(kBody).status, 200);
  ASSERT_EQ(admin("DELETE", "/integrated-account/" + account_id_).status, 200);
  auto after = post_shopify(kBody);
  EXPECT_EQ(after.status, 404) << after.body;
}

}  // namespace
}  // namespace hookd::test
