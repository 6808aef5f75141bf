// RedisSubscriber: channel and pattern messages in order, and subscriptions that come back by themselves
// after the connection is killed or the server restarts (announced by on_subscribed, so caches can start
// over).
#include <mutex>

#include "redis_test_util.h"
#include "store/redis/subscriber.h"

namespace hookd::store::test {
namespace {

using namespace std::string_literals;

// Collects what the handlers see. Shared with the handlers, which may run until the subscriber is closed.
struct Inbox {
  std::mutex mutex;
  std::vector<RedisMessage> messages;
  std::atomic<int> subscribed{0};

  size_t size() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  std::vector<RedisMessage> snapshot() {
    std::lock_guard lock(mutex);
    return messages;
  }
};

class RedisSubscriberTest : public RedisTest {
 protected:
  RedisSubscriberPtr subscribe(RedisOptions options, RedisSubscription subscription) {
    options.client_name += "-sub";
    auto subscriber = RedisSubscriber::create(io_.executor(), options, std::move(subscription),
                                              {[inbox = inbox_](const RedisMessage& m) {
                                                 std::lock_guard lock(inbox->mutex);
                                                 inbox->messages.push_back(m);
                                               },
                                               [inbox = inbox_] { ++inbox->subscribed; },
                                               {}});
    track(subscriber);
    return subscriber;
  }

  ::testing::AssertionResult subscribed_times(int n) {
    if (wait_until([&] { return inbox_->subscribed >= n; })) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "on_subscribed ran " << inbox_->subscribed << " times, expected " << n;
  }

  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
};

TEST_F(RedisSubscriberTest, DeliversChannelAndPatternMessagesInOrder) {
  const std::string channel = key("config"), pattern = key("tenant:*");
  auto subscriber = subscribe(options_, {{channel, channel}, {pattern}});
  ASSERT_TRUE(subscribed_times(1));
  EXPECT_TRUE(subscriber->subscribed());

  const std::string binary = "\0\r\n\xff payload"s;
  struct Publish {
    std::string channel;
    std::string payload;
    int64_t receivers;
  };
  const Publish published[] = {
      {channel, "one", 1},
      {key("tenant:42"), "two", 1},
      {key("elsewhere"), "not for us", 0},
      {channel, binary, 1},
  };
  for (const Publish& p : published) {
    SCOPED_TRACE(p.channel);
    EXPECT_EQ(admin_->command({"PUBLISH", p.channel, p.payload}), RedisReply::make_integer(p.receivers))
        << "one subscription even though the channel was listed twice";
  }
  ASSERT_TRUE(wait_until([&] { return inbox_->size() >= 3; }));
  auto got = inbox_->snapshot();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].channel, channel);
  EXPECT_EQ(got[0].payload, "one");
  EXPECT_EQ(got[0].pattern, "");
  EXPECT_EQ(got[1].channel, key("tenant:42"));
  EXPECT_EQ(got[1].payload, "two");
  EXPECT_EQ(got[1].pattern, pattern);
  EXPECT_EQ(got[2].payload, binary);

  // Many messages keep their order.
  constexpr int burst = 2000;
  for (int i = 0; i < burst; ++i)
    admin_->command({"PUBLISH", channel, std::to_string(i)});
  ASSERT_TRUE(wait_until([&] { return inbox_->size() >= 3 + burst; }));
  got = inbox_->snapshot();
  for (int i = 0; i < burst; ++i)
    ASSERT_EQ(got[3 + i].payload, std::to_string(i));
}

TEST_F(RedisSubscriberTest, ResubscribesAfterItsConnectionIsKilled) {
  const std::string channel = key("config");
  auto subscriber = subscribe(options_, {{channel}, {}});
  ASSERT_TRUE(subscribed_times(1));

  ASSERT_TRUE(admin_->kill_client(options_.client_name + "-sub"));
  ASSERT_TRUE(subscribed_times(2)) << "on_subscribed again once the new connection is subscribed";
  EXPECT_TRUE(subscriber->subscribed());
  EXPECT_EQ(admin_->command({"PUBLISH", channel, "after the kill"}), RedisReply::make_integer(1));
  ASSERT_TRUE(wait_until([&] { return inbox_->size() == 1; }));
  EXPECT_EQ(inbox_->snapshot()[0].payload, "after the kill");
}

TEST_F(RedisSubscriberTest, ResubscribesAfterTheServerRestarts) {
  RedisServerProcess server;
  RedisOptions options = server.options();
  options.client_name = options_.client_name;
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  auto subscriber = subscribe(options, {{"config"}, {"tenant:*"}});
  ASSERT_TRUE(subscribed_times(1));

  server.stop();
  ASSERT_TRUE(wait_until([&] { return !subscriber->subscribed(); }, 5000ms));
  ASSERT_NO_FATAL_FAILURE(server.start());
  ASSERT_TRUE(subscribed_times(2));
  Admin admin(options);
  EXPECT_EQ(admin.command({"PUBLISH", "config", "a"}), RedisReply::make_integer(1));
  EXPECT_EQ(admin.command({"PUBLISH", "tenant:7", "b"}), RedisReply::make_integer(1));
  ASSERT_TRUE(wait_until([&] { return inbox_->size() == 2; }));
  EXPECT_EQ(inbox_->snapshot()[1].pattern, "tenant:*");
}

TEST_F(RedisSubscriberTest, CloseUnsubscribesAndStopsTheHandlers) {
  const std::string channel = key("config");
  auto subscriber = subscribe(options_, {{channel}, {}});
  ASSERT_TRUE(subscribed_times(1));
  subscriber->close();
  ASSERT_TRUE(wait_until([&] { return admin_->client_id(options_.client_name + "-sub") < 0; }))
      << "the connection must be closed on the server side";
  EXPECT_FALSE(subscriber->subscribed());
  EXPECT_EQ(admin_->command({"PUBLISH", channel, "too late"}), RedisReply::make_integer(0));
  EXPECT_EQ(inbox_->size(), 0u);
}

}  // namespace
}  // namespace hookd::store::test
