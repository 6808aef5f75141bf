#include "ingest/signature.h"

#include <algorithm>

namespace hookd::ingest {

namespace {

constexpr std::string_view kField = "signature_verification";

Error config_error(std::string_view field, std::string message) {
  return make_error(IngestErrc::invalid_config,
                    std::string(kField) + "." + std::string(field) + ": " + message);
}

Result<Template> string_template(const json::Value& config, std::string_view name, bool required) {
  const json::Value& v = config.get(name);
  std::string field = "config." + std::string(name);
  if (v.is_undefined()) {
    if (required) return config_error(field, "is required");
    return Template::compile("", field);
  }
  if (!v.is_string()) return config_error(field, "must be a string template");
  return Template::compile(v.as_string(), std::string(kField) + "." + field);
}

}  // namespace

Result<SignatureVerifier> SignatureVerifier::create(const json::Value& sv) {
  if (!sv.is_object())
    return make_error(IngestErrc::invalid_config, std::string(kField) + ": must be an object");
  const json::Value& format = sv.get("format");
  if (!format.is_string() || format.as_string() != "hmac")
    return config_error("format",
                        "unsupported format" +
                            (format.is_string() ? " '" + std::string(format.as_string()) + "'" : "") +
                            " (supported: hmac)");
  const json::Value& config = sv.get("config");
  if (!config.is_object()) return config_error("config", "must be an object");
  // A misspelt field would otherwise be ignored and its default used silently ("algoritm": "sha1" -> sha256).
  for (const auto& m : sv.members())
    if (m.name() != "format" && m.name() != "config") return config_error(m.name(), "unknown field");
  for (const auto& m : config.members()) {
    static constexpr std::string_view kKnown[] = {"secret",      "compare_with", "algorithm",
                                                  "string_type", "parts",        "prefix"};
    if (std::find(std::begin(kKnown), std::end(kKnown), m.name()) == std::end(kKnown))
      return config_error("config." + std::string(m.name()),
                          "unknown field (secret, compare_with, algorithm, string_type, parts, prefix)");
  }

  SignatureVerifier v;
  if (const json::Value& alg = config.get("algorithm"); !alg.is_undefined()) {
    auto d = alg.is_string() ? crypto::digest_from_name(alg.as_string()) : std::nullopt;
    if (!d)
      return config_error("config.algorithm", "unsupported algorithm '" + json::dump(alg) +
                                                  "' (sha1, sha256, sha384, sha512, md5)");
    v.digest_ = *d;
  }
  if (const json::Value& st = config.get("string_type"); !st.is_undefined()) {
    if (st.is_string() && st.as_string() == "hex") {
      v.base64_ = false;
    } else if (st.is_string() && st.as_string() == "base64") {
      v.base64_ = true;
    } else {
      return config_error("config.string_type", "must be 'hex' or 'base64'");
    }
  }
  if (const json::Value& p = config.get("prefix"); !p.is_undefined()) {
    if (!p.is_string()) return config_error("config.prefix", "must be a string");
    v.prefix_ = std::string(p.as_string());
  }

  auto secret = string_template(config, "secret", true);
  if (!secret.ok()) return secret.error();
  v.secret_ = std::move(secret).value();
  auto compare = string_template(config, "compare_with", true);
  if (!compare.ok()) return compare.error();
  v.compare_with_ = std::move(compare).value();

  const json::Value& parts = config.get("parts");
  if (parts.is_undefined()) {
    v.parts_.push_back(Template::compile("raw_body", "parts").value());
  } else if (!parts.is_array() || parts.size() == 0) {
    return config_error("config.parts", "must be a non-empty array of strings ('raw_body' or templates)");
  } else {
    for (size_t i = 0; i < parts.size(); ++i) {
      const json::Value& item = parts.at(i);
      std::string field = "config.parts[" + std::to_string(i) + "]";
      if (!item.is_string()) return config_error(field, "must be a string ('raw_body' or a template)");
      auto t = Template::compile(item.as_string(), std::string(kField) + "." + field);
      if (!t.ok()) return t.error();
      v.parts_.push_back(std::move(t).value());
    }
  }
  return v;
}

SignatureVerifier::Verdict SignatureVerifier::verify(const TemplateScope& scope) const {
  std::string secret;
  if (!secret_.render(scope, secret).ok() || secret.empty())
    return {Outcome::missing_secret, "secret " + secret_.source() + " resolved to nothing"};

  std::string received;
  if (Status s = compare_with_.render(scope, received); !s.ok() || received.empty())
    return {Outcome::missing_signature,
            "no signature: " + (s.ok() ? compare_with_.source() : s.error().message)};

  // Parts that are the raw body are signed in place; only templated parts are rendered into buffers.
  std::vector<std::string> rendered(parts_.size());
  std::vector<std::string_view> views(parts_.size());
  for (size_t i = 0; i < parts_.size(); ++i) {
    if (parts_[i].is_raw_body()) {
      views[i] = scope.raw_body;
      continue;
    }
    if (Status s = parts_[i].render(scope, rendered[i]); !s.ok())
      return {Outcome::missing_part,
              "signed part " + parts_[i].source() + " is missing: " + s.error().message};
    views[i] = rendered[i];
  }
  std::string mac = crypto::hmac(digest_, secret, views.data(), views.size());

  std::string_view sig = received;
  // Some vendors send several signatures ("sha256=..., sha256=..." during secret rotation): any one may
  // match.
  bool any = false;
  while (!sig.empty()) {
    size_t sep = sig.find_first_of(", ");
    std::string_view one = sig.substr(0, sep);
    sig = sep == std::string_view::npos ? std::string_view() : sig.substr(sep + 1);
    if (one.empty()) continue;
    if (!prefix_.empty()) {
      if (one.substr(0, prefix_.size()) != prefix_) continue;
      one.remove_prefix(prefix_.size());
    }
    auto decoded = base64_ ? crypto::from_base64(one) : crypto::from_hex(one);
    if (decoded && crypto::constant_time_equal(*decoded, mac)) any = true;  // keep going: no early exit
  }
  if (any) return {Outcome::valid, {}};
  return {Outcome::mismatch, "signature does not match"};
}

}  // namespace hookd::ingest
