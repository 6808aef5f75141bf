#include "ingest/jwt.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto.h"

namespace hookd::ingest {
namespace {

using Outcome = JwtVerdict::Outcome;
using Query = std::vector<std::pair<std::string, std::string>>;

constexpr JwtAlgorithm kAll[] = {JwtAlgorithm::hs256, JwtAlgorithm::rs256, JwtAlgorithm::es256};

// --- RFC 7515 appendix A: the published compact JWS examples -------------------------------------------------
// All three sign the same claims {"iss":"joe", "exp":1300819380, "http://example.com/is_root":true}.

constexpr int64_t kBeforeExp = 1300819000, kExp = 1300819380;

// A.1 (HS256) and its JWK "k".
constexpr std::string_view kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kA1K =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

// A.2 (RS256). The key is the JWK (n, e = AQAB) written as SPKI PEM; its modulus is visible from the 10th
// byte on ("ofgWCuLjyb..." becomes "AofgWCuLjyb..." in standard base64 after the SPKI prefix).
constexpr std::string_view kA2Token =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t"
    "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_"
    "dO--"
    "xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";
constexpr std::string_view kA2Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\n"
    "NiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz\n"
    "P1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo\n"
    "9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB\n"
    "EMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX\n"
    "FvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp\n"
    "oQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// A.3 (ES256, raw r||s signature). The key is the JWK (x, y) as SPKI PEM: point 04 || x || y.
constexpr std::string_view kA3Token =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr std::string_view kA3Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";

JwtKey hmac_key(std::string secret) {
  return JwtKey{std::move(secret), nullptr};
}
JwtKey public_key(std::string_view pem) {
  auto r = crypto::PublicKey::parse(pem);
  EXPECT_TRUE(r.key) << r.error;
  return JwtKey{{}, r.key};
}
JwtKey a1_key() {
  return hmac_key(crypto::from_base64(kA1K).value());
}

std::string b64url(std::string_view s) {
  return crypto::base64(s, true, false);
}
// An HS256-signed token over exactly these header and claims texts.
std::string hs256_token(std::string_view header, std::string_view claims, std::string_view secret) {
  std::string input = b64url(header) + "." + b64url(claims);
  return input + "." + b64url(crypto::hmac(crypto::Digest::sha256, secret, input));
}

JwtVerdict verify(std::string_view token, const JwtKey& key, int64_t now = kBeforeExp, int64_t leeway = 0) {
  return verify_jwt(token, kAll, key, now, leeway);
}

void expect_outcome(const JwtVerdict& v, Outcome want) {
  EXPECT_EQ(jwt_outcome_name(v.outcome), jwt_outcome_name(want)) << "detail: " << v.detail;
}

TEST(Jwt, Rfc7515A1Hs256) {
  JwtVerdict v = verify(kA1Token, a1_key());
  expect_outcome(v, Outcome::valid);
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.header.get("typ").string_or(""), "JWT");
  EXPECT_EQ(v.claims.get("iss").string_or(""), "joe");
  EXPECT_EQ(v.claims.get("exp").number_or(0), 1300819380);
  EXPECT_TRUE(v.claims.get("http://example.com/is_root").bool_or(false));
  expect_outcome(verify(kA1Token, hmac_key("another secret")), Outcome::signature_mismatch);
}

TEST(Jwt, Rfc7515A2Rs256) {
  JwtVerdict v = verify(kA2Token, public_key(kA2Pem));
  expect_outcome(v, Outcome::valid);
  EXPECT_EQ(v.header.get("alg").string_or(""), "RS256");
  EXPECT_EQ(v.claims.get("iss").string_or(""), "joe");
}

TEST(Jwt, Rfc7515A3Es256) {
  JwtVerdict v = verify(kA3Token, public_key(kA3Pem));
  expect_outcome(v, Outcome::valid);
  EXPECT_EQ(v.claims.get("iss").string_or(""), "joe");
}

TEST(Jwt, TamperedTokensMismatchAndHideClaims) {
  struct Case {
    std::string_view token;
    JwtKey key;
  } cases[] = {{kA1Token, a1_key()}, {kA2Token, public_key(kA2Pem)}, {kA3Token, public_key(kA3Pem)}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.token.substr(0, 20));
    std::string payload_changed(c.token);
    size_t p = payload_changed.find('.') + 5;
    payload_changed[p] = payload_changed[p] == 'A' ? 'B' : 'A';
    JwtVerdict v = verify(payload_changed, c.key);
    expect_outcome(v, Outcome::signature_mismatch);
    EXPECT_TRUE(v.claims.is_undefined());  // unauthenticated claims are not handed out
    EXPECT_TRUE(v.header.is_object());
    std::string sig_changed(c.token);
    size_t s = sig_changed.rfind('.') + 3;
    sig_changed[s] = sig_changed[s] == 'A' ? 'B' : 'A';
    expect_outcome(verify(sig_changed, c.key), Outcome::signature_mismatch);
    std::string truncated(c.token.substr(0, c.token.size() - 4));
    expect_outcome(verify(truncated, c.key), Outcome::signature_mismatch);
  }
}

TEST(Jwt, AlgNoneAndUnknownAlgorithmsAreRefused) {
  std::string claims = b64url("{\"iss\":\"joe\"}");
  for (std::string_view header : {"{\"alg\":\"none\"}", "{\"alg\":\"None\"}", "{\"alg\":\"hs256\"}",
                                  "{\"alg\":\"HS512\"}", "{\"alg\":\"PS256\"}", "{\"alg\":\"\"}"}) {
    SCOPED_TRACE(header);
    std::string base = b64url(header) + "." + claims + ".";
    expect_outcome(verify(base, a1_key()), Outcome::algorithm_not_allowed);
    expect_outcome(verify(base + "c2ln", a1_key()), Outcome::algorithm_not_allowed);
  }
  EXPECT_FALSE(jwt_algorithm_from_name("none"));
  EXPECT_FALSE(jwt_algorithm_from_name("hs256"));
  for (JwtAlgorithm a : kAll)
    EXPECT_EQ(jwt_algorithm_from_name(jwt_algorithm_name(a)), a);
}

TEST(Jwt, OnlyTheAllowedAlgorithms) {
  constexpr JwtAlgorithm kRsOnly[] = {JwtAlgorithm::rs256};
  JwtVerdict v = verify_jwt(kA1Token, kRsOnly, a1_key(), kBeforeExp, 0);
  expect_outcome(v, Outcome::algorithm_not_allowed);
  EXPECT_TRUE(v.claims.is_undefined());
  expect_outcome(verify_jwt(kA2Token, kRsOnly, public_key(kA2Pem), kBeforeExp, 0), Outcome::valid);
  expect_outcome(verify_jwt(kA2Token, {}, public_key(kA2Pem), kBeforeExp, 0), Outcome::algorithm_not_allowed);
}

TEST(Jwt, AlgorithmConfusionIsRefused) {
  JwtKey rsa = public_key(kA2Pem), ec = public_key(kA3Pem);
  // The classic forgery: HS256 "signed" with the public key's own PEM text as the HMAC secret.
  std::string forged = hs256_token("{\"alg\":\"HS256\"}", "{\"iss\":\"joe\"}", kA2Pem);
  expect_outcome(verify(forged, rsa), Outcome::algorithm_not_allowed);
  // A key with both a secret and a public key still never takes HS256 (the secret could be the PEM text).
  JwtKey both{std::string(kA2Pem), rsa.public_key};
  expect_outcome(verify(forged, both), Outcome::algorithm_not_allowed);
  expect_outcome(verify(kA2Token, both), Outcome::valid);
  // Public-key algorithms need a public key of their own type.
  expect_outcome(verify(kA2Token, hmac_key("secret")), Outcome::algorithm_not_allowed);
  expect_outcome(verify(kA3Token, rsa), Outcome::algorithm_not_allowed);
  expect_outcome(verify(kA2Token, ec), Outcome::algorithm_not_allowed);
  // An empty HMAC secret is known to everyone.
  expect_outcome(verify(hs256_token("{\"alg\":\"HS256\"}", "{}", ""), hmac_key("")),
                 Outcome::algorithm_not_allowed);
}

TEST(Jwt, ExpAndNbfWithLeeway) {
  std::string token = hs256_token("{\"alg\":\"HS256\"}", "{\"nbf\":1000,\"exp\":2000}", "s");
  JwtKey key = hmac_key("s");
  expect_outcome(verify(token, key, 999, 0), Outcome::not_yet_valid);
  expect_outcome(verify(token, key, 995, 5), Outcome::valid);
  expect_outcome(verify(token, key, 994, 5), Outcome::not_yet_valid);
  expect_outcome(verify(token, key, 1000, 0), Outcome::valid);
  expect_outcome(verify(token, key, 1999, 0), Outcome::valid);
  expect_outcome(verify(token, key, 2000, 0), Outcome::expired);
  expect_outcome(verify(token, key, 2004, 5), Outcome::valid);
  expect_outcome(verify(token, key, 2005, 5), Outcome::expired);
  JwtVerdict expired = verify(token, key, 5000, 0);
  EXPECT_EQ(expired.claims.get("exp").number_or(0), 2000);  // verified claims are kept for the caller
  EXPECT_NE(expired.detail.find("2000"), std::string::npos) << expired.detail;
  // The RFC example: expired once its exp has passed.
  expect_outcome(verify(kA1Token, a1_key(), kExp, 0), Outcome::expired);
  expect_outcome(verify(kA1Token, a1_key(), kExp, 1), Outcome::valid);
  // No exp: accepted at any time (the caller may require one).
  std::string no_exp = hs256_token("{\"alg\":\"HS256\"}", "{\"iss\":\"x\"}", "s");
  expect_outcome(verify(no_exp, key, 4000000000, 0), Outcome::valid);
  // Dates that are not numbers.
  expect_outcome(verify(hs256_token("{\"alg\":\"HS256\"}", "{\"exp\":\"2000\"}", "s"), key, 1, 0),
                 Outcome::malformed);
  expect_outcome(verify(hs256_token("{\"alg\":\"HS256\"}", "{\"nbf\":null}", "s"), key, 1, 0),
                 Outcome::malformed);
}

TEST(Jwt, MalformedTokens) {
  JwtKey key = hmac_key("s");
  std::string good = hs256_token("{\"alg\":\"HS256\"}", "{}", "s");
  expect_outcome(verify(good, key), Outcome::valid);
  std::string header = b64url("{\"alg\":\"HS256\"}"), claims = b64url("{}");
  std::string sig = good.substr(good.rfind('.') + 1);
  const std::string cases[] = {
      "",
      ".",
      "..",
      header + "." + claims,                                             // two parts
      good + ".",                                                        // four parts
      good + "." + sig,                                                  // four parts
      "!!!." + claims + "." + sig,                                       // header not base64url
      b64url("{\"alg\":\"HS256\"}") + "=." + claims + "." + sig,         // padding
      "eyJhbGciOiJIUzI1NiJ9+." + claims + "." + sig,                     // standard alphabet
      b64url("not json") + "." + claims + "." + sig,                     // header not JSON
      b64url("[\"HS256\"]") + "." + claims + "." + sig,                  // header not an object
      b64url("{\"typ\":\"JWT\"}") + "." + claims + "." + sig,            // no alg
      b64url("{\"alg\":256}") + "." + claims + "." + sig,                // alg not a string
      hs256_token("{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", "{}", "s"),  // unsupported extension
      header + "." + claims + ".",                                       // empty signature
      header + "." + claims + "." + sig + "==",                          // padded signature
      hs256_token("{\"alg\":\"HS256\"}", "not json", "s"),               // signed, but claims not JSON
      hs256_token("{\"alg\":\"HS256\"}", "[1]", "s"),                    // signed, but claims not an object
      std::string("\0.\0.\0", 5),
  };
  for (const auto& t : cases) {
    SCOPED_TRACE(t);
    JwtVerdict v = verify(t, key);
    expect_outcome(v, Outcome::malformed);
    EXPECT_FALSE(v.detail.empty());
    EXPECT_TRUE(v.claims.is_undefined());
  }
}

TEST(Jwt, DetailNeverHoldsTheExpectedSignature) {
  std::string token = hs256_token("{\"alg\":\"HS256\"}", "{}", "right");
  JwtVerdict v = verify(token, hmac_key("wrong secret"));
  expect_outcome(v, Outcome::signature_mismatch);
  std::string input = token.substr(0, token.rfind('.'));
  std::string expected = crypto::hmac(crypto::Digest::sha256, "wrong secret", input);
  EXPECT_EQ(v.detail.find(b64url(expected)), std::string::npos);
  EXPECT_EQ(v.detail.find(crypto::hex(expected)), std::string::npos);
  EXPECT_EQ(v.detail.find("wrong secret"), std::string::npos);
}

// --- Atlassian Connect qsh --------------------------------------------------------------------------------
// Vectors from the atlassian-jwt npm package's tests (github.com/atlassian/atlassian-jwt-js, test/jwt.test.ts:
// "should correctly create canonical request ..." and "qsh" cases). Query strings there are qs.parse()d, so
// here they are given decoded, in the order received.

const Query kHelloWorldQuery = {{"lic", "none"},
                                {"tz", "Australia/Sydney"},
                                {"cp", "/jira"},
                                {"user_key", ""},
                                {"loc", "en-US"},
                                {"user_id", ""},
                                {"jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"},
                                {"xdm_e", "http://storm:2990"},
                                {"xdm_c", "channel-servlet-hello-world"},
                                {"xdm_p", "1"}};

TEST(JwtQsh, AtlassianCanonicalRequestVectors) {
  Query repeated = {{"zee_last", "param"},
                    {"repeated", "parameter 1"},
                    {"first", "param"},
                    {"repeated", "parameter 2"},
                    {"repeated", "Parameter 2"}};
  EXPECT_EQ(
      atlassian_canonical_request("get", "/path/to/service", repeated),
      "GET&/path/to/service&first=param&repeated=Parameter%202,parameter%201,parameter%202&zee_last=param");
  EXPECT_EQ(
      atlassian_canonical_request("get", "/hello-world", kHelloWorldQuery),
      "GET&/hello-world&cp=%2Fjira&lic=none&loc=en-US&tz=Australia%2FSydney&user_id=&user_key=&xdm_c=channel-"
      "servlet-hello-world&xdm_e=http%3A%2F%2Fstorm%3A2990&xdm_p=1");
  EXPECT_EQ(atlassian_canonical_request("get", "/hello-world", {{"a", ""}, {"b", "foo"}, {"c", ""}}),
            "GET&/hello-world&a=&b=foo&c=");
  // '&' in the path is encoded, so it cannot be confused with the query.
  EXPECT_EQ(atlassian_canonical_request("post", "/rest/api/2/project/jira&a=b&c=d", {{"x", "y"}}),
            "POST&/rest/api/2/project/jira%26a=b%26c=d&x=y");
  EXPECT_NE(atlassian_canonical_request("post", "/rest/api/2/project&a=b", {{"x", "y"}}),
            atlassian_canonical_request("post", "/rest/api/2/project", {{"a", "b"}, {"x", "y"}}));
}

TEST(JwtQsh, AtlassianQshVectors) {
  EXPECT_EQ(atlassian_qsh("get", "/path", {}),
            "799be84a7fa35570087163c0cd9af3abff7ac05c2c12ba0bb1d7eebc984b3ac2");
  EXPECT_EQ(atlassian_qsh("get", "", {}), "c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239");
  EXPECT_EQ(atlassian_qsh("get", "/", {}),
            "c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239");
  EXPECT_EQ(atlassian_qsh("get", "/hello-world", kHelloWorldQuery),
            "8063ff4ca1e41df7bc90c8ab6d0f6207d491cf6dad7c66ea797b4614b71922e9");
  EXPECT_EQ(atlassian_qsh("post", "/hello-world", kHelloWorldQuery),
            "d7e7f00660965fc15745b2c423a89b85d0853c4463faca362e0371d008eb0927");
  EXPECT_EQ(atlassian_qsh("post", "/hello-world", {}),
            "6f95f3738e1b037a3bebbe0ad237d80fdbc1d5ae452e98ce03a9c004c178ebb4");
}

TEST(JwtQsh, PathAndEncodingRules) {
  // One trailing '/' is dropped, a missing leading '/' added (Atlassian's "do not suffix with '/'").
  EXPECT_EQ(atlassian_canonical_request("GET", "/a/b/", {}), "GET&/a/b&");
  EXPECT_EQ(atlassian_canonical_request("GET", "a/b", {}), "GET&/a/b&");
  // RFC 3986 unreserved characters stay; everything else is %XX of the UTF-8 bytes (a space is %20, '+' is %2B,
  // '*' is %2A, '~' stays), as OAuth 1.0 encodes.
  EXPECT_EQ(atlassian_canonical_request("GET", "/", {{"a b", "x*y~z+\xc3\xa9"}, {"k", "A-Z_a.z"}}),
            "GET&/&a%20b=x%2Ay~z%2B%C3%A9&k=A-Z_a.z");
  // Sorted by byte value: upper case before lower case.
  EXPECT_EQ(atlassian_canonical_request("GET", "/", {{"b", "1"}, {"B", "2"}, {"a", "3"}}),
            "GET&/&B=2&a=3&b=1");
}

}  // namespace
}  // namespace hookd::ingest
