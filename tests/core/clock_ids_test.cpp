#include "core/clock.h"
#include "core/ids.h"

#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hookd {
namespace {

TEST(Clock, Iso8601RoundTrip) {
  struct Case {
    int64_t ms;
    const char* text;
  } cases[] = {{0, "1970-01-01T00:00:00.000Z"},
               {1700000000123, "2023-11-14T22:13:20.123Z"},
               {951782400000, "2000-02-29T00:00:00.000Z"},
               {-1, "1969-12-31T23:59:59.999Z"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(clock::iso8601(c.ms), c.text);
    EXPECT_EQ(clock::parse_iso8601(c.text), c.ms);
  }
}

TEST(Clock, ParsesOffsetsAndRejectsZonelessTimes) {
  EXPECT_EQ(clock::parse_iso8601("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(clock::parse_iso8601("2023-11-15T03:43:20+05:30"), 1700000000000);
  EXPECT_EQ(clock::parse_iso8601("2023-11-14T17:13:20-0500"), 1700000000000);
  EXPECT_EQ(clock::parse_iso8601("2023-11-14T22:13:20"), std::nullopt);
  EXPECT_EQ(clock::parse_iso8601("2023-13-14T22:13:20Z"), std::nullopt);
  EXPECT_EQ(clock::parse_iso8601("yesterday"), std::nullopt);
}

TEST(Ids, UuidsAreWellFormedAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string a = ids::uuid_v4(), b = ids::uuid_v7();
    ASSERT_TRUE(ids::is_uuid(a)) << a;
    ASSERT_TRUE(ids::is_uuid(b)) << b;
    EXPECT_EQ(a[14], '4');
    EXPECT_EQ(b[14], '7');
    EXPECT_TRUE(seen.insert(a).second);
    EXPECT_TRUE(seen.insert(b).second);
  }
}

// The random bits come from a per-thread pool refilled in blocks: across refills and threads (each with its own
// pool), in one millisecond, no id repeats.
TEST(Ids, IdsFromManyThreadsAcrossPoolRefillsNeverRepeat) {
  constexpr int kThreads = 4, kPerThread = 3000;  // > 256 ids per 4 KiB pool: several refills each
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kPerThread; ++i)
        made[t].push_back(i % 2 ? ids::uuid_v7(1700000000000) : ids::uuid_v4());
    });
  for (auto& t : threads)
    t.join();
  std::set<std::string> seen;
  for (const auto& list : made)
    for (const std::string& id : list)
      EXPECT_TRUE(seen.insert(id).second) << id << " repeated";
  EXPECT_EQ(seen.size(), size_t{kThreads * kPerThread});
}

TEST(Ids, V7SortsByTime) {
  EXPECT_LT(ids::uuid_v7(1700000000000), ids::uuid_v7(1700000000001));
  EXPECT_EQ(ids::uuid_v7(0x0123456789ab).substr(0, 13), "01234567-89ab");
}

TEST(Ids, TokensAndSecretsHaveTheirPrefixes) {
  EXPECT_EQ(ids::api_token().rfind("hkd_", 0), 0u);
  EXPECT_EQ(ids::signing_secret().rfind("whsec_", 0), 0u);
  EXPECT_NE(ids::api_token(), ids::api_token());
}

}  // namespace
}  // namespace hookd
