#include "ingest/signature_value.h"

namespace hookd::ingest {

namespace {

Error config_error(std::string_view field, std::string_view message) {
  return make_error(IngestErrc::invalid_config, std::string(field) + ": " + std::string(message));
}

const ExpressionLimits& limits_of(const VerifyScope& scope) {
  static const ExpressionLimits kDefault;
  return scope.limits ? *scope.limits : kDefault;
}

// A scalar an expression returned, as the text that is signed.
bool append_scalar(std::string& out, const json::Value& v) {
  if (v.is_string() || v.is_number() || v.is_bool()) {
    append_as_text(out, v);
    return true;
  }
  return false;
}

}  // namespace

Result<SignedValue> SignedValue::compile(const json::Value& spec, std::string_view field,
                                         bool allow_expression) {
  SignedValue v;
  if (spec.is_string()) {
    auto t = Template::compile(spec.as_string(), field);
    if (!t.ok()) return t.error();
    v.template_ = std::move(t).value();
    // Secrets, keys, and any value drawn from the account context: an empty context field must never sign
    // (a digest of "" + body is anyone's to compute).
    v.secret_ = !allow_expression || v.reads_context();
    v.source_ = std::string(spec.as_string());
    return v;
  }
  if (!allow_expression) return config_error(field, "must be a string template");
  if (!spec.is_object() || spec.size() != 1 || !spec.get("jsonata").is_string())
    return config_error(field, "must be a string template or {\"jsonata\": \"<expression>\"}");
  std::string name = std::string(field) + ".jsonata";
  auto expr = compile_expression(spec.get("jsonata").as_string(), name);
  if (!expr.ok()) return expr.error();
  v.expression_ = std::move(expr).value();
  v.source_ = std::string(spec.get("jsonata").as_string());
  return v;
}

Status SignedValue::render(const VerifyScope& scope, std::string& out) const {
  if (!expression_) return template_.render(scope.templates, out, secret_);
  auto result = expression_->evaluate(scope.templates.context, limits_of(scope));
  if (!result.ok()) return result.error();
  if (!append_scalar(out, *result))
    return make_error(IngestErrc::missing_value,
                      "{\"jsonata\": " + json::dump(json::Value(source_)) + "} yielded no string");
  return {};
}

Status SignedValue::candidates(const VerifyScope& scope, std::string_view separators,
                               std::vector<std::string>& out) const {
  if (expression_) {
    auto result = expression_->evaluate(scope.templates.context, limits_of(scope));
    if (!result.ok()) return result.error();
    const json::Value& v = *result;
    std::string one;
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i)
        if (one.clear(); append_scalar(one, v.at(i)) && !one.empty()) out.push_back(one);
    } else if (append_scalar(one, v) && !one.empty()) {
      out.push_back(std::move(one));
    }
    return {};
  }
  std::string text;
  if (Status s = template_.render(scope.templates, text); !s.ok()) return s;
  if (separators.empty()) {
    if (!text.empty()) out.push_back(std::move(text));
    return {};
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t sep = rest.find_first_of(separators);
    std::string_view piece = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
    if (!piece.empty()) out.emplace_back(piece);
  }
  return {};
}

Result<std::vector<SignedValue>> compile_values(const json::Value& spec, std::string_view field) {
  std::vector<SignedValue> values;
  if (!spec.is_array()) {
    auto v = SignedValue::compile(spec, field);
    if (!v.ok()) return v.error();
    values.push_back(std::move(v).value());
    return values;
  }
  if (spec.size() == 0) return config_error(field, "must not be an empty array");
  for (size_t i = 0; i < spec.size(); ++i) {
    auto v = SignedValue::compile(spec.at(i), std::string(field) + "[" + std::to_string(i) + "]");
    if (!v.ok()) return v.error();
    values.push_back(std::move(v).value());
  }
  return values;
}

}  // namespace hookd::ingest
