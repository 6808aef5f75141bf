// JSON Web Tokens (RFC 7519) as vendors use them to sign webhooks: a compact JWS (RFC 7515) in a header or a
// query parameter, signed with HS256, RS256 or ES256, plus the Atlassian Connect query string hash ("qsh")
// that binds such a token to one request.
//
// Only verification: hookd never issues tokens. The token comes from an unauthenticated request, so every
// function here treats it as hostile input and answers with a verdict, never an exception.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/crypto_pk.h"
#include "hookd/json.h"

namespace hookd::ingest {

// The JWS algorithms hookd verifies. "none" is deliberately not one of them.
enum class JwtAlgorithm { hs256, rs256, es256 };

// "HS256", "RS256", "ES256" (exact, case-sensitive, as RFC 7518 spells them); nullopt for anything else.
std::optional<JwtAlgorithm> jwt_algorithm_from_name(std::string_view name) noexcept;
std::string_view jwt_algorithm_name(JwtAlgorithm alg) noexcept;  // "HS256"

// The verification key from config: an HMAC secret (HS256) or a public key (RS256: RSA, ES256: P-256).
// Configure one of the two. A token is only checked with the kind of key its algorithm calls for, so a
// public key is never used as an HMAC secret (the classic "algorithm confusion" forgery).
struct JwtKey {
  std::string hmac_secret;
  std::shared_ptr<const crypto::PublicKey> public_key;
};

struct JwtVerdict {
  enum class Outcome { valid, malformed, algorithm_not_allowed, signature_mismatch, expired, not_yet_valid };
  Outcome outcome = Outcome::malformed;
  // For logs and operators: what was wrong ("exp 1300819380 is before now 1700000000 (leeway 60s)"). Never
  // holds key material or the expected signature.
  std::string detail;
  // The decoded JOSE header, set whenever it parsed. The claims are set only when the signature verified
  // (outcome valid, expired or not_yet_valid): unauthenticated claims are never handed out.
  json::Value header, claims;

  bool valid() const noexcept { return outcome == Outcome::valid; }
};

std::string_view jwt_outcome_name(JwtVerdict::Outcome o) noexcept;  // "signature_mismatch"

// Verifies a compact JWS (three base64url parts without padding, joined by '.') whose payload is a JSON
// object of claims.
//  - The header's "alg" must be in `allowed` and match the key's kind (HS256 needs a non-empty HMAC secret
//    and no public key; RS256 an RSA key; ES256 a P-256 key), else algorithm_not_allowed. A header with
//    "crit" is malformed: hookd understands no JWS extensions, and RFC 7515 says to refuse what it lists.
//  - HS256 is compared in constant time; ES256 signatures are the raw 64-byte r||s form (RFC 7518 3.4).
//  - "exp" and "nbf", when present, must be numbers (seconds since the epoch) and are checked against
//    now_seconds with leeway_seconds either way: expired once now >= exp + leeway, not_yet_valid while
//    now + leeway < nbf. A token without "exp" is accepted here; a caller that needs one checks
//    verdict.claims.contains("exp").
// Checks run in that order (structure, algorithm, signature, dates), so a forged token is reported as a
// signature mismatch, never as expired.
JwtVerdict verify_jwt(std::string_view token, std::span<const JwtAlgorithm> allowed, const JwtKey& key,
                      int64_t now_seconds, int64_t leeway_seconds);

// Atlassian Connect's canonical request, "METHOD&canonical-path&canonical-query", as specified in
// "Understanding JWT for Connect apps" (developer.atlassian.com) and implemented by the atlassian-jwt npm
// package (createCanonicalRequest):
//  - METHOD is `method` upper-cased;
//  - canonical-path is `path` as received (still percent-encoded), with the app's base path already removed
//    by the caller and no query string: "/" when empty, a leading "/" added when missing, one trailing "/"
//    removed unless the path is just "/", and every '&' written "%26";
//  - canonical-query is the parameters except "jwt", grouped by name: name "=" values joined by ",", the
//    values sorted, groups sorted by name and joined by '&'; names and values percent-encoded as RFC 3986
//    (everything but A-Z a-z 0-9 - . _ ~ as %XX, upper-case hex, UTF-8 bytes; a space is "%20").
// `query` is the request's parameters percent-DECODED, in the order received; a parameter without '=' is
// ("name", ""). Sorting is by byte value of the encoded text ("A" before "a").
std::string atlassian_canonical_request(std::string_view method, std::string_view path,
                                        const std::vector<std::pair<std::string, std::string>>& query);

// The "qsh" claim Atlassian puts in a token: hex SHA-256 of atlassian_canonical_request(...). Compare it to
// the token's claim with crypto::constant_time_equal.
std::string atlassian_qsh(std::string_view method, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace hookd::ingest
