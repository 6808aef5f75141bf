#include "ingest/expression.h"

namespace hookd::ingest {

Result<std::shared_ptr<const Expression>> compile_expression(std::string_view text, std::string_view field) {
  // The JSONata engine (issue 4) plugs in here. Until it does, a config that needs it is refused when it is
  // loaded, never half-run at request time.
  (void)text;
  return make_error("invalid_config",
                    std::string(field) +
                        ": JSONata expressions are not supported by this build yet (the engine is "
                        "not wired in); remove the field or upgrade hookd");
}

}  // namespace hookd::ingest
