// The real Redis and Kafka that tools/test starts, as integration tests reach them. A missing variable fails
// the test with an explanation: these tests are never silently skipped.
#pragma once

#include <string>

namespace hookd::test {

// HOOKD_TEST_REDIS_URL with database `db` selected ("redis://127.0.0.1:16379/2"). Throws if unset.
std::string redis_url(int db);
// FLUSHDB on that database.
void redis_flush(int db);
// HOOKD_TEST_KAFKA_BROKERS. Throws if unset.
std::string kafka_brokers();
// Creates a topic (no error if it exists) and waits until its leader is known.
void kafka_create_topic(const std::string& topic, int partitions);

}  // namespace hookd::test
