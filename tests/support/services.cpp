#include "services.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>

namespace hookd::test {

namespace {

std::string required_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through tools/test, which starts "
                             "Redis and Kafka and exports it");
  return v;
}

}  // namespace

std::string redis_url(int db) {
  return required_env("HOOKD_TEST_REDIS_URL") + "/" + std::to_string(db);
}

void redis_flush(int db) {
  std::string url = required_env("HOOKD_TEST_REDIS_URL");  // redis://host:port
  std::string hostport = url.substr(url.find("//") + 2);
  std::string host = hostport.substr(0, hostport.rfind(':'));
  int port = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
  redisContext* c = redisConnect(host.c_str(), port);
  if (!c || c->err) throw std::runtime_error("cannot connect to the test redis at " + url);
  auto* r1 = static_cast<redisReply*>(redisCommand(c, "SELECT %d", db));
  auto* r2 = static_cast<redisReply*>(redisCommand(c, "FLUSHDB"));
  bool ok = r1 && r2 && r2->type == REDIS_REPLY_STATUS;
  if (r1) freeReplyObject(r1);
  if (r2) freeReplyObject(r2);
  redisFree(c);
  if (!ok) throw std::runtime_error("FLUSHDB failed on the test redis");
}

std::string kafka_brokers() {
  return required_env("HOOKD_TEST_KAFKA_BROKERS");
}

void kafka_create_topic(const std::string& topic, int partitions) {
  // Before anything is allocated: without a broker this throws, and must not leak (LeakSanitizer fails
  // tests).
  const std::string brokers = kafka_brokers();
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(std::string("kafka admin client: ") + err);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  std::string failure;
  if (!ev) {
    failure = "CreateTopics timed out";
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    if (rd_kafka_event_error(ev)) failure = rd_kafka_event_error_string(ev);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(topics[i]);
      if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        failure = rd_kafka_topic_result_error_string(topics[i]);
    }
    rd_kafka_event_destroy(ev);
  }
  // Wait for the leaders, so a consumer subscribing right after gets its partitions.
  for (int i = 0; failure.empty() && i < 100; ++i) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    bool ready = false;
    if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ready = md->topic_cnt == 1 && md->topics[0].partition_cnt == partitions;
      for (int p = 0; ready && p < md->topics[0].partition_cnt; ++p)
        ready = md->topics[0].partitions[p].leader >= 0;
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    if (ready) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  if (!failure.empty()) throw std::runtime_error("creating topic " + topic + ": " + failure);
}

}  // namespace hookd::test
