// Every case of oracle_cases.json: an expression, evaluated with hookd's Truto function set, must give what
// @truto/truto-jsonata gave (tools/truto-oracle/generate-truto.mjs), serialised the same way.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "hookd/jsonata.h"
#include "hookd/jsonata/truto.h"

namespace hookd::jsonata::truto {
namespace {

json::Value load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  json::Value v;
  json::parse(ss.str(), v);
  return v;
}

// JSON.stringify as the generator wrote results: NaN and infinities and undefined array items spelled out.
json::Value canonical(const json::Value& v) {
  switch (v.type()) {
    case json::Type::number:
      if (!std::isfinite(v.as_number())) {
        json::ObjectBuilder b;
        double d = v.as_number();
        b.set("$number", json::Value(std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"));
        return std::move(b).build();
      }
      return v;
    case json::Type::array: {
      std::vector<json::Value> items;
      for (const auto& item : v.as_array()) {
        if (item.is_undefined()) {
          json::ObjectBuilder b;
          b.set("$undefined", json::Value(true));
          items.push_back(std::move(b).build());
        } else if (item.is_function()) {
          items.push_back(json::Value::null());
        } else {
          items.push_back(canonical(item));
        }
      }
      return json::Value::array(std::move(items));
    }
    case json::Type::object: {
      json::ObjectBuilder b;
      for (const auto& m : v.members())
        if (!m.value.is_undefined() && !m.value.is_function()) b.set(m.key, canonical(m.value));
      return std::move(b).build();
    }
    default:
      return v;
  }
}

// Where hookd deliberately differs from Truto; key: the expression; value: why (README.md lists them too).
const std::map<std::string, std::string> kKnownDifferences = {};

TEST(TrutoOracle, EveryExpressionMatchesTrutoJsonata) {
  json::Value file = load(std::string(HOOKD_TRUTO_TEST_DATA) + "/oracle_cases.json");
  ASSERT_TRUE(file.is_object()) << "cannot read oracle_cases.json";
  const json::Value& cases = file.get("cases");
  ASSERT_GT(cases.size(), 800u);
  // The instant the generator froze its clock at: cases that read the clock must see the same one, on any
  // day.
  ASSERT_TRUE(file.get("now").is_number()) << "oracle_cases.json records no \"now\"";
  const double now = file.get("now").as_number();
  int failures = 0, run = 0, known = 0;
  for (const auto& c : cases.as_array()) {
    std::string expr(c.get("expr").as_string());
    json::Value input = c.get("input");
    if (input.is_string() && input.as_string() == "$payload") input = file.get("inputs").get("payload");
    Bindings bindings;
    if (c.get("bindings").is_object())
      for (const auto& m : c.get("bindings").members())
        bindings.emplace(std::string(m.name()), m.value);
    ++run;
    std::string got;
    auto compiled = compile(expr, truto_functions());
    if (!compiled.ok()) {
      got = "error " + compiled.error().code;
    } else {
      auto r = evaluate(*compiled.value(), input, bindings, {}, now);
      if (!r.ok()) {
        got = "error " + r.error().code + ": " + r.error().message;
      } else if (r.value().is_undefined()) {
        got = "undefined";
      } else {
        got = json::dump(canonical(to_json_value(r.value())));
      }
    }
    std::string want;
    if (c.contains("undefinedResult")) {
      want = "undefined";
    } else if (c.contains("code")) {
      want = "error " + std::string(c.get("code").as_string());
    } else {
      want = json::dump(c.get("result"));
    }
    bool same = got == want || (c.contains("code") && got.rfind(want + ":", 0) == 0);
    // jsonata's own errors must carry jsonata's message too; JavaScript exceptions only their kind.
    if (same && c.contains("code") && !c.contains("jsError")) {
      std::string message(c.get("message").as_string());
      same = got == want + ": " + message;
      if (!same) want += ": " + message;
    }
    if (same) continue;
    if (kKnownDifferences.count(expr)) {
      ++known;
      continue;
    }
    if (++failures <= 80) ADD_FAILURE() << expr << "\n  want " << want << "\n  got  " << got;
  }
  std::printf("[ oracle   ] %d expressions, %d differ, %d listed differences\n", run, failures, known);
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace hookd::jsonata::truto
