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

// JSONata with Truto's function set, as Truto runs its integration configs.
class JsonataExpression final : public Expression {
 public:
  explicit JsonataExpression(jsonata::ExpressionPtr expr) : expr_(std::move(expr)) {}

  Result<json::Value> evaluate(const json::Value& input, const ExpressionLimits& limits) const override {
    jsonata::Limits l;
    l.time = limits.time;
    l.max_depth = limits.max_depth;
    auto r = jsonata::evaluate(*expr_, input, {}, l);
    if (!r.ok()) return make_error(IngestErrc::jsonata_error, describe(r.error()));
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
