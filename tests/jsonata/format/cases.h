// Test support for the format library: calls a format function by its JSONata name with JSON arguments, reads
// the official suite's direct-call cases and the oracle table generated from jsonata-js.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hookd/json.h"

namespace hookd::jsonata::format::testing {

// What a call produced, in the suite's terms.
struct Outcome {
  enum class Kind { value, undefined, error } kind = Kind::undefined;
  json::Value value;  // for Kind::value (a number may be NaN)
  std::string code;   // for Kind::error
  std::string message;
};

// The evaluation timestamp the oracle generator freezes jsonata-js's clock at (2023-11-14T22:13:20.123Z).
inline constexpr double kOracleNow = 1700000000123;

// Calls $formatInteger, $parseInteger, $formatNumber, $fromMillis or $toMillis the way the engine's built-in
// will: an undefined first argument gives undefined, undefined optional arguments are omitted.
// nullopt for any other function name.
std::optional<Outcome> call(std::string_view function, const std::vector<json::Value>& args,
                            double now_millis);

// `$name(literal, ...)` with number, string, object and `()` literals only; nullopt for anything else (paths,
// operators, chains), which needs the engine.
struct DirectCall {
  std::string function;
  std::vector<json::Value> args;
};
std::optional<DirectCall> parse_direct_call(std::string_view expression);

// The suite folder: $HOOKD_JSONATA_SUITE, else the build's HOOKD_SHARED_DIR/jsonata-suite. Empty if absent.
std::string suite_dir();
// The folder holding this test's committed data (oracle tables).
std::string data_dir();

// Every case object in the suite's group folder, with its id ("group/file" or "group/file[i]").
struct SuiteCase {
  std::string id;
  json::Value spec;
};
std::vector<SuiteCase> load_group(const std::string& group);

json::Value load_json_file(const std::string& path);

// Compares an outcome with an expectation written as the suite writes it ({result}, {undefinedResult},
// {code}, {error: {code}}) or as the oracle table does ({nan: true} for NaN). Returns "" when they agree,
// else a description of the difference.
std::string compare(const Outcome& got, const json::Value& expected);

}  // namespace hookd::jsonata::format::testing
