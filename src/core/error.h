// Typed errors. Each module names its failures in an enum of its own (store/errc.h, bus/errc.h, ingest/errc.h,
// ...); a std::error_category per enum maps every code onto one Fault, the kind of failure a caller reacts to.
// Callers branch on a module's code (`e.code == StoreErrc::not_found`) or on a fault (`e.is(Fault::unavailable)`),
// never on text, and HTTP answers are chosen from the fault in one place (http/error.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace hookd {

enum class Fault {
  invalid_input = 1,  // the request's own data is wrong (400)
  invalid_config,  // a config is refused: 400 when it is stored, a startup error when it is the process's own
  not_found,       // 404
  conflict,        // a concurrent change or a duplicate (409)
  too_large,       // a configured limit was exceeded (413)
  unavailable,     // a dependency is down or did not answer in time: retry later (503)
  internal,        // hookd or its stored data is broken (500, logged)
};

std::string_view fault_name(Fault f) noexcept;
const std::error_category& fault_category() noexcept;
inline std::error_condition make_error_condition(Fault f) noexcept {
  return {static_cast<int>(f), fault_category()};
}

// One code of a module's enum: its name (snake_case; logs and the `error` of JSON answers use it) and its fault.
struct ErrcEntry {
  std::string_view name;
  Fault fault;
};

// Specialised next to each module enum E (values 1..N, in the order of `entries`):
//   static constexpr const char* category;   e.g. "hookd.store"
//   static constexpr ErrcEntry entries[];
template <typename E>
struct ErrcTable;

template <typename E>
class ErrcCategory final : public std::error_category {
 public:
  static const ErrcCategory& instance() noexcept {
    static const ErrcCategory category;
    return category;
  }
  const char* name() const noexcept override { return ErrcTable<E>::category; }
  std::string message(int ev) const override { return std::string(entry(ev).name); }
  std::error_condition default_error_condition(int ev) const noexcept override {
    return make_error_condition(entry(ev).fault);
  }

 private:
  static ErrcEntry entry(int ev) noexcept {
    constexpr std::size_t n = std::size(ErrcTable<E>::entries);
    if (ev < 1 || static_cast<std::size_t>(ev) > n) return {"unknown", Fault::internal};
    return ErrcTable<E>::entries[ev - 1];
  }
};

template <typename E>
concept ModuleErrc = std::is_enum_v<E> && requires {
  ErrcTable<E>::entries;
};

template <ModuleErrc E>
std::error_code make_error_code(E e) noexcept {
  return {static_cast<int>(e), ErrcCategory<E>::instance()};
}

// The core module's own failures.
enum class CoreErrc {
  no_result = 1,    // a Result that was never given a value (Asio default-constructs one for an exception)
  malformed_event,  // an event read back from Kafka or Redis is not one hookd wrote
};

template <>
struct ErrcTable<CoreErrc> {
  static constexpr const char* category = "hookd.core";
  static constexpr ErrcEntry entries[] = {
      {"no_result", Fault::internal},
      {"malformed_event", Fault::internal},
  };
};

}  // namespace hookd

template <>
struct std::is_error_condition_enum<hookd::Fault> : std::true_type {};
template <>
struct std::is_error_code_enum<hookd::CoreErrc> : std::true_type {};
