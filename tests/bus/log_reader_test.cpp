// The replay's log reader against a real broker (HOOKD_TEST_KAFKA_BROKERS): a time range of the topic, read
// from the offsets for its start, without a consumer group.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "bus/log_reader.h"
#include "bus/producer.h"
#include "core/clock.h"
#include "core/ids.h"
#include "run_coroutine.h"
#include "services.h"

namespace hookd::bus {
namespace {

struct Runner {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread t{[this] { io.run(); }};
  ~Runner() {
    work.reset();
    io.stop();
    t.join();
  }
};

std::vector<OutgoingMessage> batch(const std::string& prefix, int n) {
  std::vector<OutgoingMessage> out;
  for (int i = 0; i < n; ++i)
    out.push_back({"account-" + std::to_string(i % 3), prefix + std::to_string(i), {}});
  return out;
}

// Everything the reader returns until it is done.
std::vector<LogRecord> read_all(LogReader& reader) {
  std::vector<LogRecord> all;
  for (int i = 0; i < 200 && !reader.done(); ++i) {
    auto next = reader.next(100, std::chrono::milliseconds(200));
    EXPECT_TRUE(next.ok()) << next.error().message;
    if (!next.ok()) break;
    all.insert(all.end(), next->begin(), next->end());
  }
  EXPECT_TRUE(reader.done());
  return all;
}

TEST(LogReader, ReadsFromTheOffsetsOfTheRangesStart) {
  Runner r;
  KafkaOptions opts;
  opts.brokers = test::kafka_brokers();
  opts.topic = "hookd.test.log." + ids::uuid_v4().substr(0, 8);
  test::kafka_create_topic(opts.topic, 3);
  opts.delivery_timeout = std::chrono::seconds(30);
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok()) << producer.error().message;

  auto before = batch("before-", 6);
  ASSERT_FALSE(test::run(r.io, (*producer)->publish(before)));
  // The range starts after every record of the first batch was stamped (their acks are in).
  int64_t since = clock::now_millis() + 1;
  while (clock::now_millis() <= since) {
  }
  auto inside = batch("inside-", 6);
  ASSERT_FALSE(test::run(r.io, (*producer)->publish(inside)));

  auto reader = LogReader::open(opts, since, clock::now_millis() + 1, std::chrono::seconds(10));
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  std::set<std::string> values;
  for (const auto& rec : read_all(**reader)) {
    values.insert(rec.value);
    EXPECT_GE(rec.timestamp_ms, since);
  }
  EXPECT_EQ(values,
            (std::set<std::string>{"inside-0", "inside-1", "inside-2", "inside-3", "inside-4", "inside-5"}));
  int64_t scanned = 0;
  for (const auto& [p, pp] : (*reader)->progress()) {
    EXPECT_TRUE(pp.done) << "partition " << p;
    EXPECT_EQ(pp.end - pp.start, pp.scanned) << "partition " << p;
    scanned += pp.scanned;
  }
  EXPECT_EQ(scanned, 6);

  // A range after the last record: nothing to read, done at once.
  auto later = LogReader::open(opts, clock::now_millis() + 60'000, clock::now_millis() + 120'000,
                               std::chrono::seconds(10));
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_TRUE((*later)->done());
  EXPECT_TRUE(read_all(**later).empty());
  (*producer)->stop();
}

}  // namespace
}  // namespace hookd::bus
