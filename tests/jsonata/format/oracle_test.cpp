// Thousands of calls whose expected results jsonata-js 2.2.2 produced (tools/truto-oracle/generate-format.mjs
// wrote oracle_cases.json): the corner cases of every picture feature, compared exactly.
#include <gtest/gtest.h>

#include <map>

#include "cases.h"

namespace hookd::jsonata::format::testing {
namespace {

// Where hookd deliberately answers differently from jsonata-js. Key: function and JSON arguments as the
// oracle file writes them; value: why.
const char* const kLegacyDateParse =
    "matches jsonata-js's ISO pattern but not the ES date format: Date.parse falls back to V8's legacy "
    "parser, "
    "whose guesses are engine-specific (Firefox differs); hookd returns NaN";
const std::map<std::string, std::string> kKnownDifferences = {
    {R"(toMillis["2018-23:59"])", kLegacyDateParse},      {R"(toMillis["2018.5"])", kLegacyDateParse},
    {R"(toMillis["2018.5Z"])", kLegacyDateParse},         {R"(toMillis["2018.5-23:59"])", kLegacyDateParse},
    {R"(toMillis["2018-02.5"])", kLegacyDateParse},       {R"(toMillis["2018-02.5Z"])", kLegacyDateParse},
    {R"(toMillis["2018-02.5-23:59"])", kLegacyDateParse},
};

TEST(Oracle, EveryCaseMatchesJsonataJs) {
  json::Value file = load_json_file(data_dir() + "/oracle_cases.json");
  ASSERT_TRUE(file.is_object()) << "cannot read oracle_cases.json";
  const json::Value& cases = file.get("cases");
  ASSERT_GT(cases.size(), 5000u);
  std::map<std::string, int> run, failed;
  int shown = 0;
  for (const auto& c : cases.as_array()) {
    std::string fn(c.get("fn").as_string());
    std::vector<json::Value> args;
    for (const auto& a : c.get("args").as_array())
      args.push_back(a.is_object() && a.contains("$undefined") ? json::Value() : a);
    std::string key = fn + json::dump(c.get("args"));
    auto got = call(fn, args, kOracleNow);
    ASSERT_TRUE(got.has_value()) << key;
    ++run[fn];
    // V8's own exception messages are not part of the contract; their kind is.
    json::Value expected = c;
    if (c.contains("jsError")) {
      json::ObjectBuilder b(c);
      b.erase("message");
      expected = std::move(b).build();
    }
    std::string diff = compare(*got, expected);
    if (diff.empty()) continue;
    if (kKnownDifferences.count(key)) continue;
    ++failed[fn];
    if (++shown <= 60) ADD_FAILURE() << key << ": " << diff;
  }
  for (const auto& [fn, n] : run)
    std::printf("[ oracle   ] %s: %d cases, %d differ\n", fn.c_str(), n, failed[fn]);
  EXPECT_EQ(shown, 0);
}

}  // namespace
}  // namespace hookd::jsonata::format::testing
