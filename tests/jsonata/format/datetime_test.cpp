// $fromMillis / $toMillis as specifications: each row is what jsonata-js 2.2 answers (TZ=UTC).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "jsonata/format/format.h"
#include "growth.h"

namespace hookd::jsonata::format {
namespace {

constexpr double kNow = 1700000000123;  // 2023-11-14T22:13:20.123Z

struct FormatRow {
  double millis;
  const char* picture;   // nullptr: ISO 8601
  const char* timezone;  // nullptr: UTC
  const char* expected;  // text or error code
};

TEST(FromMillis, Pictures) {
  const FormatRow rows[] = {
      {1509380732935, nullptr, nullptr, "2017-10-30T16:25:32.935Z"},
      {0, nullptr, "-0500", "1969-12-31T19:00:00.000-05:00"},
      {0, nullptr, "+0530", "1970-01-01T05:30:00.000+05:30"},
      {0, nullptr, "-0530", "1969-12-31T17:30:00.000-06:30"},  // jsonata-js floors -5.3 hours to -6
      {-1, nullptr, nullptr, "1969-12-31T23:59:59.999Z"},
      {1.9, nullptr, nullptr, "1970-01-01T00:00:00.001Z"},
      {1e20, nullptr, nullptr,
       "0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ"},  // an invalid Date, printed as jsonata-js does
      {1521801216617, "[FNn], [D1o] [MNn] [Y]", nullptr, "Friday, 23rd March 2018"},
      {1521801216617, "[h]:[m01] [PN]", nullptr, "10:33 AM"},
      {1521801216617, "[Y,2]", nullptr, "18"},
      {1521801216617, "[YI]", nullptr, "MMXVIII"},
      {1521801216617, "[MNn,3-3]", nullptr, "Mar"},
      {1521801216617, "[Dwo] of [MNn]", nullptr, "twenty-third of March"},
      {1521801216617, "[d]", nullptr, "82"},
      {1104537600000, "[X0001]-W[W01]-[F1]", nullptr, "2004-W53-6"},  // 2005-01-01 is in ISO week 53 of 2004
      {1104537600000, "[w] of [xNn]", nullptr, "5 of December"},
      {1521801216617, "[H01]:[m01] [z]", "+0100", "11:33 GMT+01:00"},
      {1521801216617, "[Z0]", "+0530", "+5:30"},
      {1521801216617, "[Z01:01t]", nullptr, "Z"},
      {1521801216617, "[[[Y]]]", nullptr, "[2018]"},
      {1521801216617, "[Z010101]", nullptr, "D3134"},
      {1521801216617, "[Q]", nullptr, "D3132"},
      {1521801216617, "[YN]", nullptr, "D3133"},
      {1521801216617, "[Y", nullptr, "D3135"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.picture ? row.picture : "(iso)") + " " + (row.timezone ? row.timezone : ""));
    auto r =
        from_millis(row.millis, row.picture ? std::optional<std::string_view>(row.picture) : std::nullopt,
                    row.timezone ? std::optional<std::string_view>(row.timezone) : std::nullopt);
    std::string expected = row.expected;
    if (expected.size() == 5 && expected[0] == 'D') {
      ASSERT_FALSE(r.ok()) << r.value();
      EXPECT_EQ(r.error().code, expected);
    } else {
      ASSERT_TRUE(r.ok()) << r.error().code;
      EXPECT_EQ(r.value(), expected);
    }
  }
}

struct ParseRow {
  const char* timestamp;
  const char* picture;   // nullptr: ISO 8601
  const char* expected;  // millis as text, "undefined", "NaN" or an error code
};

TEST(ToMillis, TimestampsAndPictures) {
  const ParseRow rows[] = {
      {"2018-02-01T09:42:13.123+0000", nullptr, "1517478133123"},
      {"2017-10-30", nullptr, "1509321600000"},
      {"2018", nullptr, "1514764800000"},
      {"2018-02-01T09:42:13", nullptr, "1517478133000"},  // no offset: UTC here (local time in jsonata-js)
      {"2018-02-30", nullptr, "1519948800000"},           // day 30 of February rolls into March, as in V8
      {"2018-13-01", nullptr, "NaN"},
      {"2018-02-01T24:00:00Z", nullptr, "1517529600000"},
      {"01-02-2018", nullptr, "D3110"},
      {"20180205", "[Y0001][M01][D01]", "1517788800000"},
      {"27th April 2008", "[D1o] [MNn] [Y0001]", "1209254400000"},
      {"twenty-first August two thousand and seventeen", "[Dw] [MNn] [Yw]", "1503273600000"},
      {"4/4/2018 12:06 pm", "[D1]/[M1]/[Y0001] [h]:[m] [P]", "1522843560000"},
      {"2018-094", "[Y0001]-[d001]", "1522800000000"},
      {"2020-09-09 12:00:00 +05:30", "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [Z]", "1599633000000"},
      {"13:45", "[H]:[m]", "1699969500000"},  // the date comes from the evaluation's timestamp
      {"Hello", "Hello", "undefined"},        // matches, but names no component
      {"irrelevant", "[Y]-[M]-[D]", "undefined"},
      {"2018-22", "[Y]-[D]", "D3136"},         // a gap: no month
      {"2018-32-5", "[X]-[W]-[F1]", "D3136"},  // ISO week dates are not parsed
      {"2018-05-22", "[Y]-[M]-[q]", "D3132"},
      {"2018-05-22", "[YN]-[M]-[D]", "D3133"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.timestamp) + " / " + (row.picture ? row.picture : "(iso)"));
    auto r = to_millis(row.timestamp,
                       row.picture ? std::optional<std::string_view>(row.picture) : std::nullopt, kNow);
    std::string expected = row.expected;
    if (expected.size() == 5 && expected[0] == 'D') {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, expected);
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.error().code;
    if (expected == "undefined") {
      EXPECT_FALSE(r.value().has_value());
    } else if (expected == "NaN") {
      ASSERT_TRUE(r.value().has_value());
      EXPECT_TRUE(std::isnan(*r.value()));
    } else {
      ASSERT_TRUE(r.value().has_value());
      EXPECT_EQ(*r.value(), std::stod(expected));
    }
  }
}

TEST(ToMillis, ErrorNamesTheTimestamp) {
  auto r = to_millis("foo");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given \"foo\"");
}

TEST(ToMillis, HostileInputsFinishQuickly) {
  // Long digit runs against pictures that backtrack, and long word lists: bounded work, no deep recursion.
  auto hostile = [](size_t n) {
    std::string digits(n, '1');
    auto a = to_millis(digits + "-", "[Y]-[M]");
    EXPECT_TRUE(a.ok() && !a.value().has_value());
    std::string words;
    for (size_t i = 0; i < n / 5; ++i)
      words += "one ";
    auto b = to_millis(words + "x", "[Yw] [Dw]");
    EXPECT_TRUE(!b.ok() || !b.value().has_value());
    auto c = to_millis(digits + ":" + digits + ":" + digits, "[H][m]:[s][f]:[Y][M]");
    EXPECT_TRUE(!c.ok() || !c.value().has_value());
  };
  hostile(100000);
  double growth = testing::growth_at_ten_times(hostile, 10000);
  EXPECT_LT(growth, 40) << "time grows faster than the input (10x longer took " << growth << "x the time)";
}

}  // namespace
}  // namespace hookd::jsonata::format
