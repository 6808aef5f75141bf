// Reads a time range of `hookd.events` straight from the log, for replays of events whose Redis copies have
// expired (Kafka keeps every event for its own retention).
//
// A private consumer: no group membership (manual assign, never subscribe), no offset commits, its own
// random group.id only because librdkafka wants one. So it never joins, rebalances or moves the dispatch
// group's offsets. Each partition is read from the offset for `since` (rd_kafka_offsets_for_times) to the
// offset for `until` plus a margin (a record's Kafka timestamp is taken when it is produced, a little after
// the event's created_at), or the end of the partition when it was opened. Callers filter by created_at.
//
// Every call blocks (librdkafka's own waits): run it off the I/O threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bus/kafka.h"

namespace hookd::bus {

struct LogRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
};

// Where one partition's read stands.
struct PartitionProgress {
  int64_t start = 0;    // first offset to read
  int64_t end = 0;      // one past the last offset to read
  int64_t scanned = 0;  // records read so far
  bool done = false;
};

class LogReader {
 public:
  // Finds the offsets of [since_ms, until_ms) on every partition and assigns them. `timeout` bounds each
  // metadata and offset query.
  static Result<std::unique_ptr<LogReader>> open(const KafkaOptions& kafka, int64_t since_ms,
                                                 int64_t until_ms, std::chrono::milliseconds timeout);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // Up to `max` records, waiting at most `wait` for the first. Empty once done().
  Result<std::vector<LogRecord>> next(size_t max, std::chrono::milliseconds wait);
  // Every partition has been read to its end offset.
  bool done() const;
  const std::map<int32_t, PartitionProgress>& progress() const { return partitions_; }

  // How far past `until` the end offsets are looked up: producer timestamps trail created_at.
  static constexpr int64_t kUntilMarginMs = 60'000;

 private:
  LogReader() = default;
  Status assign(const std::string& topic, int64_t since_ms, int64_t until_ms,
                std::chrono::milliseconds timeout);
  void take(rd_kafka_message_t* m, std::vector<LogRecord>& out);

  KafkaPtr rk_;
  std::map<int32_t, PartitionProgress> partitions_;
};

}  // namespace hookd::bus
