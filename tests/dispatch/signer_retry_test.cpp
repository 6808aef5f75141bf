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
  EXPECT_EQ(p.next_delay(1, {}, 0.5), ms(5000)) << "no jitter at the middle of the range";
  EXPECT_EQ(p.next_delay(1, {}, 0.0), ms(4000));
  EXPECT_EQ(p.next_delay(1, {}, 1.0), ms(6000));
  EXPECT_EQ(p.next_delay(2, {}, 0.5), ms(30000));
  EXPECT_EQ(p.next_delay(3, {}, 0.5), ms(30000)) << "the last wait repeats";
  EXPECT_EQ(p.next_delay(4, {}, 0.5), std::nullopt) << "four attempts made: dead-letter";
  for (int i = 0; i < 100; ++i) {
    auto d = p.next_delay(1);
    ASSERT_TRUE(d);
    EXPECT_GE(*d, ms(4000));
    EXPECT_LE(*d, ms(6000));
  }
}

TEST(RetryPolicy, ThrottledAnswersBackOffHarderAndRetryAfterIsHonouredUpToItsCap) {
  DispatchOptions o;
  o.retry_schedule = {std::chrono::seconds(5), std::chrono::seconds(30)};
  o.max_attempts = 4;
  o.throttled_factor = 3;
  o.retry_after_max = std::chrono::minutes(10);
  RetryPolicy p(o);
  using ms = std::chrono::milliseconds;
  const int64_t now = 1'700'000'000'000;
  Failure error = classify_failure(500, false, std::nullopt, now);
  Failure throttled = classify_failure(429, false, std::nullopt, now);
  Failure timeout = classify_failure(0, true, std::nullopt, now);
  Failure refused = classify_failure(0, false, std::nullopt, now);
  EXPECT_EQ(p.next_delay(1, error, 0.5), ms(5000));
  EXPECT_EQ(p.next_delay(1, refused, 0.5), ms(5000))
      << "a refused connection is an error, not a slow endpoint";
  EXPECT_EQ(p.next_delay(1, throttled, 0.5), ms(15000));
  EXPECT_EQ(p.next_delay(2, timeout, 0.5), ms(90000));
  EXPECT_EQ(p.next_delay(4, throttled, 0.5), std::nullopt) << "the round still ends";

  Failure later = classify_failure(429, false, "120", now);
  ASSERT_TRUE(later.retry_after);
  EXPECT_EQ(p.next_delay(1, later, 0.5), ms(120000)) << "not before the endpoint asked";
  EXPECT_EQ(p.next_delay(1, classify_failure(503, false, "1", now), 0.5), ms(5000))
      << "the schedule's longer wait stands";
  EXPECT_EQ(p.next_delay(1, classify_failure(429, false, "86400", now), 0.5), ms(600000)) << "capped";
  EXPECT_FALSE(classify_failure(500, false, "120", now).retry_after) << "only 429 and 503 ask to come back";
  EXPECT_FALSE(classify_failure(429, false, "soon", now).retry_after);
}

TEST(RetryPolicy, RetryAfterTakesSecondsAndTheThreeHttpDateForms) {
  const int64_t now = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(parse_retry_after("30", now), ms(30000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), ms(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now), ms(120000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now), ms(60000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:47 1994", now), ms(10000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), ms(0)) << "a date in the past: now";
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT trailing", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
}

TEST(RetryPolicy, GoneEndsTheRoundUnlessTurnedOff) {
  DispatchOptions o;
  RetryPolicy p(o);
  Failure gone = classify_failure(410, false, std::nullopt, 0);
  EXPECT_EQ(gone.kind, FailureKind::gone);
  EXPECT_EQ(p.next_delay(1, gone, 0.5), std::nullopt);
  o.disable_on_gone = false;
  EXPECT_EQ(p.next_delay(1, gone, 0.5), std::chrono::milliseconds(5000))
      << "then it is an error like any other";
}

}  // namespace
}  // namespace hookd::dispatch
