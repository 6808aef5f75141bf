// Proves that the services tools/test starts are real and reachable at the addresses it exports: a
// redis-server that stores and returns a key, and an Apache Kafka broker that acknowledges, stores and serves
// a message, with the single-node settings (internal topics with one replica, auto-created topics,
// hookd.events with 3 partitions) that the rest of the tests rely on. Run through tools/test; without its
// variables every test here fails.
#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr const char* redis_url_var = "HOOKD_TEST_REDIS_URL";
constexpr const char* kafka_brokers_var = "HOOKD_TEST_KAFKA_BROKERS";
constexpr int kafka_timeout_ms = 20000;

void require_env(const char* name, std::string* out) {
  const char* value = std::getenv(name);
  ASSERT_TRUE(value != nullptr && *value != '\0')
      << name << " is not set. These tests need the real services: run them through tools/test, or start "
      << "tools/redis and tools/kafka and export the output of `tools/redis env` and `tools/kafka env`.";
  *out = value;
}

// A name no other test run has used, so tests never read each other's messages or keys.
std::string unique_name(std::string_view prefix) {
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::string(prefix) + std::to_string(::getpid()) + "." +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

// ---- Redis
// -------------------------------------------------------------------------------------------------------

struct redis_deleter {
  void operator()(redisContext* c) const { redisFree(c); }
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using redis_ptr = std::unique_ptr<redisContext, redis_deleter>;
using reply_ptr = std::unique_ptr<redisReply, redis_deleter>;

// Accepts exactly what tools/redis prints: redis://HOST:PORT with an optional /DB.
bool parse_redis_url(std::string_view url, std::string* host, int* port) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return false;
  url.remove_prefix(scheme.size());
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  *host = std::string(url.substr(0, colon));
  std::string rest(url.substr(colon + 1));
  char* end = nullptr;
  long value = std::strtol(rest.c_str(), &end, 10);
  if (end == rest.c_str() || (*end != '\0' && *end != '/') || value <= 0 || value > 65535) return false;
  *port = static_cast<int>(value);
  return true;
}

reply_ptr command(redisContext* c, const char* format, const std::string& a) {
  return reply_ptr(static_cast<redisReply*>(redisCommand(c, format, a.c_str())));
}

reply_ptr command(redisContext* c, const char* format, const std::string& a, const std::string& b) {
  return reply_ptr(static_cast<redisReply*>(redisCommand(c, format, a.c_str(), b.c_str())));
}

TEST(InfraRedis, UrlHasTheShapeToolsRedisPrints) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(parse_redis_url("redis://127.0.0.1:16379", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 16379);
  EXPECT_TRUE(parse_redis_url("redis://localhost:6379/2", &host, &port));
  EXPECT_EQ(port, 6379);
  for (std::string_view bad :
       {"127.0.0.1:16379", "redis://127.0.0.1", "redis://:1", "redis://h:0", "redis://h:x"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_redis_url(bad, &host, &port));
  }
}

TEST(InfraRedis, StoresAndReturnsAKey) {
  std::string url;
  ASSERT_NO_FATAL_FAILURE(require_env(redis_url_var, &url));
  std::string host;
  int port = 0;
  ASSERT_TRUE(parse_redis_url(url, &host, &port))
      << redis_url_var << "=" << url << " is not redis://HOST:PORT";

  redis_ptr c(redisConnectWithTimeout(host.c_str(), port, timeval{5, 0}));
  ASSERT_TRUE(c != nullptr);
  ASSERT_EQ(c->err, 0) << "cannot connect to " << url << ": " << c->errstr;
  ASSERT_EQ(redisSetTimeout(c.get(), timeval{5, 0}), REDIS_OK);

  // A real server reports its version and the port it listens on; an impostor answering +OK to everything
  // does not.
  reply_ptr info(static_cast<redisReply*>(redisCommand(c.get(), "INFO server")));
  ASSERT_TRUE(info != nullptr) << c->errstr;
  ASSERT_EQ(info->type, REDIS_REPLY_STRING);
  std::string info_text(info->str, info->len);
  EXPECT_NE(info_text.find("redis_version:"), std::string::npos) << info_text;
  EXPECT_NE(info_text.find("tcp_port:" + std::to_string(port) + "\r\n"), std::string::npos) << info_text;

  const std::string key = unique_name("hookd:infra-test:");
  const std::string value = "value of " + key;
  reply_ptr set = command(c.get(), "SET %s %s", key, value);
  ASSERT_TRUE(set != nullptr) << c->errstr;
  ASSERT_EQ(set->type, REDIS_REPLY_STATUS);
  EXPECT_EQ(std::string(set->str, set->len), "OK");

  reply_ptr get = command(c.get(), "GET %s", key);
  ASSERT_TRUE(get != nullptr) << c->errstr;
  ASSERT_EQ(get->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(get->str, get->len), value);

  reply_ptr del = command(c.get(), "DEL %s", key);
  ASSERT_TRUE(del != nullptr) << c->errstr;
  ASSERT_EQ(del->type, REDIS_REPLY_INTEGER);
  EXPECT_EQ(del->integer, 1);

  reply_ptr gone = command(c.get(), "GET %s", key);
  ASSERT_TRUE(gone != nullptr) << c->errstr;
  EXPECT_EQ(gone->type, REDIS_REPLY_NIL);
}

// ---- Kafka
// -------------------------------------------------------------------------------------------------------

struct kafka_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using kafka_ptr = std::unique_ptr<rd_kafka_t, kafka_deleter>;
using message_ptr = std::unique_ptr<rd_kafka_message_t, kafka_deleter>;
using partitions_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, kafka_deleter>;
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, kafka_deleter>;

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char err[512];
  ASSERT_EQ(rd_kafka_conf_set(conf, name, value.c_str(), err, sizeof err), RD_KAFKA_CONF_OK)
      << name << ": " << err;
}

// Builds a client; on failure the returned pointer is null and the test has failed.
kafka_ptr make_client(rd_kafka_type_t type, const std::string& brokers,
                      std::initializer_list<std::pair<const char*, std::string>> settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", brokers);
  for (const auto& [name, value] : settings)
    set(conf, name, value);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << "rd_kafka_new: " << err;
  }
  return kafka_ptr(rk);
}

struct delivery {
  bool reported = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int32_t partition = -1;
  int64_t offset = -1;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* d = static_cast<delivery*>(m->_private);
  d->reported = true;
  d->err = m->err;
  d->partition = m->partition;
  d->offset = m->offset;
}

// Produces one message the way hookd's ingest does (idempotent, acks=all) and waits for its delivery report,
// the only proof that the broker stored it.
void produce_one(const std::string& brokers, const std::string& topic, const std::string& key,
                 const std::string& value, delivery* d) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_NO_FATAL_FAILURE(set(conf, "bootstrap.servers", brokers));
  ASSERT_NO_FATAL_FAILURE(set(conf, "enable.idempotence", "true"));
  ASSERT_NO_FATAL_FAILURE(set(conf, "acks", "all"));
  ASSERT_NO_FATAL_FAILURE(set(conf, "message.timeout.ms", std::to_string(kafka_timeout_ms)));
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char err[512];
  kafka_ptr producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  if (!producer) rd_kafka_conf_destroy(conf);
  ASSERT_TRUE(producer) << "rd_kafka_new: " << err;

  rd_kafka_resp_err_t sent = rd_kafka_producev(
      producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(d), RD_KAFKA_V_END);
  ASSERT_EQ(sent, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(sent);
  // flush() serves the delivery callback; its timeout is longer than message.timeout.ms so a report always
  // comes.
  ASSERT_EQ(rd_kafka_flush(producer.get(), kafka_timeout_ms + 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(d->reported) << "no delivery report";
  ASSERT_EQ(d->err, RD_KAFKA_RESP_ERR_NO_ERROR) << "delivery failed: " << rd_kafka_err2str(d->err);
  EXPECT_GE(d->partition, 0);
  EXPECT_GE(d->offset, 0);
}

// Polls until one message (not an event such as partition EOF) arrives or the deadline passes.
message_ptr poll_message(rd_kafka_t* consumer) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kafka_timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    message_ptr m(rd_kafka_consumer_poll(consumer, 200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    return m;
  }
  return nullptr;
}

std::string payload_of(const rd_kafka_message_t* m) {
  return std::string(static_cast<const char*>(m->payload), m->len);
}

std::string key_of(const rd_kafka_message_t* m) {
  return std::string(static_cast<const char*>(m->key), m->key_len);
}

TEST(InfraKafka, HookdEventsTopicExistsWithThreePartitions) {
  std::string brokers;
  ASSERT_NO_FATAL_FAILURE(require_env(kafka_brokers_var, &brokers));
  // No auto-creation here: the topic must exist because tools/kafka created it, not because we asked about
  // it.
  kafka_ptr client = make_client(RD_KAFKA_CONSUMER, brokers, {{"allow.auto.create.topics", "false"}});
  ASSERT_TRUE(client);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(client.get(), "hookd.events", nullptr);
  ASSERT_TRUE(topic != nullptr);
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client.get(), 0, topic, &raw, kafka_timeout_ms);
  rd_kafka_topic_destroy(topic);
  ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << "metadata from " << brokers << ": " << rd_kafka_err2str(err);
  metadata_ptr md(raw);
  ASSERT_EQ(md->topic_cnt, 1);
  EXPECT_EQ(md->topics[0].err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(md->topics[0].err);
  EXPECT_EQ(md->topics[0].partition_cnt, 3);
  EXPECT_EQ(md->broker_cnt, 1);
}

TEST(InfraKafka, ProducedMessageIsAcknowledgedAndReadBackFromItsOffset) {
  std::string brokers;
  ASSERT_NO_FATAL_FAILURE(require_env(kafka_brokers_var, &brokers));
  // A fresh topic, created by the broker on first use (auto.create.topics.enable), so no other test's data is
  // in it.
  const std::string topic = unique_name("hookd.infra-test.");
  const std::string key = "integrated-account-1";
  const std::string value = R"({"event":"test","topic":")" + topic + R"("})";
  delivery d;
  ASSERT_NO_FATAL_FAILURE(produce_one(brokers, topic, key, value, &d));

  kafka_ptr consumer =
      make_client(RD_KAFKA_CONSUMER, brokers,
                  {{"group.id", unique_name("hookd-infra-test-")}, {"enable.auto.commit", "false"}});
  ASSERT_TRUE(consumer);
  partitions_ptr assignment(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), d.partition)->offset = d.offset;
  ASSERT_EQ(rd_kafka_assign(consumer.get(), assignment.get()), RD_KAFKA_RESP_ERR_NO_ERROR);

  message_ptr m = poll_message(consumer.get());
  ASSERT_TRUE(m) << "nothing read back from " << topic << " [" << d.partition << "] at offset " << d.offset;
  ASSERT_EQ(m->err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_message_errstr(m.get());
  EXPECT_EQ(m->partition, d.partition);
  EXPECT_EQ(m->offset, d.offset);
  EXPECT_EQ(key_of(m.get()), key);
  EXPECT_EQ(payload_of(m.get()), value);
  rd_kafka_consumer_close(consumer.get());
}

TEST(InfraKafka, ConsumerGroupReceivesTheMessageAndCommitsItsOffset) {
  std::string brokers;
  ASSERT_NO_FATAL_FAILURE(require_env(kafka_brokers_var, &brokers));
  const std::string topic = unique_name("hookd.infra-test.");
  const std::string value = "group message for " + topic;
  delivery d;
  ASSERT_NO_FATAL_FAILURE(produce_one(brokers, topic, "k", value, &d));

  // Joining a group and committing needs the group coordinator and __consumer_offsets: this fails on a single
  // node whose internal topics ask for more replicas than there are brokers.
  kafka_ptr consumer = make_client(RD_KAFKA_CONSUMER, brokers,
                                   {{"group.id", unique_name("hookd-infra-test-")},
                                    {"auto.offset.reset", "earliest"},
                                    {"enable.auto.commit", "false"}});
  ASSERT_TRUE(consumer);
  partitions_ptr subscription(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  ASSERT_EQ(rd_kafka_subscribe(consumer.get(), subscription.get()), RD_KAFKA_RESP_ERR_NO_ERROR);

  message_ptr m = poll_message(consumer.get());
  ASSERT_TRUE(m) << "the group received nothing from " << topic;
  ASSERT_EQ(m->err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_message_errstr(m.get());
  EXPECT_EQ(payload_of(m.get()), value);
  ASSERT_EQ(rd_kafka_commit_message(consumer.get(), m.get(), 0), RD_KAFKA_RESP_ERR_NO_ERROR);

  partitions_ptr committed(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(committed.get(), topic.c_str(), d.partition);
  ASSERT_EQ(rd_kafka_committed(consumer.get(), committed.get(), kafka_timeout_ms),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(committed->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(committed->elems[0].err);
  // The committed offset is the next one to read.
  EXPECT_EQ(committed->elems[0].offset, d.offset + 1);
  rd_kafka_consumer_close(consumer.get());
}

}  // namespace
