// RecordedOffsets: which consumed events go out before anything is written. The mark of a partition is read
// once per generation (each time this process gets the partition); until it is known every event is checked.
#include <gtest/gtest.h>

#include "dispatch/recorded_offsets.h"
#include "store/errc.h"

namespace hookd::dispatch {
namespace {

using Verdict = RecordedOffsets::Verdict;

// A fresh event id for each check unless one is given.
std::string next_id() {
  static int n = 0;
  return "event-" + std::to_string(++n);
}

bus::ConsumedMessage message(int32_t partition, int64_t offset, uint64_t generation) {
  bus::ConsumedMessage m;
  m.topic = "hookd.events";
  m.partition = partition;
  m.offset = offset;
  m.generation = generation;
  return m;
}

TEST(RecordedOffsetsTest, EventsAreCheckedUntilTheMarkIsKnownThenOnlyThoseUpToIt) {
  RecordedOffsets marks;
  EXPECT_EQ(marks.check(message(0, 10, 1), next_id()), Verdict::read_mark);
  EXPECT_EQ(marks.check(message(0, 11, 1), next_id()), Verdict::checked) << "one read at a time";
  marks.learned(0, 1, Result<int64_t>(12));
  EXPECT_EQ(marks.check(message(0, 12, 1), next_id()), Verdict::checked);
  EXPECT_EQ(marks.check(message(0, 13, 1), next_id()), Verdict::unseen);
  EXPECT_EQ(marks.check(message(1, 13, 1), next_id()), Verdict::read_mark)
      << "each partition has its own mark";
}

TEST(RecordedOffsetsTest, ANewGenerationReadsTheMarkAgain) {
  RecordedOffsets marks;
  ASSERT_EQ(marks.check(message(0, 1, 1), next_id()), Verdict::read_mark);
  marks.learned(0, 1, Result<int64_t>(-1));
  EXPECT_EQ(marks.check(message(0, 2, 1), next_id()), Verdict::unseen);
  // The partition was revoked and came back: another dispatcher may have recorded events since.
  EXPECT_EQ(marks.check(message(0, 2, 2), next_id()), Verdict::read_mark);
  EXPECT_EQ(marks.check(message(0, 3, 1), next_id()), Verdict::checked) << "a message of the old generation";
  marks.learned(0, 1, Result<int64_t>(-1));
  EXPECT_EQ(marks.check(message(0, 3, 2), next_id()), Verdict::checked)
      << "an answer for the old generation is ignored";
  marks.learned(0, 2, Result<int64_t>(40));
  EXPECT_EQ(marks.check(message(0, 40, 2), next_id()), Verdict::checked);
  EXPECT_EQ(marks.check(message(0, 41, 2), next_id()), Verdict::unseen);
}

TEST(RecordedOffsetsTest, AFailedReadIsTriedAgainWithTheNextEvent) {
  RecordedOffsets marks;
  ASSERT_EQ(marks.check(message(0, 1, 1), next_id()), Verdict::read_mark);
  marks.learned(0, 1, make_error(store::StoreErrc::unavailable, "redis down"));
  EXPECT_EQ(marks.check(message(0, 2, 1), next_id()), Verdict::read_mark);
  EXPECT_EQ(marks.check(message(0, 3, 1), next_id()), Verdict::checked);
}

TEST(RecordedOffsetsTest, AnEventIdConsumedLatelyIsCheckedWhereverItComes) {
  RecordedOffsets marks(2);
  ASSERT_EQ(marks.check(message(0, 1, 1), "a"), Verdict::read_mark);
  marks.learned(0, 1, Result<int64_t>(-1));
  EXPECT_EQ(marks.check(message(0, 2, 1), "b"), Verdict::unseen);
  EXPECT_EQ(marks.check(message(0, 3, 1), "a"), Verdict::checked) << "a copy of a consumed event";
  EXPECT_EQ(marks.check(message(0, 4, 1), "c"), Verdict::unseen);
  EXPECT_EQ(marks.check(message(0, 5, 1), "a"), Verdict::unseen) << "only the last 2 are remembered";
}

}  // namespace
}  // namespace hookd::dispatch
