#include <gtest/gtest.h>

#include "core/crypto.h"
#include "dispatch/retry_policy.h"
#include "dispatch/signer.h"

namespace hookd::dispatch {
namespace {

TEST(Signer, StandardWebhooksPublishedVector) {
  // The test vector of the Standard Webhooks specification's reference libraries.
  SignedHeaders h = sign(R"({"test": 2432232314})", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(h.webhook_signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_EQ(h.webhook_id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
  EXPECT_EQ(h.webhook_timestamp, "1614265330");
}

TEST(Signer, TrutoSignatureIsHexHmacOfTheBodyWithTheWholeSecret) {
  std::string body = R"({"id":"e1","event":"test"})";
  SignedHeaders h = sign(body, "e1", 1700000000, "whsec_abc");
  EXPECT_EQ(h.truto_signature,
            "format=sha256,v=" + crypto::hex(crypto::hmac(crypto::Digest::sha256, "whsec_abc", body)));
}

TEST(Signer, RotationSignsWithBothSecrets) {
  SignedHeaders h = sign("{}", "e1", 1700000000, "whsec_bmV3", "whsec_b2xk");
  std::string v_new = crypto::hex(crypto::hmac(crypto::Digest::sha256, "whsec_bmV3", "{}"));
  std::string v_old = crypto::hex(crypto::hmac(crypto::Digest::sha256, "whsec_b2xk", "{}"));
  EXPECT_EQ(h.truto_signature, "format=sha256,v=" + v_new + ",v=" + v_old);
  EXPECT_EQ(h.webhook_signature.find(' '), h.webhook_signature.rfind(' '))
      << "two space-separated signatures";
  EXPECT_EQ(h.webhook_signature.substr(0, 3), "v1,");
}

TEST(Signer, SecretWithoutPrefixIsUsedAsIs) {
  EXPECT_EQ(standard_webhooks_key("plain-secret"), "plain-secret");
  EXPECT_EQ(standard_webhooks_key("whsec_aGVsbG8="), "hello");
}

TEST(RetryPolicy, FollowsTheScheduleWithJitterAndStops) {
  DispatchOptions o;
  o.retry_schedule = {std::chrono::seconds(5), std::chrono::seconds(30)};
  o.max_attempts = 4;
  o.jitter = 0.2;
  RetryPolicy p(o);
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(p.next_delay(1, 0.5), ms(5000)) << "no jitter at the middle of the range";
  EXPECT_EQ(p.next_delay(1, 0.0), ms(4000));
  EXPECT_EQ(p.next_delay(1, 1.0), ms(6000));
  EXPECT_EQ(p.next_delay(2, 0.5), ms(30000));
  EXPECT_EQ(p.next_delay(3, 0.5), ms(30000)) << "the last wait repeats";
  EXPECT_EQ(p.next_delay(4, 0.5), std::nullopt) << "four attempts made: dead-letter";
  for (int i = 0; i < 100; ++i) {
    auto d = p.next_delay(1);
    ASSERT_TRUE(d);
    EXPECT_GE(*d, ms(4000));
    EXPECT_LE(*d, ms(6000));
  }
}

}  // namespace
}  // namespace hookd::dispatch
