// The jwt format: a JSON Web Token in a header or the query (Atlassian Connect, vendors that sign with a
// bearer token).
//
//   "format": "jwt", "config": {
//     "algorithms": ["HS256"],                       // HS256 | RS256 | ES256; the token's alg must be listed
//     "secret": "{{context.shared_secret}}",          // HS256 key
//     "public_key": "-----BEGIN PUBLIC KEY-----...",  // RS256 / ES256 key
//     "compare_with": ["{{headers.authorization}}", "{{query.jwt}}"],   // default the Authorization header
//     "claims": {"iss": "{{context.client_key}}"},    // claims that must equal these values
//     "require_exp": true, "leeway_seconds": 0,
//     "query_string_hash": "atlassian_connect" }      // the qsh claim must match the request
//
// The Authorization header's scheme word ("Bearer", "JWT") is split off by the default separator " ": only
// candidates that look like a compact JWS (three dot-separated parts) are tried.
#include <algorithm>

#include "core/clock.h"
#include "http/message.h"
#include "ingest/jwt.h"
#include "ingest/signature_keys.h"

namespace hookd::ingest::scheme_detail {

namespace {

bool looks_like_jws(std::string_view s) {
  return std::count(s.begin(), s.end(), '.') == 2;
}

class JwtScheme final : public SignatureScheme {
 public:
  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r) {
    if (Status s = r.only({"algorithms", "secret", "public_key", "compare_with", "separator", "prefix",
                           "claims", "require_exp", "leeway_seconds", "query_string_hash"});
        !s.ok())
      return s.error();
    auto scheme = std::make_shared<JwtScheme>();
    if (Status s = scheme->read_algorithms(r); !s.ok()) return s.error();
    if (Status s = scheme->read_keys(r); !s.ok()) return s.error();
    if (Status s = scheme->read_checks(r); !s.ok()) return s.error();
    auto candidates = Candidates::read(r, " ", "{{headers.authorization}}");
    if (!candidates.ok()) return candidates.error();
    scheme->candidates_ = std::move(candidates).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    JwtKey key;
    if (secret_) {
      if (auto v = render_secret(*secret_, scope, key.hmac_secret); !v.ok()) return v;
    }
    if (public_key_) {
      if (auto v = public_key_->get(scope, key.public_key); !v.ok()) return v;
    }
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    std::erase_if(candidates, [](const std::string& c) { return !looks_like_jws(c); });
    if (candidates.empty()) return {SignatureFailure::signature_missing, "no token"};
    std::optional<SignatureVerdict> failure;
    for (const std::string& token : candidates) {
      SignatureVerdict v = check_token(token, key, scope);
      if (v.ok()) return v;
      // A token that verified but failed a later check says more than one that did not verify.
      if (!failure || failure->failure == SignatureFailure::token_invalid) failure = std::move(v);
    }
    return std::move(*failure);
  }

  void secret_fields(std::vector<std::string>& out) const override {
    if (secret_) secret_->context_fields(out);
    if (public_key_) public_key_->context_fields(out);
  }
  bool reads_parsed_body() const override {
    if (candidates_.reads_parsed_body()) return true;
    return std::any_of(claims_.begin(), claims_.end(),
                       [](const auto& c) { return c.second.reads_parsed_body(); });
  }

 private:
  Status read_algorithms(const ConfigReader& r) {
    const json::Value& algs = r.get("algorithms");
    if (!algs.is_array() || algs.size() == 0)
      return r.error("algorithms", "is required: a non-empty array of HS256, RS256, ES256");
    for (size_t i = 0; i < algs.size(); ++i) {
      auto alg = jwt_algorithm_from_name(algs.at(i).string_or(""));
      if (!alg) return r.error("algorithms[" + std::to_string(i) + "]", "must be HS256, RS256 or ES256");
      algorithms_.push_back(*alg);
    }
    return {};
  }

  Status read_keys(const ConfigReader& r) {
    bool hmac = std::count(algorithms_.begin(), algorithms_.end(), JwtAlgorithm::hs256) > 0;
    bool rsa = std::count(algorithms_.begin(), algorithms_.end(), JwtAlgorithm::rs256) > 0;
    bool ec = std::count(algorithms_.begin(), algorithms_.end(), JwtAlgorithm::es256) > 0;
    if (rsa && ec) return r.error("algorithms", "RS256 and ES256 need different keys: list one of them");
    if (hmac) {
      auto secret = r.secret("secret");
      if (!secret.ok()) return r.error("secret", "is required for HS256");
      secret_ = std::move(secret).value();
    } else if (!r.get("secret").is_undefined()) {
      return r.error("secret", "is only used with HS256");
    }
    if (rsa || ec) {
      if (r.get("public_key").is_undefined()) return r.error("public_key", "is required for RS256 and ES256");
      auto key = KeySource::read(r, "public_key", rsa ? crypto::KeyType::rsa : crypto::KeyType::ec_p256);
      if (!key.ok()) return key.error();
      public_key_ = std::move(key).value();
    } else if (!r.get("public_key").is_undefined()) {
      return r.error("public_key", "is only used with RS256 and ES256");
    }
    return {};
  }

  Status read_checks(const ConfigReader& r) {
    if (const json::Value& claims = r.get("claims"); !claims.is_undefined()) {
      if (!claims.is_object()) return r.error("claims", "must be an object of claim names and values");
      for (const auto& m : claims.members()) {
        auto value = SignedValue::compile(m.value, r.field("claims." + std::string(m.name())));
        if (!value.ok()) return value.error();
        claims_.emplace_back(std::string(m.name()), std::move(value).value());
      }
    }
    if (const json::Value& v = r.get("require_exp"); !v.is_undefined()) {
      if (!v.is_bool()) return r.error("require_exp", "must be true or false");
      require_exp_ = v.as_bool();
    }
    if (const json::Value& v = r.get("leeway_seconds"); !v.is_undefined()) {
      if (!v.is_number() || v.as_number() < 0 || v.as_number() > 300 ||
          v.as_number() != static_cast<double>(static_cast<int64_t>(v.as_number())))
        return r.error("leeway_seconds", "must be a whole number of seconds from 0 to 300");
      leeway_seconds_ = static_cast<int64_t>(v.as_number());
    }
    auto qsh = r.choice("query_string_hash", {"none", "atlassian_connect"});
    if (!qsh.ok()) return qsh.error();
    atlassian_qsh_ = *qsh == "atlassian_connect";
    return {};
  }

  SignatureVerdict check_token(const std::string& token, const JwtKey& key, const VerifyScope& scope) const {
    JwtVerdict jwt = verify_jwt(token, algorithms_, key, scope.now_millis / 1000, leeway_seconds_);
    switch (jwt.outcome) {
      case JwtVerdict::Outcome::valid:
        break;
      case JwtVerdict::Outcome::expired:
        return {SignatureFailure::token_expired, jwt.detail};
      case JwtVerdict::Outcome::not_yet_valid:
        return {SignatureFailure::token_not_yet_valid, jwt.detail};
      default:
        return {SignatureFailure::token_invalid, jwt.detail};
    }
    if (require_exp_ && !jwt.claims.get("exp").is_number())
      return {SignatureFailure::token_invalid, "the token has no exp claim"};
    for (const auto& [name, expected] : claims_) {
      std::string want;
      if (Status s = expected.render(scope, want); !s.ok()) {
        if (s.error().code != IngestErrc::missing_value)
          return {SignatureFailure::expression_failed, "claims." + name + ": " + s.error().message};
        return {SignatureFailure::secret_missing, "claims." + name + ": " + s.error().message};
      }
      std::string got;
      append_as_text(got, jwt.claims.get(name));
      if (got != want)
        return {SignatureFailure::claim_mismatch, "the token's " + name + " claim does not match"};
    }
    if (atlassian_qsh_) {
      if (!scope.request) return {SignatureFailure::claim_mismatch, "no request to hash"};
      std::string qsh =
          atlassian_qsh(scope.request->request.method_string(), scope.request->path, scope.request->query);
      if (jwt.claims.get("qsh").string_or("") != qsh)
        return {SignatureFailure::claim_mismatch, "the token's qsh claim does not match this request"};
    }
    return {};
  }

  std::vector<JwtAlgorithm> algorithms_;
  std::optional<SignedValue> secret_;
  std::optional<KeySource> public_key_;
  std::vector<std::pair<std::string, SignedValue>> claims_;
  bool require_exp_ = true;
  int64_t leeway_seconds_ = 0;
  bool atlassian_qsh_ = false;
  Candidates candidates_;
};

}  // namespace

Result<std::shared_ptr<const SignatureScheme>> compile_jwt(const ConfigReader& r) {
  return JwtScheme::compile(r);
}

}  // namespace hookd::ingest::scheme_detail
