#include "core/crypto.h"

#include <gtest/gtest.h>

namespace hookd::crypto {
namespace {

TEST(Hmac, GitHubPublishedTestVector) {
  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
  EXPECT_EQ(hex(hmac(Digest::sha256, "It's a Secret to Everybody", "Hello, World!")),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(Hmac, Rfc4231TestCase2) {
  std::string_view key = "Jefe", data = "what do ya want for nothing?";
  EXPECT_EQ(hex(hmac(Digest::sha256, key, data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac(Digest::sha512, key, data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
            "caeab1a3"
            "4d4a6b4b636e070a38bce737");
  EXPECT_EQ(hex(hmac(Digest::sha1, key, data)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex(hmac(Digest::md5, key, data)), "750c783e6ab0b503eaa86e310a5db738");
}

// Each thread reuses one context per digest: every call starts from its own key, whatever the call before it
// used (a key longer than the block, which HMAC hashes first; an empty one).
TEST(Hmac, EachCallUsesItsOwnKeyOnly) {
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  const std::string long_key(131, '\xaa');
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(hex(hmac(Digest::sha256, long_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(hex(hmac(Digest::sha256, "key", fox)),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    EXPECT_EQ(hex(hmac(Digest::sha256, "", "")),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(hex(hmac(Digest::md5, "key", fox)), "80070713463e7749b90c2dc24911e275");
  }
}

TEST(Hmac, PartsAreSignedAsTheirConcatenation) {
  EXPECT_EQ(hmac(Digest::sha256, "k", {"v0:", "1700000000", ":", "{\"a\":1}"}),
            hmac(Digest::sha256, "k", "v0:1700000000:{\"a\":1}"));
  EXPECT_EQ(hmac(Digest::sha256, "", {"", "x"}), hmac(Digest::sha256, "", "x"));
}

TEST(Digest, NamesInConfigSpellings) {
  struct Case {
    const char* name;
    std::optional<Digest> want;
  } cases[] = {{"sha256", Digest::sha256},  {"SHA-256", Digest::sha256}, {"SHA1", Digest::sha1},
               {"sha-512", Digest::sha512}, {"md5", Digest::md5},        {"sha384", Digest::sha384},
               {"sha3", std::nullopt},      {"", std::nullopt}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(digest_from_name(c.name), c.want);
  }
}

TEST(Encoding, Base64RoundTripsAndAcceptsBothAlphabets) {
  struct Case {
    const char* in;
    const char* std_;
    const char* url;
  } cases[] = {{"", "", ""},
               {"f", "Zg==", "Zg"},
               {"fo", "Zm8=", "Zm8"},
               {"foo", "Zm9v", "Zm9v"},
               {"\xfb\xff", "+/8=", "-_8"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(base64(c.in), c.std_);
    EXPECT_EQ(base64(c.in, true, false), c.url);
    EXPECT_EQ(from_base64(c.std_), std::string(c.in));
    EXPECT_EQ(from_base64(c.url), std::string(c.in));
  }
  EXPECT_EQ(from_base64("a"), std::nullopt);
  EXPECT_EQ(from_base64("ab$d"), std::nullopt);
}

TEST(Encoding, Hex) {
  EXPECT_EQ(hex(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(from_hex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex("0"), std::nullopt);
  EXPECT_EQ(from_hex("zz"), std::nullopt);
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace hookd::crypto
