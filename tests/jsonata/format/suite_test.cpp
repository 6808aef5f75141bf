// The official JSONata suite's cases for the formatting functions, read from the suite folder at test time.
// A case runs here when its expression is a direct call with literal arguments (or one of the two chains
// toMillis -> fromMillis the date groups use); the rest need the engine and run in the engine's suite runner.
#include <gtest/gtest.h>

#include <regex>

#include "cases.h"
#include "jsonata/format/format.h"

namespace hookd::jsonata::format::testing {
namespace {

// `($ts := $toMillis(A, B); $fromMillis($ts, C) )` and `$toMillis(A, B) ~> $fromMillis()`.
std::optional<Outcome> run_chain(const std::string& expr) {
  static const std::regex let_form(
      R"(^\s*\(\s*\$ts\s*:=\s*(\$toMillis\(.*\))\s*;\s*\$fromMillis\(\$ts\s*,\s*(.*)\)\s*\)\s*$)");
  static const std::regex pipe_form(R"(^\s*(\$toMillis\(.*\))\s*~>\s*\$fromMillis\(\)\s*$)");
  std::smatch m;
  std::optional<DirectCall> first;
  std::vector<json::Value> rest;
  if (std::regex_match(expr, m, let_form)) {
    first = parse_direct_call(m[1].str());
    auto second = parse_direct_call("$f(" + m[2].str() + ")");
    if (!second) return std::nullopt;
    rest = second->args;
  } else if (std::regex_match(expr, m, pipe_form)) {
    first = parse_direct_call(m[1].str());
  } else {
    return std::nullopt;
  }
  if (!first) return std::nullopt;
  auto millis = call(first->function, first->args, kOracleNow);
  if (!millis || millis->kind != Outcome::Kind::value) return millis;
  std::vector<json::Value> args{millis->value};
  args.insert(args.end(), rest.begin(), rest.end());
  return call("fromMillis", args, kOracleNow);
}

struct GroupCount {
  int run = 0;
  int skipped = 0;
};

GroupCount run_group(const std::string& group) {
  GroupCount count;
  for (const auto& c : load_group(group)) {
    SCOPED_TRACE(c.id);
    std::string expr(c.spec.get("expr").string_or(""));
    std::optional<Outcome> got;
    if (auto direct = parse_direct_call(expr)) {
      got = call(direct->function, direct->args, kOracleNow);
    } else {
      got = run_chain(expr);
    }
    // `$fn(undefined, ...)`-style cases read a missing field: the engine's job, not a literal call.
    if (!got) {
      ++count.skipped;
      continue;
    }
    ++count.run;
    EXPECT_EQ(compare(*got, c.spec), "") << expr;
  }
  return count;
}

class SuiteGroup : public ::testing::TestWithParam<std::pair<const char*, int>> {};

TEST_P(SuiteGroup, DirectCallsMatchTheReference) {
  if (suite_dir().empty()) GTEST_SKIP() << "jsonata-suite not found (set HOOKD_JSONATA_SUITE); skipped";
  auto [group, minimum] = GetParam();
  GroupCount count = run_group(group);
  std::printf("[ suite    ] %s: %d run, %d need the engine\n", group, count.run, count.skipped);
  // Guards against the reader silently skipping everything.
  EXPECT_GE(count.run, minimum);
}

INSTANTIATE_TEST_SUITE_P(Format, SuiteGroup,
                         ::testing::Values(std::pair{"function-formatInteger", 64},
                                           std::pair{"function-parseInteger", 60},
                                           std::pair{"function-formatNumber", 42},
                                           std::pair{"function-fromMillis", 90},
                                           std::pair{"function-tomillis", 50}),
                         [](const auto& info) {
                           std::string name = info.param.first;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

}  // namespace
}  // namespace hookd::jsonata::format::testing
