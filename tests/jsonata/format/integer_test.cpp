// $formatInteger / $parseInteger as specifications: each row is what jsonata-js 2.2 answers.
#include <gtest/gtest.h>

#include <cmath>

#include "jsonata/format/format.h"

namespace hookd::jsonata::format {
namespace {

struct FormatRow {
  double value;
  const char* picture;
  const char* expected;  // or an error code when it starts with 'D' followed by a digit
};

bool is_code(std::string_view s) {
  return s.size() == 5 && s[0] == 'D' && std::isdigit(s[1]);
}

TEST(FormatInteger, Pictures) {
  const FormatRow rows[] = {
      {7, "0", "7"},
      {7, "000", "007"},
      {-7, "000", "-007"},
      {7.9, "0", "7"},                            // floored first
      {-7.1, "0", "-8"},                          // floor, not truncation
      {1234567, "#,##0", "1,234,567"},            // regular grouping repeats
      {1234567, "#,###,##0", "1,234,567"},        //
      {1234567890, "##,##,##0", "12345,67,890"},  // irregular: only where written
      {5, "#:###,##0", ",5"},                     // jsonata-js loses a separator left of the number
      {1e21, "#,##0", "1e,+21"},                  // JavaScript's String(n) is what gets grouped
      {21, "0;o", "21st"},
      {11, "0;o", "11th"},
      {112, "0;o", "112th"},
      {3, "٠", "٣"},       // Arabic-Indic digit family
      {3, "0٠", "D3131"},  // two families
      {4, "α", "D3130"},   // numbering sequences are unsupported
      {4, "", "D3130"},
      {0, "w", "zero"},
      {-21, "w", "-twenty-one"},
      {101, "Ww", "One Hundred and One"},
      {1000001, "w;o", "one million and first"},
      {1e15, "w", "one thousand trillion"},
      {0, "i", ""},
      {-4, "I", "-IV"},
      {3999, "I", "MMMCMXCIX"},
      {0, "a", ""},
      {28, "A", "AB"},
      {702, "a", "zz"},
      {703, "a", "aaa"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.picture) + " " + std::to_string(row.value));
    auto r = format_integer(row.value, row.picture);
    if (is_code(row.expected)) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, row.expected);
    } else {
      ASSERT_TRUE(r.ok()) << r.error().code;
      EXPECT_EQ(r.value(), row.expected);
    }
  }
}

TEST(FormatInteger, ErrorsCarryTheReferenceMessage) {
  auto r = format_integer(1, "α");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "D3130");
  EXPECT_EQ(r.error().message,
            "Formatting or parsing an integer as a sequence starting with \"α\" is not supported by this "
            "implementation");
  EXPECT_EQ(r.error().value.as_string(), "α");
}

TEST(FormatInteger, NonFiniteWordsFailInsteadOfRecursing) {
  auto r = format_integer(INFINITY, "w");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RangeError");
  EXPECT_EQ(format_integer(NAN, "0").value(), "NaN");
}

struct ParseRow {
  const char* text;
  const char* picture;
  double expected;  // NaN where jsonata-js cannot read the text
};

TEST(ParseInteger, Pictures) {
  const ParseRow rows[] = {
      {"007", "000", 7},
      {"1,234,567", "#,##0", 1234567},
      {"1.234", "#.##0", 1},  // regular pictures strip ',' whatever their separator is
      {"12abc", "0", 12},     // parseInt stops at the first non-digit
      {"0x1A", "0", 26},      // ... and reads a hex prefix
      {"abc", "0", NAN},
      {"21st", "0;o", 21},
      {"٣٤", "٠", 34},
      {"MMXXIV", "I", 2024},
      {"mmxxiv", "i", 2024},
      {"ıv", "i", 4},  // toUpperCase maps the dotless i to I
      {"MMXXIV", "i", 2024},
      {"mmxxiv", "I", NAN},  // no case folding for upper-case pictures
      {"", "I", 0},
      {"zz", "a", 702},
      {"one hundred and one", "w", 101},
      {"Nineteen Hundred and Eighty-Four", "Ww", 1984},
      {"one  hundred", "w", NAN},  // an empty word between two spaces
      {"eleventy", "w", NAN},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.text) + " / " + row.picture);
    auto r = parse_integer(row.text, row.picture);
    ASSERT_TRUE(r.ok()) << r.error().code;
    if (std::isnan(row.expected)) {
      EXPECT_TRUE(std::isnan(r.value())) << r.value();
    } else {
      EXPECT_EQ(r.value(), row.expected);
    }
  }
}

TEST(ParseInteger, UnsupportedPicturesAreErrors) {
  auto r = parse_integer("50", "#");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "D3130");
}

}  // namespace
}  // namespace hookd::jsonata::format
