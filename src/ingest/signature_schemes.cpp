#include "ingest/signature_schemes.h"

#include <algorithm>

#include "core/crypto.h"

namespace hookd::ingest {

namespace scheme_detail {

// ---- Reading configs

Error ConfigReader::error(std::string_view name, std::string_view message) const {
  return make_error(IngestErrc::invalid_config, field(name) + ": " + std::string(message));
}

Status ConfigReader::only(std::initializer_list<std::string_view> known) const {
  for (const auto& m : config_.members()) {
    if (std::find(known.begin(), known.end(), m.name()) != known.end()) continue;
    std::string list;
    for (std::string_view k : known)
      list += (list.empty() ? "" : ", ") + std::string(k);
    return error(m.name(), "unknown field (" + list + ")");
  }
  return {};
}

Result<SignedValue> ConfigReader::secret(std::string_view name, std::string_view fallback) const {
  const json::Value& v = get(name);
  if (v.is_undefined() && fallback.empty()) return error(name, "is required");
  auto value = SignedValue::compile(v.is_undefined() ? json::Value(fallback) : v, field(name),
                                    /*allow_expression=*/false);
  if (!value.ok()) return value.error();
  return value;
}

Result<std::vector<SignedValue>> ConfigReader::values(std::string_view name,
                                                      std::string_view fallback) const {
  const json::Value& v = get(name);
  if (v.is_undefined() && fallback.empty()) return error(name, "is required");
  return compile_values(v.is_undefined() ? json::Value(fallback) : v, field(name));
}

Result<std::string> ConfigReader::string(std::string_view name, std::string_view fallback) const {
  const json::Value& v = get(name);
  if (v.is_undefined()) return std::string(fallback);
  if (!v.is_string()) return error(name, "must be a string");
  return std::string(v.as_string());
}

Result<std::string> ConfigReader::choice(std::string_view name,
                                         std::initializer_list<std::string_view> choices) const {
  const json::Value& v = get(name);
  if (v.is_undefined()) return std::string(*choices.begin());
  for (std::string_view c : choices)
    if (v.is_string() && v.as_string() == c) return std::string(c);
  std::string list;
  for (std::string_view c : choices)
    list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
  return error(name, "must be one of " + list);
}

// ---- Candidates and parts

Result<Candidates> Candidates::read(const ConfigReader& r, std::string_view default_separators,
                                    std::string_view default_compare_with) {
  Candidates c;
  auto values = r.values("compare_with", default_compare_with);
  if (!values.ok()) return values.error();
  c.values = std::move(values).value();
  auto separators = r.string("separator", default_separators);
  if (!separators.ok()) return separators.error();
  c.separators = std::move(separators).value();
  auto prefix = r.string("prefix", "");
  if (!prefix.ok()) return prefix.error();
  c.prefix = std::move(prefix).value();
  return c;
}

SignatureVerdict Candidates::collect(const VerifyScope& scope, std::vector<std::string>& out) const {
  std::string missing;
  for (const SignedValue& v : values) {
    Status s = v.candidates(scope, separators, out);
    if (s.ok()) continue;
    if (s.error().code != IngestErrc::missing_value)
      return {SignatureFailure::expression_failed, "compare_with: " + s.error().message};
    if (missing.empty()) missing = s.error().message;
  }
  if (!prefix.empty()) {
    std::erase_if(out, [&](const std::string& c) { return c.compare(0, prefix.size(), prefix) != 0; });
    for (std::string& c : out)
      c.erase(0, prefix.size());
  }
  std::erase_if(out, [](const std::string& c) { return c.empty(); });
  if (out.empty())
    return {
        SignatureFailure::signature_missing,
        "no signature" + (missing.empty() ? std::string(" with the expected form") : " (" + missing + ")")};
  return {};
}

bool Candidates::reads_parsed_body() const noexcept {
  return std::any_of(values.begin(), values.end(), [](const auto& v) { return v.reads_parsed_body(); });
}

Result<SignedParts> SignedParts::read(const ConfigReader& r) {
  SignedParts p;
  const json::Value& parts = r.get("parts");
  if (parts.is_undefined()) {
    p.parts.push_back(SignedValue::compile(json::Value("raw_body"), r.field("parts")).value());
    return p;
  }
  if (!parts.is_array() || parts.size() == 0)
    return r.error("parts", "must be a non-empty array ('raw_body', templates or {\"jsonata\": ...})");
  auto values = compile_values(parts, r.field("parts"));
  if (!values.ok()) return values.error();
  p.parts = std::move(values).value();
  return p;
}

SignatureVerdict SignedParts::render(const VerifyScope& scope, std::vector<std::string>& storage,
                                     std::vector<std::string_view>& views) const {
  storage.assign(parts.size(), std::string());
  views.assign(parts.size(), std::string_view());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].is_raw_body()) {
      views[i] = scope.templates.raw_body;
      continue;
    }
    if (Status s = parts[i].render(scope, storage[i]); !s.ok()) {
      if (s.error().code != IngestErrc::missing_value)
        return {SignatureFailure::expression_failed, "parts: " + s.error().message};
      // A part from the account context is signing material: its absence is the account's configuration.
      if (parts[i].reads_context())
        return {SignatureFailure::secret_missing,
                "signed part " + parts[i].source() + " resolved to nothing"};
      return {SignatureFailure::signed_part_missing,
              "signed part " + parts[i].source() + " is missing: " + s.error().message};
    }
    views[i] = storage[i];
  }
  return {};
}

bool SignedParts::reads_parsed_body() const noexcept {
  return std::any_of(parts.begin(), parts.end(), [](const auto& v) { return v.reads_parsed_body(); });
}

void SignedParts::context_fields(std::vector<std::string>& out) const {
  for (const SignedValue& v : parts)
    v.context_fields(out);
}

// How a verdict names a secret: by its template ("{{context.webhook_secret}}"), never by a literal secret's
// text, which the detail would otherwise carry into the log and the vendor's 500 (found by the secret-leak
// test).
namespace {
std::string secret_name(const SignedValue& secret) {
  return secret.has_placeholders() ? secret.source() : "the literal secret of the config";
}
}  // namespace

SignatureVerdict render_secret(const SignedValue& secret, const VerifyScope& scope, std::string& out) {
  Status s = secret.render(scope, out);
  if (!s.ok() || out.empty())
    return {SignatureFailure::secret_missing, secret_name(secret) + " resolved to nothing"};
  return {};
}

void decode_candidates(std::vector<std::string>& candidates, bool base64) {
  std::vector<std::string> decoded;
  decoded.reserve(candidates.size());
  for (const std::string& c : candidates)
    if (auto d = base64 ? crypto::from_base64(c) : crypto::from_hex(c)) decoded.push_back(std::move(*d));
  candidates = std::move(decoded);
}

namespace {

// Any candidate equal to `expected`; every candidate is compared (no early exit).
bool any_equal(const std::vector<std::string>& candidates, std::string_view expected) {
  bool any = false;
  for (const std::string& c : candidates)
    any |= crypto::constant_time_equal(c, expected);
  return any;
}

SignatureVerdict match(const std::vector<std::string>& candidates, std::string_view expected) {
  if (any_equal(candidates, expected)) return {};
  return {SignatureFailure::signature_mismatch, "signature does not match"};
}

Result<crypto::Digest> read_algorithm(const ConfigReader& r) {
  const json::Value& alg = r.get("algorithm");
  if (alg.is_undefined()) return crypto::Digest::sha256;
  auto d = alg.is_string() ? crypto::digest_from_name(alg.as_string()) : std::nullopt;
  if (!d)
    return r.error("algorithm",
                   "unsupported algorithm '" + json::dump(alg) + "' (sha1, sha256, sha384, sha512, md5)");
  return *d;
}

Result<bool> read_base64(const ConfigReader& r, std::string_view fallback) {
  const json::Value& v = r.get("string_type");
  std::string_view type = v.is_undefined() ? fallback : v.string_or("");
  if (type == "hex") return false;
  if (type == "base64" || type == "base64url") return true;
  return r.error("string_type", "must be 'hex', 'base64' or 'base64url'");
}

// ---- hmac

class HmacScheme final : public SignatureScheme {
 public:
  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r) {
    if (Status s = r.only({"secret", "compare_with", "algorithm", "string_type", "parts", "prefix",
                           "separator", "secret_encoding"});
        !s.ok())
      return s.error();
    auto scheme = std::make_shared<HmacScheme>();
    auto secret = r.secret("secret");
    auto digest = read_algorithm(r);
    auto base64 = read_base64(r, "hex");
    auto encoding = r.choice("secret_encoding", {"utf8", "base64", "hex"});
    auto candidates = Candidates::read(r, ", ");
    auto parts = SignedParts::read(r);
    for (const Status& s : {secret.status(), digest.status(), base64.status(), encoding.status(),
                            candidates.status(), parts.status()})
      if (!s.ok()) return s.error();
    scheme->secret_ = std::move(secret).value();
    scheme->digest_ = *digest;
    scheme->base64_ = *base64;
    scheme->secret_encoding_ = *encoding;
    scheme->candidates_ = std::move(candidates).value();
    scheme->parts_ = std::move(parts).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    std::string secret;
    if (auto v = render_secret(secret_, scope, secret); !v.ok()) return v;
    if (secret_encoding_ != "utf8") {
      std::string_view text = secret;
      if (secret_encoding_ == "base64" && text.starts_with("whsec_")) text.remove_prefix(6);
      auto key = secret_encoding_ == "base64" ? crypto::from_base64(text) : crypto::from_hex(text);
      if (!key || key->empty())
        return {SignatureFailure::secret_invalid, secret_name(secret_) + " is not " + secret_encoding_};
      secret = std::move(*key);
    }
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    std::vector<std::string> storage;
    std::vector<std::string_view> views;
    if (auto v = parts_.render(scope, storage, views); !v.ok()) return v;
    decode_candidates(candidates, base64_);
    return match(candidates, crypto::hmac(digest_, secret, views.data(), views.size()));
  }
  void secret_fields(std::vector<std::string>& out) const override { secret_.context_fields(out); }
  bool reads_parsed_body() const override {
    return secret_.reads_parsed_body() || candidates_.reads_parsed_body() || parts_.reads_parsed_body();
  }

 private:
  SignedValue secret_;
  crypto::Digest digest_ = crypto::Digest::sha256;
  bool base64_ = false;
  std::string secret_encoding_;
  Candidates candidates_;
  SignedParts parts_;
};

// ---- digest

class DigestScheme final : public SignatureScheme {
 public:
  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r) {
    if (Status s = r.only({"compare_with", "algorithm", "string_type", "parts", "prefix", "separator"});
        !s.ok())
      return s.error();
    if (r.get("parts").is_undefined())
      return r.error("parts", "is required: an unkeyed digest of the body alone proves nothing");
    auto scheme = std::make_shared<DigestScheme>();
    auto digest = read_algorithm(r);
    auto base64 = read_base64(r, "hex");
    auto candidates = Candidates::read(r, ", ");
    auto parts = SignedParts::read(r);
    for (const Status& s : {digest.status(), base64.status(), candidates.status(), parts.status()})
      if (!s.ok()) return s.error();
    scheme->digest_ = *digest;
    scheme->base64_ = *base64;
    scheme->candidates_ = std::move(candidates).value();
    scheme->parts_ = std::move(parts).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    std::vector<std::string> storage;
    std::vector<std::string_view> views;
    if (auto v = parts_.render(scope, storage, views); !v.ok()) {
      // The secret is one of the parts: a part read from the account context that is missing is the
      // account's misconfiguration, not the request's.
      return v;
    }
    std::string joined;
    for (std::string_view p : views)
      joined += p;
    decode_candidates(candidates, base64_);
    return match(candidates, crypto::hash(digest_, joined));
  }
  void secret_fields(std::vector<std::string>& out) const override { parts_.context_fields(out); }
  bool reads_parsed_body() const override {
    return candidates_.reads_parsed_body() || parts_.reads_parsed_body();
  }

 private:
  crypto::Digest digest_ = crypto::Digest::sha256;
  bool base64_ = false;
  Candidates candidates_;
  SignedParts parts_;
};

// ---- equals

// Both sides hashed first, so that the comparison's time does not even depend on the secret's length.
bool same_secret(std::string_view a, std::string_view b) {
  return crypto::constant_time_equal(crypto::hash(crypto::Digest::sha256, a),
                                     crypto::hash(crypto::Digest::sha256, b));
}

class EqualsScheme final : public SignatureScheme {
 public:
  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r) {
    if (Status s = r.only({"secret", "compare_with", "prefix", "separator"}); !s.ok()) return s.error();
    auto scheme = std::make_shared<EqualsScheme>();
    auto secret = r.secret("secret");
    auto candidates = Candidates::read(r, "");
    for (const Status& s : {secret.status(), candidates.status()})
      if (!s.ok()) return s.error();
    scheme->secret_ = std::move(secret).value();
    scheme->candidates_ = std::move(candidates).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    std::string secret;
    if (auto v = render_secret(secret_, scope, secret); !v.ok()) return v;
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    bool any = false;
    for (const std::string& c : candidates)
      any |= same_secret(c, secret);
    if (any) return {};
    return {SignatureFailure::signature_mismatch, "the value does not match"};
  }
  void secret_fields(std::vector<std::string>& out) const override { secret_.context_fields(out); }
  bool reads_parsed_body() const override {
    return secret_.reads_parsed_body() || candidates_.reads_parsed_body();
  }

 private:
  SignedValue secret_;
  Candidates candidates_;
};

// ---- basic

class BasicScheme final : public SignatureScheme {
 public:
  static Result<std::shared_ptr<const SignatureScheme>> compile(const ConfigReader& r) {
    if (Status s = r.only({"username", "password", "compare_with"}); !s.ok()) return s.error();
    auto scheme = std::make_shared<BasicScheme>();
    auto username = r.secret("username");
    auto password = r.secret("password");
    auto candidates = Candidates::read(r, "", "{{headers.authorization}}");
    for (const Status& s : {username.status(), password.status(), candidates.status()})
      if (!s.ok()) return s.error();
    scheme->username_ = std::move(username).value();
    scheme->password_ = std::move(password).value();
    scheme->candidates_ = std::move(candidates).value();
    return std::shared_ptr<const SignatureScheme>(std::move(scheme));
  }

  SignatureVerdict check(const VerifyScope& scope) const override {
    std::string username, password;
    if (auto v = render_secret(username_, scope, username); !v.ok()) return v;
    if (auto v = render_secret(password_, scope, password); !v.ok()) return v;
    std::vector<std::string> candidates;
    if (auto v = candidates_.collect(scope, candidates); !v.ok()) return v;
    bool any = false;
    for (std::string_view c : candidates) {
      // "Basic <base64(user:password)>", the scheme name in any case (RFC 7617).
      if (c.size() < 6 || !beast_iequals(c.substr(0, 6), "basic ")) continue;
      auto decoded = crypto::from_base64(c.substr(6));
      if (!decoded) continue;
      size_t colon = decoded->find(':');
      if (colon == std::string::npos) continue;
      bool user_ok = same_secret(std::string_view(*decoded).substr(0, colon), username);
      bool password_ok = same_secret(std::string_view(*decoded).substr(colon + 1), password);
      any |= user_ok && password_ok;
    }
    if (any) return {};
    return {SignatureFailure::signature_mismatch, "the credentials do not match"};
  }
  void secret_fields(std::vector<std::string>& out) const override {
    username_.context_fields(out);
    password_.context_fields(out);
  }
  bool reads_parsed_body() const override { return candidates_.reads_parsed_body(); }

 private:
  static bool beast_iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }
  SignedValue username_;
  SignedValue password_;
  Candidates candidates_;
};

}  // namespace

}  // namespace scheme_detail

Result<std::shared_ptr<const SignatureScheme>> compile_scheme(std::string_view format,
                                                              const json::Value& config,
                                                              const std::string& field) {
  using namespace scheme_detail;
  ConfigReader r(config, field);
  if (format == "hmac") return HmacScheme::compile(r);
  if (format == "digest") return DigestScheme::compile(r);
  if (format == "equals") return EqualsScheme::compile(r);
  if (format == "basic") return BasicScheme::compile(r);
  if (format == "ecdsa") return compile_ecdsa(r);
  if (format == "ed25519") return compile_ed25519(r);
  if (format == "jwt") return compile_jwt(r);
  return make_error(IngestErrc::invalid_config, field + ": unsupported format");
}

bool is_signature_format(std::string_view f) noexcept {
  for (std::string_view known : {"hmac", "digest", "equals", "basic", "ecdsa", "ed25519", "jwt"})
    if (f == known) return true;
  return false;
}

}  // namespace hookd::ingest
