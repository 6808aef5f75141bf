#include "core/error.h"

namespace hookd {

std::string_view fault_name(Fault f) noexcept {
  switch (f) {
    case Fault::invalid_input:
      return "invalid_input";
    case Fault::invalid_config:
      return "invalid_config";
    case Fault::not_found:
      return "not_found";
    case Fault::conflict:
      return "conflict";
    case Fault::too_large:
      return "too_large";
    case Fault::unavailable:
      return "unavailable";
    case Fault::internal:
      return "internal";
  }
  return "unknown";
}

namespace {

class FaultCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "hookd.fault"; }
  std::string message(int ev) const override { return std::string(fault_name(static_cast<Fault>(ev))); }
};

}  // namespace

const std::error_category& fault_category() noexcept {
  static const FaultCategory category;
  return category;
}

}  // namespace hookd
