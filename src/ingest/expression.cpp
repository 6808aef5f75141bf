#include "ingest/expression.h"

#include "hookd/jsonata.h"
#include "hookd/jsonata/truto.h"

namespace hookd::ingest {

namespace {

std::string describe(const jsonata::Error& e) {
  std::string s = e.code;
  if (e.position) s += " at position " + std::to_string(e.position);
  s += ": " + e.message;
  return s;
}

// A runtime error's message may quote the value it could not use ("Unable to cast value to a number:
// \"<value>\""), and that value comes from the payload context: an account's secret, an environment variable.
// The message goes to the log and the vendor's 500, so each quoted string, object or array is replaced (found by
// the secret-leak test). Numbers and booleans are kept: they are not secrets and say what went wrong.
std::string describe_without_values(jsonata::Error e) {
  auto redact = [&e](const json::Value& v) {
    if (!v.is_string() && !v.is_object() && !v.is_array()) return;
    const std::string quoted = json::dump(v);
    for (size_t at = e.message.find(quoted); at != std::string::npos; at = e.message.find(quoted, at + 7))
      e.message.replace(at, quoted.size(), "[value]");
  };
  redact(e.value);
  redact(e.details.get("value2"));  // the other operand's value; the other details are the engine's words
  return describe(e);
}

// JSONata with Truto's function set, as Truto runs its integration configs.
class JsonataExpression final : public Expression {
 public:
  explicit JsonataExpression(jsonata::ExpressionPtr expr) : expr_(std::move(expr)) {}

  Result<json::Value> evaluate(const json::Value& input, const ExpressionLimits& limits) const override {
    jsonata::Limits l;
    l.time = limits.time;
    l.max_depth = limits.max_depth;
    auto r = jsonata::evaluate(*expr_, input, {}, l);
    if (!r.ok()) return make_error(IngestErrc::jsonata_error, describe_without_values(r.error()));
    // Truto's date, duration and URL objects become their text, as Truto serialises them.
    return jsonata::truto::to_json_value(r.value());
  }

 private:
  jsonata::ExpressionPtr expr_;
};

}  // namespace

Result<std::shared_ptr<const Expression>> compile_expression(std::string_view text, std::string_view field) {
  // Compile work grows with the text: a bound keeps a hostile config write cheap to refuse.
  if (text.size() > kMaxExpressionBytes)
    return make_error(IngestErrc::invalid_config, std::string(field) + ": the expression is " +
                                                      std::to_string(text.size()) + " bytes; at most " +
                                                      std::to_string(kMaxExpressionBytes) + " are accepted");
  auto compiled = jsonata::compile(text, jsonata::truto::truto_functions());
  if (!compiled.ok())
    return make_error(IngestErrc::invalid_config,
                      std::string(field) + ": JSONata " + describe(compiled.error()));
  return std::shared_ptr<const Expression>(std::make_shared<JsonataExpression>(std::move(compiled).value()));
}

}  // namespace hookd::ingest
