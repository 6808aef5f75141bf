// The values a signature check reads from the request: a `{{path}}` template (template.h) or, where a template
// is not enough, a JSONata expression over the payload context written as {"jsonata": "<expression>"}.
//
//   "parts": ["v0:", "{{headers.x-slack-request-timestamp}}", ":", "raw_body"]
//   "parts": [{"jsonata": "$match(headers.`stripe-signature`, /t=([0-9]+)/).groups[0]"}, ".", "raw_body"]
//   "compare_with": ["{{headers.x-docusign-signature-1}}", "{{headers.x-docusign-signature-2}}"]
//
// A compare_with renders to candidates: each template's text is split at the separator characters (a header
// carrying "v1=a,v1=b"), and an expression may return a string or an array of strings. The request passes if
// any candidate matches.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ingest/expression.h"
#include "ingest/template.h"

namespace hookd::http {
struct RequestContext;
}

namespace hookd::ingest {

// Everything one signature check may read: the payload context, the request's own headers and bytes, the
// request line (for URL and query hashes), the time, and the bounds on expressions.
struct VerifyScope {
  TemplateScope templates;
  const http::RequestContext* request = nullptr;  // absent in unit tests of schemes that do not need it
  int64_t now_millis = 0;
  const ExpressionLimits* limits = nullptr;  // default limits when null
};

// A template or an expression; compiled once, evaluated per request.
class SignedValue {
 public:
  // `spec` is a string (template) or {"jsonata": "..."}; `field` names it in errors
  // ("signature_verification.config.parts[1]"). With `allow_expression` false only templates are accepted
  // (secrets and keys: their context fields must be knowable, see context_fields()).
  static Result<SignedValue> compile(const json::Value& spec, std::string_view field,
                                     bool allow_expression = true);

  // Appends the value as text. A template placeholder or an expression that yields nothing is a
  // missing_value error naming what was missing; an expression that fails is a jsonata_error.
  Status render(const VerifyScope& scope, std::string& out) const;
  // True when the value reads the account context: signing material (a digest's secret part), which must
  // not render empty.
  bool reads_context() const {
    std::vector<std::string> fields;
    template_.context_fields(fields);
    return !fields.empty();
  }
  // The value's candidates, split at any of `separators` (templates only; "" keeps the text whole). Empty
  // pieces are dropped.
  Status candidates(const VerifyScope& scope, std::string_view separators,
                    std::vector<std::string>& out) const;

  bool is_raw_body() const noexcept { return !expression_ && template_.is_raw_body(); }
  bool is_expression() const noexcept { return expression_ != nullptr; }
  bool has_placeholders() const noexcept { return expression_ || template_.has_placeholders(); }
  // An expression may read anything; a template says what it reads.
  bool reads_parsed_body() const noexcept { return expression_ || template_.reads_parsed_body(); }
  void context_fields(std::vector<std::string>& out) const { template_.context_fields(out); }
  const std::string& source() const noexcept { return source_; }

 private:
  Template template_;
  bool secret_ = false;  // a secret or key, or a part from the account context: an empty value is missing
  std::shared_ptr<const Expression> expression_;
  std::string source_;
};

// A list of values compiled from a string, an {"jsonata"} object or an array of either (compare_with).
Result<std::vector<SignedValue>> compile_values(const json::Value& spec, std::string_view field);

}  // namespace hookd::ingest
