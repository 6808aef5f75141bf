// A value or an error, for calls that fail on bad input (config validation, parsing, lookups). The error
// carries a typed code (core/error.h: a module's enum, mapped onto a Fault) and a message that names what was
// wrong ("webhook.signature_verification.config.algorithm: unsupported algorithm 'sha3'").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/error.h"

namespace hookd {

struct Error {
  std::error_code code;
  std::string message;
  // The input field at fault, when there is one: validation answers name it.
  std::string field;

  bool is(Fault f) const noexcept { return code == f; }
  Fault fault() const noexcept {
    auto c = code.default_error_condition();
    return c.category() == fault_category() ? static_cast<Fault>(c.value()) : Fault::internal;
  }
  // The code's name ("not_found", "invalid_cursor"), for logs and JSON answers.
  std::string name() const { return code.message(); }
};

class Status;

template <typename T>
class [[nodiscard]] Result {
 public:
  // Empty results are errors (Asio's co_spawn default-constructs the result it hands an exception to).
  Result() : v_(Error{CoreErrc::no_result, "no result", {}}) {}
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const& { return std::get<1>(v_); }
  // The outcome without the value, to check several results in one loop.
  Status status() const;
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// For calls that return nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const noexcept { return ok_; }
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

template <typename T>
Status Result<T>::status() const {
  return ok() ? Status() : Status(error());
}

template <ModuleErrc E>
Error make_error(E code, std::string message, std::string field = {}) {
  return Error{make_error_code(code), std::move(message), std::move(field)};
}

}  // namespace hookd
