// The producer and consumer against a real broker (HOOKD_TEST_KAFKA_BROKERS, started by tools/test) and
// against librdkafka's mock cluster for the failure cases a real broker cannot easily stage.
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "core/ids.h"
#include "services.h"
#include "run_coroutine.h"

namespace hookd::bus {
namespace {

std::string real_brokers() {
  const char* b = std::getenv("HOOKD_TEST_KAFKA_BROKERS");
  return b ? b : "";
}

// Runs an io_context on two threads for the test's lifetime.
struct Runner {
  asio::io_context io{2};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread t1{[this] { io.run(); }}, t2{[this] { io.run(); }};
  ~Runner() {
    work.reset();
    io.stop();
    t1.join();
    t2.join();
  }
  // Runs a coroutine on the test's io_context and waits for its result.
  template <typename T>
  T run(awaitable<T> a) {
    return test::run(io, std::move(a));
  }
  // Publishes `value` until the broker acknowledges it, at most `tries` times (each waits one publish timeout):
  // how a vendor's retries meet a producer that is (re)connecting. The last result.
  error_code publish_until_acked(Producer& producer, const std::string& value, int tries) {
    error_code ec = make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    for (int attempt = 0; attempt < tries && ec; ++attempt)
      ec = run(producer.publish(OutgoingMessage{"k", value, {}}));
    return ec;
  }
};

TEST(KafkaRealBroker, PublishedMessagesAreConsumedWithKeysInOrder) {
  std::string brokers = real_brokers();
  ASSERT_FALSE(brokers.empty()) << "HOOKD_TEST_KAFKA_BROKERS is not set: run the tests through tools/test";
  Runner r;
  KafkaOptions opts;
  opts.brokers = brokers;
  opts.topic = "hookd.test." + ids::uuid_v4().substr(0, 8);  // a fresh topic: nothing from earlier runs
  // Created up front (3 partitions, as the keys below expect), not by the first publish: auto-creation on a
  // busy broker can take longer than a publish may wait.
  test::kafka_create_topic(opts.topic, 3);
  opts.delivery_timeout = std::chrono::seconds(30);
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok()) << producer.error().message;

  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 50; ++i)
    batch.push_back({"account-" + std::to_string(i % 3), "value-" + std::to_string(i), {}});
  error_code ec = r.run((*producer)->publish(batch));
  ASSERT_FALSE(ec) << ec.message();

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<std::string>> by_key;
  size_t total = 0;
  std::shared_ptr<Consumer> consumer;
  ConsumerOptions copts;
  copts.group_id = "hookd-test-" + ids::uuid_v4();
  auto c = Consumer::create(r.io.get_executor(), opts, copts, [&](std::shared_ptr<const ConsumedMessage> m) {
    {
      std::lock_guard lock(mu);
      by_key[m->key].push_back(m->value);
      ++total;
    }
    consumer->done(*m);
    cv.notify_all();
  });
  ASSERT_TRUE(c.ok()) << c.error().message;
  consumer = *c;
  consumer->start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return total >= 50; })) << "got " << total;
  }
  EXPECT_EQ(total, 50u);
  for (int k = 0; k < 3; ++k) {
    const auto& values = by_key["account-" + std::to_string(k)];
    ASSERT_EQ(values.size(), k == 0 ? 17u : 17u - (k == 2));
    for (size_t i = 1; i < values.size(); ++i)
      EXPECT_LT(std::stoi(values[i - 1].substr(6)), std::stoi(values[i].substr(6)))
          << "one key stays in order";
  }
  consumer->close();
  (*producer)->stop();
}

// Lineage records where each event went: the positions publish() reports are where a consumer finds them.
TEST(KafkaRealBroker, PublishReportsEachMessagesPartitionAndOffset) {
  std::string brokers = real_brokers();
  ASSERT_FALSE(brokers.empty()) << "HOOKD_TEST_KAFKA_BROKERS is not set: run the tests through tools/test";
  Runner r;
  KafkaOptions opts;
  opts.brokers = brokers;
  opts.topic = "hookd.test." + ids::uuid_v4().substr(0, 8);
  test::kafka_create_topic(opts.topic, 3);
  opts.delivery_timeout = std::chrono::seconds(30);
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 9; ++i)
    batch.push_back({"account-" + std::to_string(i % 3), "value-" + std::to_string(i), {}});
  std::vector<MessagePosition> positions(batch.size());
  error_code ec = r.run((*producer)->publish(batch, std::span<MessagePosition>(positions)));
  ASSERT_FALSE(ec) << ec.message();
  std::map<std::pair<int32_t, int64_t>, std::string> expected;
  for (size_t i = 0; i < batch.size(); ++i) {
    ASSERT_GE(positions[i].partition, 0) << i;
    ASSERT_GE(positions[i].offset, 0) << i;
    expected[{positions[i].partition, positions[i].offset}] = batch[i].value;
  }
  EXPECT_EQ(expected.size(), batch.size()) << "every message has a position of its own";

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::pair<int32_t, int64_t>, std::string> seen;
  std::shared_ptr<Consumer> consumer;
  ConsumerOptions copts;
  copts.group_id = "hookd-test-" + ids::uuid_v4();
  auto c = Consumer::create(r.io.get_executor(), opts, copts, [&](std::shared_ptr<const ConsumedMessage> m) {
    {
      std::lock_guard lock(mu);
      seen[{m->partition, m->offset}] = m->value;
    }
    consumer->done(*m);
    cv.notify_all();
  });
  ASSERT_TRUE(c.ok()) << c.error().message;
  consumer = *c;
  consumer->start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return seen.size() >= batch.size(); }));
  }
  EXPECT_EQ(seen, expected);
  consumer->close();
  (*producer)->stop();
}

TEST(KafkaMockCluster, PublishFailsWhenTheBrokerIsDown) {
  auto cluster = MockCluster::create(1, "hookd.events", 1);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  Runner r;
  KafkaOptions opts;
  opts.brokers = (*cluster)->bootstrap_servers();
  opts.delivery_timeout = std::chrono::milliseconds(1500);
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok()) << producer.error().message;

  // The broker is up: the first publish succeeds, though connecting may take more than one timeout on a busy
  // machine (what this test proves comes next: a down broker times the publish out).
  error_code up = r.publish_until_acked(**producer, "up", 10);
  EXPECT_FALSE(up) << "the broker is up: " << up.message();

  (*cluster)->set_broker_down(1);
  error_code ec = r.run((*producer)->publish(OutgoingMessage{"k", "down", {}}));
  EXPECT_EQ(ec, make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)) << ec.message();

  (*cluster)->set_broker_up(1);
  // The producer reconnects with backoff: like a vendor's retries, a later attempt succeeds.
  error_code again = r.publish_until_acked(**producer, "up again", 20);
  EXPECT_FALSE(again) << again.message();
  (*producer)->stop();
}

// librdkafka fails a message on message.timeout.ms only while it can reach the partition's leader: with the
// broker gone and the producer waiting out its reconnect backoff, the message lives on. The caller (a vendor
// waiting for its answer) still hears "timed out" at the publish timeout.
TEST(KafkaMockCluster, PublishAnswersAtItsTimeoutWhileTheProducerWaitsToReconnect) {
  auto cluster = MockCluster::create(1, "hookd.events", 1);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  Runner r;
  KafkaOptions opts;
  opts.brokers = (*cluster)->bootstrap_servers();
  opts.delivery_timeout = std::chrono::milliseconds(2000);
  opts.properties["reconnect.backoff.ms"] = "10000";
  opts.properties["reconnect.backoff.max.ms"] = "10000";
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  error_code up = r.publish_until_acked(**producer, "up", 10);
  ASSERT_FALSE(up) << "the broker is up: " << up.message();

  (*cluster)->set_broker_down(1);
  for (int i = 0; i < 3;
       ++i) {  // the first one may still see the connection close; the later ones the backoff
    auto started = std::chrono::steady_clock::now();
    std::vector<OutgoingMessage> messages{{"k", "down", {}}};
    std::vector<MessagePosition> positions(1);
    error_code ec = r.run((*producer)->publish(messages, positions));
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(ec, make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)) << ec.message();
    EXPECT_LT(took, std::chrono::milliseconds(2500))
        << "publish " << i << " answered after " << std::chrono::duration<double>(took).count() << " s";
    EXPECT_EQ(positions[0].offset, -1);
  }
  // Back up: the answered messages get their late reports (before this one's, in the partition's order), so
  // nothing is left waiting when the producer goes.
  (*cluster)->set_broker_up(1);
  error_code again = r.publish_until_acked(**producer, "up again", 20);
  EXPECT_FALSE(again) << again.message();
  (*producer)->stop();
}

TEST(KafkaMockCluster, UnfinishedMessagesAreRedeliveredToTheNextConsumer) {
  auto cluster = MockCluster::create(1, "hookd.events", 1);
  ASSERT_TRUE(cluster.ok());
  Runner r;
  KafkaOptions opts;
  opts.brokers = (*cluster)->bootstrap_servers();
  auto producer = Producer::create(r.io.get_executor(), opts);
  ASSERT_TRUE(producer.ok());
  opts.properties["session.timeout.ms"] =
      "6000";  // consumer-only: the mock coordinator waits out old sessions
  std::vector<OutgoingMessage> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back({"k", std::to_string(i), {}});
  ASSERT_FALSE(r.run((*producer)->publish(batch)));

  // First consumer finishes 0, 1 and 3 but not 2: only offsets 0..1 may be committed.
  {
    std::mutex mu;
    std::condition_variable cv;
    int seen = 0;
    std::shared_ptr<Consumer> consumer;
    auto c = Consumer::create(r.io.get_executor(), opts, {}, [&](std::shared_ptr<const ConsumedMessage> m) {
      if (m->value != "2" && m->value != "4") consumer->done(*m);
      std::lock_guard lock(mu);
      ++seen;
      cv.notify_all();
    });
    ASSERT_TRUE(c.ok());
    consumer = *c;
    consumer->start();
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen == 5; }));
    lock.unlock();
    // done() and close() post to the consumer's strand in this order, so the offsets are stored before it
    // closes.
    consumer->close();
  }
  // The next member of the group starts at the first unfinished message.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> values;
  std::shared_ptr<Consumer> consumer;
  auto c = Consumer::create(r.io.get_executor(), opts, {}, [&](std::shared_ptr<const ConsumedMessage> m) {
    consumer->done(*m);
    std::lock_guard lock(mu);
    values.push_back(m->value);
    cv.notify_all();
  });
  ASSERT_TRUE(c.ok());
  consumer = *c;
  consumer->start();
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return values.size() >= 3; }))
      << "got " << values.size();
  EXPECT_EQ(values, (std::vector<std::string>{"2", "3", "4"}));
  lock.unlock();
  consumer->close();
  (*producer)->stop();
}

// A consumer librdkafka declares dead (here a fabricated fatal error) says so, and leaves the group's view of
// readiness, so that the dispatcher replaces it (a fenced static member would otherwise read nothing more).
TEST(KafkaMockCluster, AFatalErrorMarksTheConsumerFailed) {
  auto cluster = MockCluster::create(1, "hookd.events", 1);
  ASSERT_TRUE(cluster.ok());
  Runner r;
  KafkaOptions opts;
  opts.brokers = (*cluster)->bootstrap_servers();
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<Consumer> consumer;
  int seen = 0;
  auto c = Consumer::create(r.io.get_executor(), opts, {}, [&](std::shared_ptr<const ConsumedMessage> m) {
    Consumer::done_with(*m);  // tells the consumer that read it
    std::lock_guard lock(mu);
    ++seen;
    cv.notify_all();
  });
  ASSERT_TRUE(c.ok());
  consumer = *c;
  consumer->start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!consumer->in_group() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(consumer->in_group());
  EXPECT_FALSE(consumer->failed());

  consumer->fail_for_test();
  while (!consumer->failed() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(consumer->failed());
  EXPECT_FALSE(consumer->in_group()) << "a failed consumer is not ready";
  // Closed before the mock cluster and the io_context go (a detached close raced their destruction: a crash
  // under ASan). The dispatcher closes a failed consumer off its I/O threads too (dispatcher_consumer.cpp).
  auto closing = std::async(std::launch::async, [consumer] { consumer->close(); });
  EXPECT_EQ(closing.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "closing a failed consumer hangs";
}

}  // namespace
}  // namespace hookd::bus
