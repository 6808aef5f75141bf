// AttemptSlots: new events wait for a slot below the direct limit, in order; slots given back go to them
// first; the slots above the direct limit stay the scheduler's; close() ends every wait.
#include "dispatch/attempt_slots.h"

#include <gtest/gtest.h>

#include <vector>

namespace hookd::dispatch {
namespace {

struct Waits {
  asio::io_context io;
  std::vector<std::pair<int, bool>> woken;  // (waiter number, taken), in the order they ran
  void wait(AttemptSlots& slots, int n) {
    slots.async_take_direct(asio::bind_executor(io, [this, n](bool taken) { woken.emplace_back(n, taken); }));
  }
  // poll, not run: a waiter still waiting holds work on the context (as it should), so run() would block.
  void run() {
    io.restart();
    io.poll();
  }
};

TEST(AttemptSlots, TryTakeStopsAtTheBound) {
  AttemptSlots slots(10, 6);
  EXPECT_EQ(slots.try_take(4, slots.direct_limit()), 4u);
  EXPECT_EQ(slots.try_take(4, slots.direct_limit()), 2u) << "only up to the direct limit";
  EXPECT_EQ(slots.try_take(1, slots.direct_limit()), 0u);
  EXPECT_EQ(slots.try_take(9, slots.limit()), 4u) << "the scheduler's share";
  EXPECT_EQ(slots.in_flight(), 10u);
}

TEST(AttemptSlots, NewEventsWaitInOrderAndGetSlotsGivenBackFirst) {
  AttemptSlots slots(4, 3);
  Waits w;
  for (int i = 0; i < 3; ++i)
    w.wait(slots, i);
  w.run();
  ASSERT_EQ(w.woken.size(), 3u) << "three slots below the direct limit are free";
  EXPECT_EQ(slots.in_flight(), 3u);

  w.woken.clear();
  w.wait(slots, 3);
  w.wait(slots, 4);
  w.run();
  EXPECT_TRUE(w.woken.empty()) << "the fourth slot is kept for the scheduler";
  EXPECT_EQ(slots.try_take(1, slots.limit()), 1u);

  EXPECT_TRUE(slots.give_back(1)) << "from the limit to below it: the scheduler may claim again";
  w.run();
  EXPECT_TRUE(w.woken.empty()) << "4 -> 3: the slot freed is above the direct limit, the scheduler's";
  EXPECT_EQ(slots.in_flight(), 3u);

  EXPECT_FALSE(slots.give_back(1));
  w.run();
  ASSERT_EQ(w.woken.size(), 1u);
  EXPECT_EQ(w.woken[0], std::make_pair(3, true)) << "first come, first served";
  EXPECT_EQ(slots.in_flight(), 3u) << "the slot went straight to the waiter";

  EXPECT_FALSE(slots.give_back(2));
  w.run();
  ASSERT_EQ(w.woken.size(), 2u);
  EXPECT_EQ(w.woken[1], std::make_pair(4, true));
  EXPECT_EQ(slots.in_flight(), 2u);
}

TEST(AttemptSlots, CloseEndsEveryWaitWithoutASlot) {
  AttemptSlots slots(2, 1);
  Waits w;
  w.wait(slots, 0);
  w.wait(slots, 1);
  w.wait(slots, 2);
  w.run();
  ASSERT_EQ(w.woken.size(), 1u);
  slots.close();
  w.wait(slots, 3);
  w.run();
  ASSERT_EQ(w.woken.size(), 4u);
  for (size_t i = 1; i < 4; ++i)
    EXPECT_FALSE(w.woken[i].second) << w.woken[i].first;
  EXPECT_EQ(slots.in_flight(), 1u) << "nothing taken for the waits that ended";
}

}  // namespace
}  // namespace hookd::dispatch
