// The JSONata engine as the ingest pipeline sees it: compile once when a config loads, evaluate per request.
// payload_transform and handle_verification both go through this one interface.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "ingest/errc.h"
#include "hookd/json.h"

namespace hookd::ingest {

struct ExpressionLimits {
  std::chrono::milliseconds time{100};
  int max_depth = 1000;
};

class Expression {
 public:
  virtual ~Expression() = default;
  // Evaluates against the payload context. Errors carry JSONata's code and position in the message.
  virtual Result<json::Value> evaluate(const json::Value& input, const ExpressionLimits& limits) const = 0;
};

// The longest expression a config may hold. Truto's own configs stay under a few KiB; a probe's 600 KB
// expression took 1-2 s of CPU to refuse.
inline constexpr size_t kMaxExpressionBytes = 64 * 1024;

// Compiles `text` for the config field `field` (e.g. "webhook.payload_transform"). A syntax error, or a text
// over kMaxExpressionBytes, is an `invalid_config` error naming the field (and JSONata's code and position).
Result<std::shared_ptr<const Expression>> compile_expression(std::string_view text, std::string_view field);

}  // namespace hookd::ingest
