#include "ingest/jwt.h"

#include <algorithm>
#include <map>

#include "core/crypto.h"

namespace hookd::ingest {

namespace {

using Outcome = JwtVerdict::Outcome;

JwtVerdict verdict(Outcome o, std::string detail, json::Value header = {}) {
  JwtVerdict v;
  v.outcome = o;
  v.detail = std::move(detail);
  v.header = std::move(header);
  return v;
}

// RFC 7515 section 2: base64url without padding. Stricter than crypto::from_base64 (which also takes the
// standard alphabet and padding): a token is one exact spelling.
std::optional<std::string> base64url_decode(std::string_view part) {
  for (char c : part) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  return crypto::from_base64(part);
}

// A base64url part holding a JSON object.
bool decode_object(std::string_view part, json::Value& out, std::string& why) {
  auto text = base64url_decode(part);
  if (!text) {
    why = "is not base64url";
    return false;
  }
  json::ParseError err;
  if (!json::parse(*text, out, &err)) {
    why = "is not JSON (" + err.describe() + ")";
    return false;
  }
  if (!out.is_object()) {
    why = "is not a JSON object";
    return false;
  }
  return true;
}

bool allowed_contains(std::span<const JwtAlgorithm> allowed, JwtAlgorithm alg) {
  return std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
}

// Empty when `key` may verify `alg`; else why not. This is where algorithm confusion is stopped.
std::string key_mismatch(JwtAlgorithm alg, const JwtKey& key) {
  switch (alg) {
    case JwtAlgorithm::hs256:
      if (key.public_key) return "HS256 token but the configured key is a public key";
      if (key.hmac_secret.empty()) return "HS256 token but no HMAC secret is configured";
      return {};
    case JwtAlgorithm::rs256:
      if (!key.public_key || key.public_key->type() != crypto::KeyType::rsa)
        return "RS256 token but the configured key is not an RSA public key";
      return {};
    case JwtAlgorithm::es256:
      if (!key.public_key || key.public_key->type() != crypto::KeyType::ec_p256)
        return "ES256 token but the configured key is not a P-256 public key";
      return {};
  }
  return "unknown algorithm";
}

bool signature_ok(JwtAlgorithm alg, const JwtKey& key, std::string_view signing_input,
                  std::string_view signature) {
  switch (alg) {
    case JwtAlgorithm::hs256:
      return crypto::constant_time_equal(crypto::hmac(crypto::Digest::sha256, key.hmac_secret, signing_input),
                                         signature);
    case JwtAlgorithm::rs256:
      return crypto::verify_rsa_pkcs1(*key.public_key, crypto::Digest::sha256, signing_input, signature);
    case JwtAlgorithm::es256:
      return crypto::verify_ecdsa_sha256(*key.public_key, signing_input, signature,
                                         crypto::EcdsaEncoding::raw);
  }
  return false;
}

std::string seconds(double d) {
  std::string s;
  json::write_number(s, d);
  return s;
}

// exp and nbf against now (RFC 7519 4.1.4 and 4.1.5). `v` carries the verified header and claims.
JwtVerdict check_dates(JwtVerdict v, int64_t now_seconds, int64_t leeway_seconds) {
  const json::Value& exp = v.claims.get("exp");
  const json::Value& nbf = v.claims.get("nbf");
  if ((!exp.is_undefined() && !exp.is_number()) || (!nbf.is_undefined() && !nbf.is_number())) {
    v.outcome = Outcome::malformed;
    v.detail = "exp and nbf must be numbers (seconds since the epoch)";
    return v;
  }
  double now = static_cast<double>(now_seconds),
         leeway = static_cast<double>(std::max<int64_t>(leeway_seconds, 0));
  std::string suffix = " now " + seconds(now) + " (leeway " + seconds(leeway) + "s)";
  if (exp.is_number() && now >= exp.as_number() + leeway) {
    v.outcome = Outcome::expired;
    v.detail = "token expired: exp " + seconds(exp.as_number()) + " is not after" + suffix;
    return v;
  }
  if (nbf.is_number() && now + leeway < nbf.as_number()) {
    v.outcome = Outcome::not_yet_valid;
    v.detail = "token not yet valid: nbf " + seconds(nbf.as_number()) + " is after" + suffix;
    return v;
  }
  v.outcome = Outcome::valid;
  v.detail.clear();
  return v;
}

}  // namespace

std::optional<JwtAlgorithm> jwt_algorithm_from_name(std::string_view name) noexcept {
  if (name == "HS256") return JwtAlgorithm::hs256;
  if (name == "RS256") return JwtAlgorithm::rs256;
  if (name == "ES256") return JwtAlgorithm::es256;
  return std::nullopt;
}

std::string_view jwt_algorithm_name(JwtAlgorithm alg) noexcept {
  switch (alg) {
    case JwtAlgorithm::hs256:
      return "HS256";
    case JwtAlgorithm::rs256:
      return "RS256";
    case JwtAlgorithm::es256:
      return "ES256";
  }
  return "HS256";
}

std::string_view jwt_outcome_name(JwtVerdict::Outcome o) noexcept {
  switch (o) {
    case Outcome::valid:
      return "valid";
    case Outcome::malformed:
      return "malformed";
    case Outcome::algorithm_not_allowed:
      return "algorithm_not_allowed";
    case Outcome::signature_mismatch:
      return "signature_mismatch";
    case Outcome::expired:
      return "expired";
    case Outcome::not_yet_valid:
      return "not_yet_valid";
  }
  return "malformed";
}

JwtVerdict verify_jwt(std::string_view token, std::span<const JwtAlgorithm> allowed, const JwtKey& key,
                      int64_t now_seconds, int64_t leeway_seconds) {
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return verdict(Outcome::malformed, "not a compact JWS (want three base64url parts separated by '.')");
  std::string_view header_part = token.substr(0, dot1),
                   payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signing_input = token.substr(0, dot2), signature_part = token.substr(dot2 + 1);

  json::Value header;
  std::string why;
  if (!decode_object(header_part, header, why)) return verdict(Outcome::malformed, "JWS header " + why);
  const json::Value& alg_value = header.get("alg");
  if (!alg_value.is_string()) return verdict(Outcome::malformed, "JWS header has no \"alg\" string", header);
  if (header.contains("crit"))
    return verdict(Outcome::malformed, "JWS header lists \"crit\" extensions, which hookd does not support",
                   header);
  std::string_view alg_name = alg_value.as_string();
  auto alg = jwt_algorithm_from_name(alg_name);
  if (!alg || !allowed_contains(allowed, *alg))
    return verdict(Outcome::algorithm_not_allowed,
                   "alg \"" + std::string(alg_name.substr(0, 32)) + "\" is not allowed here", header);
  if (std::string mismatch = key_mismatch(*alg, key); !mismatch.empty())
    return verdict(Outcome::algorithm_not_allowed, std::move(mismatch), header);

  auto signature = base64url_decode(signature_part);
  if (!signature || signature->empty())
    return verdict(Outcome::malformed, "JWS signature is not base64url", header);
  if (!signature_ok(*alg, key, signing_input, *signature))
    return verdict(Outcome::signature_mismatch,
                   std::string(jwt_algorithm_name(*alg)) + " signature does not match", header);

  JwtVerdict v = verdict(Outcome::malformed, {}, header);
  if (!decode_object(payload_part, v.claims, why)) {
    v.claims = {};
    v.detail = "JWT claims " + why;
    return v;
  }
  return check_dates(std::move(v), now_seconds, leeway_seconds);
}

// --- Atlassian Connect qsh ---------------------------------------------------------------------------------

namespace {

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string canonical_path(std::string_view path) {
  std::string out;
  if (path.empty() || path.front() != '/') out.push_back('/');
  for (char c : path)
    if (c == '&')
      out.append("%26");
    else
      out.push_back(c);
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::map<std::string, std::vector<std::string>> groups;  // encoded name -> encoded values; sorted by name
  for (const auto& [name, value] : query)
    if (name != "jwt") groups[percent_encode(name)].push_back(percent_encode(value));
  std::string out;
  for (auto& [name, values] : groups) {
    std::sort(values.begin(), values.end());
    if (!out.empty()) out.push_back('&');
    out.append(name).push_back('=');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out.push_back(',');
      out.append(values[i]);
    }
  }
  return out;
}

}  // namespace

std::string atlassian_canonical_request(std::string_view method, std::string_view path,
                                        const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (char c : method)
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  out.push_back('&');
  out.append(canonical_path(path));
  out.push_back('&');
  out.append(canonical_query(query));
  return out;
}

std::string atlassian_qsh(std::string_view method, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& query) {
  return crypto::sha256_hex(atlassian_canonical_request(method, path, query));
}

}  // namespace hookd::ingest
