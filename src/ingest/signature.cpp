#include "ingest/signature.h"

#include <algorithm>

#include "ingest/signature_schemes.h"
#include "ingest/timestamp_rule.h"

namespace hookd::ingest {

namespace {

constexpr std::string_view kField = "signature_verification";

Error config_error(const std::string& field, std::string_view message) {
  return make_error(IngestErrc::invalid_config, field + ": " + std::string(message));
}

}  // namespace

std::string_view failure_code(SignatureFailure f) noexcept {
  switch (f) {
    case SignatureFailure::none:
      return "ok";
    case SignatureFailure::secret_missing:
      return "signature_secret_missing";
    case SignatureFailure::secret_invalid:
      return "signature_secret_invalid";
    case SignatureFailure::expression_failed:
      return "signature_expression_failed";
    case SignatureFailure::signature_missing:
      return "signature_missing";
    case SignatureFailure::signed_part_missing:
      return "signed_part_missing";
    case SignatureFailure::signature_mismatch:
      return "signature_mismatch";
    case SignatureFailure::timestamp_missing:
      return "timestamp_missing";
    case SignatureFailure::timestamp_invalid:
      return "timestamp_invalid";
    case SignatureFailure::timestamp_outside_tolerance:
      return "timestamp_outside_tolerance";
    case SignatureFailure::token_invalid:
      return "token_invalid";
    case SignatureFailure::token_expired:
      return "token_expired";
    case SignatureFailure::token_not_yet_valid:
      return "token_not_yet_valid";
    case SignatureFailure::claim_mismatch:
      return "claim_mismatch";
  }
  return "signature_invalid";
}

bool is_config_failure(SignatureFailure f) noexcept {
  return f == SignatureFailure::secret_missing || f == SignatureFailure::secret_invalid ||
         f == SignatureFailure::expression_failed;
}

Result<SignatureVerifier> SignatureVerifier::create(const json::Value& sv, const json::Value& tolerance) {
  SignatureVerifier v;
  auto add = [&](const json::Value& alt, const std::string& field) -> Status {
    if (!alt.is_object()) return config_error(field, "must be an object");
    for (const auto& m : alt.members())
      if (m.name() != "format" && m.name() != "config" && m.name() != "timestamp_tolerance")
        return config_error(field + "." + std::string(m.name()),
                            "unknown field (format, config, timestamp_tolerance)");
    const json::Value& format = alt.get("format");
    const json::Value& config = alt.get("config");
    if (!format.is_string())
      return config_error(field + ".format", "is required (" + std::string(kSignatureFormats) + ")");
    if (!config.is_object()) return config_error(field + ".config", "must be an object");
    if (!is_signature_format(format.as_string()))
      return config_error(field + ".format", "unsupported format '" + std::string(format.as_string()) +
                                                 "' (supported: " + std::string(kSignatureFormats) + ")");
    auto scheme = compile_scheme(format.as_string(), config, field + ".config");
    if (!scheme.ok()) return scheme.error();
    Alternative a{std::move(scheme).value(), nullptr};
    if (const json::Value& t = alt.get("timestamp_tolerance"); !t.is_undefined()) {
      auto rule = TimestampRule::create(t, field + ".timestamp_tolerance");
      if (!rule.ok()) return rule.error();
      a.tolerance = std::move(rule).value();
    }
    v.alternatives_.push_back(std::move(a));
    return {};
  };

  const std::string field(kField);
  if (sv.is_array()) {
    if (sv.size() == 0) return config_error(field, "must not be an empty array");
    if (sv.size() > 8) return config_error(field, "at most 8 alternatives");
    for (size_t i = 0; i < sv.size(); ++i)
      if (Status s = add(sv.at(i), field + "[" + std::to_string(i) + "]"); !s.ok()) return s.error();
  } else if (Status s = add(sv, field); !s.ok()) {
    return s.error();
  }
  if (!tolerance.is_undefined() && !tolerance.is_null()) {
    auto rule = TimestampRule::create(tolerance, "timestamp_tolerance");
    if (!rule.ok()) return rule.error();
    v.tolerance_ = std::move(rule).value();
  }
  return v;
}

namespace {

// How far a request got in an alternative: an alternative whose signature header is absent says least (the
// vendor used another scheme), one that found a signature and refused it says most.
int progress(SignatureFailure f) noexcept {
  switch (f) {
    case SignatureFailure::signature_missing:
      return 0;
    case SignatureFailure::signed_part_missing:
    case SignatureFailure::timestamp_missing:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

// The first alternative that passes wins. When none does, the answer names the most telling failure: a
// request problem over a configuration problem (an unset secondary secret must not turn a tampered request
// into a 500), the alternative that got furthest (a mismatch over another scheme's absent header), and
// otherwise the first alternative's.
SignatureVerdict SignatureVerifier::verify(const VerifyScope& scope) const {
  std::optional<SignatureVerdict> request_failure, config_failure;
  for (const Alternative& a : alternatives_) {
    SignatureVerdict v = a.scheme->check(scope);
    if (v.ok() && a.tolerance) v = a.tolerance->check(scope);
    if (v.ok()) {
      if (tolerance_) return tolerance_->check(scope);
      return v;
    }
    if (is_config_failure(v.failure)) {
      if (!config_failure) config_failure = std::move(v);
    } else if (!request_failure || progress(v.failure) > progress(request_failure->failure)) {
      request_failure = std::move(v);
    }
  }
  if (request_failure) return std::move(*request_failure);
  if (config_failure) return std::move(*config_failure);
  return {SignatureFailure::signature_mismatch, "no signature check is configured"};
}

std::vector<std::string> SignatureVerifier::secret_context_fields() const {
  std::vector<std::string> out;
  for (const Alternative& a : alternatives_)
    a.scheme->secret_fields(out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SignatureVerifier::reads_parsed_body() const noexcept {
  if (tolerance_ && tolerance_->reads_parsed_body()) return true;
  return std::any_of(alternatives_.begin(), alternatives_.end(), [](const Alternative& a) {
    return a.scheme->reads_parsed_body() || (a.tolerance && a.tolerance->reads_parsed_body());
  });
}

}  // namespace hookd::ingest
