// $formatNumber as a specification: each row is what jsonata-js 2.2 answers.
#include <gtest/gtest.h>

#include <chrono>

#include "jsonata/format/format.h"
#include "growth.h"

namespace hookd::jsonata::format {
namespace {

struct Row {
  double value;
  const char* picture;
  const char* options;   // JSON text or nullptr
  const char* expected;  // text, or an error code
};

TEST(FormatNumber, Pictures) {
  const Row rows[] = {
      {12345.6, "#,###.00", nullptr, "12,345.60"},
      {0.125, "0.00", nullptr, "0.12"},  // ties round to even
      {0.375, "0.00", nullptr, "0.38"},
      {2.5, "0", nullptr, "2"},
      {1.005, "0.00", nullptr, "1.00"},  // 1.005 is 1.00499999... in binary
      {-1234.5, "#,##0.0", nullptr, "-1,234.5"},
      {-1234.5, "#,##0.0;(#,##0.0)", nullptr, "(1,234.5)"},
      {0.5, "#%", nullptr, "50%"},
      {0.5, "#‰", nullptr, "500‰"},
      {1234.5678, "0.00e0", nullptr, "1.23e3"},
      {0.000123, "0.0e00", nullptr, "1.2e-04"},
      {-42, "0e0", nullptr, "-4e1"},
      {1e21, "#,##0", nullptr, "1e,+21"},  // toFixed gives up at 1e21 and jsonata-js groups the exponent form
      {7, "Total: 0 items", nullptr, "Total: 7 items"},
      {1234.5, "#.##0,0", R"({"decimal-separator": ",", "grouping-separator": "."})", "1.234,5"},
      {1234.5, "##٠.٠", R"({"zero-digit": "٠"})", "١٢٣٤.٥"},
      {0.25, "0pc", R"({"percent": "pc"})", "25pc"},
      {-3, "0", R"({"minus-sign": "−"})", "−3"},
      {1, "0", R"({"zero-digit": 5})", "TypeError"},
      {20, "#;#;#", nullptr, "D3080"},
      {20, "#.0.0", nullptr, "D3081"},
      {20, "#0%%", nullptr, "D3082"},
      {20, "#0‰‰", nullptr, "D3083"},
      {20, "#0%‰", nullptr, "D3084"},
      {20, ".e0", nullptr, "D3085"},
      {20, "0+.e0", nullptr, "D3086"},
      {20, "0,.e0", nullptr, "D3087"},
      {20, "0,", nullptr, "D3088"},
      {20, "0,,0", nullptr, "D3089"},
      {20, "0#.e0", nullptr, "D3090"},
      {20, "#0.#0e0", nullptr, "D3091"},
      {20, "#0.0e0%", nullptr, "D3092"},
      {20, "#0.0e0,0", nullptr, "D3093"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.picture) + " " + std::to_string(row.value));
    json::Value options;
    if (row.options) {
      ASSERT_TRUE(json::parse(row.options, options));
    }
    auto r = format_number(row.value, row.picture, options);
    std::string expected = row.expected;
    bool is_error = (expected.size() == 5 && expected[0] == 'D') || expected == "TypeError";
    if (is_error) {
      ASSERT_FALSE(r.ok()) << r.value();
      EXPECT_EQ(r.error().code, expected);
    } else {
      ASSERT_TRUE(r.ok()) << r.error().code;
      EXPECT_EQ(r.value(), expected);
    }
  }
}

TEST(FormatNumber, ErrorMessagesAreJsonatas) {
  auto r = format_number(1, "0,");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The sub-picture must not contain a 'grouping-separator' at the end of the integer part");
}

TEST(FormatNumber, PathologicalPicturesStayFast) {
  // jsonata-js miscounts grouping positions in long patterns; the text is its answer. What matters here is
  // the time: a 40 000-character picture takes jsonata-js 35 s on this machine; it must not take us long.
  std::string small = "#";
  for (int i = 0; i < 20; ++i)
    small += ",#";
  EXPECT_EQ(format_number(1234567, small + "0").value(), ",,,,,,,,,1,2,,,3,4,,,5,6,,7");
  auto picture = [](size_t groups) {
    std::string p = "#";
    for (size_t i = 0; i < groups; ++i)
      p += ",#";
    return p + "0";
  };
  auto r = format_number(1234567, picture(20000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().size(), 20007u);
  double growth =
      testing::growth_at_ten_times([&](size_t n) { (void)format_number(1234567, picture(n)); }, 2000);
  EXPECT_LT(growth, 40) << "time grows faster than the picture (10x longer took " << growth << "x the time)";
  auto huge_fraction = format_number(1, "0." + std::string(101, '#'));
  ASSERT_FALSE(huge_fraction.ok());
  EXPECT_EQ(huge_fraction.error().code, "RangeError");  // toFixed's limit, as in jsonata-js
}

}  // namespace
}  // namespace hookd::jsonata::format
