// The engine's internal error: thrown inside the engine (the happy path pays nothing for it) and turned into
// a jsonata::Error at the API boundary. Fields mirror the properties jsonata-js puts on its error objects,
// because its message templates and the conformance suite read them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hookd/jsonata.h"

namespace hookd::jsonata::detail {

struct JError {
  std::string code;
  int64_t position = -1;  // -1: not set yet (a call site fills it in on the way out)
  std::string token;
  bool has_token = false;
  json::Value value;
  bool has_value = false;
  json::Value value2;
  bool has_value2 = false;
  int index = 0;        // argument number (T0410, T0411, T0412, D3xxx)
  std::string type;     // T0412: "numbers", "strings", ...
  json::Value exp;      // D3061
  std::string message;  // D3137/D3141 (user text), or the whole text when message_is_final
  // errors from native functions and the format library arrive with their text
  bool message_is_final = false;
  std::string function_name;  // D3140
  bool is_limit = false;      // a safety limit (U1001/D2015): never wrapped by $eval's D3121

  JError() = default;
  explicit JError(std::string c) : code(std::move(c)) {}
  JError(std::string c, json::Value v) : code(std::move(c)), value(std::move(v)), has_value(true) {}

  JError& at(int64_t pos) & {
    position = pos;
    return *this;
  }
  JError&& at(int64_t pos) && {
    position = pos;
    return std::move(*this);
  }
  JError&& with_token(std::string t) && {
    token = std::move(t);
    has_token = true;
    return std::move(*this);
  }
  JError&& with_index(int i) && {
    index = i;
    return std::move(*this);
  }
};

// jsonata-js's populateMessage: the catalogue text for `code` with {{field}} (JSON) and {{{field}}} (raw)
// filled in.
std::string message_for(const JError& e);

// The public form (message filled, extra fields in `details`).
Error to_public(const JError& e);
// And back, for errors native functions return.
JError from_public(Error e);

// JSON.stringify as jsonata-js's messages use it (undefined and functions print as "undefined").
std::string stringify_for_message(const json::Value& v);

}  // namespace hookd::jsonata::detail
