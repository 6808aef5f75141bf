#include "bus/log_reader.h"

#include "core/ids.h"

namespace hookd::bus {

namespace {

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

Error kafka_error(std::string_view what, rd_kafka_resp_err_t e) {
  return make_error(BusErrc::kafka_error, std::string(what) + ": " + rd_kafka_err2str(e));
}

// The offset of the first record at or after `ts` on each partition (the end of the partition when none).
Result<std::map<int32_t, int64_t>> offsets_for(rd_kafka_t* rk, const std::string& topic,
                                               const std::vector<int32_t>& ids, int64_t ts,
                                               std::chrono::milliseconds timeout) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(ids.size())));
  for (int32_t p : ids)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = ts;
  rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, list.get(), static_cast<int>(timeout.count()));
  if (e) return kafka_error("offsets for times", e);
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    if (tp.err) return kafka_error("offsets for times", tp.err);
    out[tp.partition] = tp.offset;  // -1 (RD_KAFKA_OFFSET_END): no record that late
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<LogReader>> LogReader::open(const KafkaOptions& kafka, int64_t since_ms,
                                                   int64_t until_ms, std::chrono::milliseconds timeout) {
  // clang-format off
  std::map<std::string, std::string> base = {
      {"bootstrap.servers", kafka.brokers},
      {"group.id", "hookd-replay-reader-" + ids::uuid_v4()},  // never joined: assign() only, no commits
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},  // an end offset past a gap (compaction) still ends the partition
      {"client.id", "hookd-replay"},
      {"log_level", "4"},
  };
  // clang-format on
  auto conf = make_conf(base, kafka);
  if (!conf.ok()) return conf.error();
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err, sizeof err);
  if (!rk) return make_error(BusErrc::kafka_error, std::string("cannot create Kafka log reader: ") + err);
  std::unique_ptr<LogReader> r(new LogReader());
  r->rk_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  if (Status s = r->assign(kafka.topic, since_ms, until_ms, timeout); !s.ok()) return s.error();
  return r;
}

LogReader::~LogReader() {
  if (rk_) rd_kafka_consumer_close(rk_.get());  // leaves no group: there is none; frees the assignment
}

Status LogReader::assign(const std::string& topic, int64_t since_ms, int64_t until_ms,
                         std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk_.get(), 0, t, &md, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(t);
  if (e) return kafka_error("metadata of " + topic, e);
  std::vector<int32_t> ids;
  if (md->topic_cnt == 1 && !md->topics[0].err)
    for (int i = 0; i < md->topics[0].partition_cnt; ++i)
      ids.push_back(md->topics[0].partitions[i].id);
  rd_kafka_metadata_destroy(md);
  if (ids.empty()) return make_error(BusErrc::kafka_error, "topic " + topic + " has no partitions");

  auto starts = offsets_for(rk_.get(), topic, ids, since_ms, timeout);
  if (!starts.ok()) return starts.error();
  auto ends = offsets_for(rk_.get(), topic, ids, until_ms + kUntilMarginMs, timeout);
  if (!ends.ok()) return ends.error();
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(ids.size())));
  for (int32_t p : ids) {
    int64_t low = 0, high = 0;
    e = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), p, &low, &high,
                                         static_cast<int>(timeout.count()));
    if (e) return kafka_error("watermarks", e);
    PartitionProgress& pp = partitions_[p];
    pp.start = (*starts)[p] < 0 ? high : std::max((*starts)[p], low);
    pp.end = (*ends)[p] < 0 ? high : std::min((*ends)[p], high);
    pp.done = pp.start >= pp.end;
    if (!pp.done) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = pp.start;
  }
  e = rd_kafka_assign(rk_.get(), list.get());
  if (e) return kafka_error("assign", e);
  return {};
}

bool LogReader::done() const {
  for (const auto& [p, pp] : partitions_)
    if (!pp.done) return false;
  return true;
}

void LogReader::take(rd_kafka_message_t* m, std::vector<LogRecord>& out) {
  auto it = partitions_.find(m->partition);
  if (it == partitions_.end() || it->second.done) return;
  PartitionProgress& pp = it->second;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset >= pp.end) {
    pp.done = true;
    return;
  }
  pp.scanned = m->offset - pp.start + 1;
  if (m->offset + 1 >= pp.end) pp.done = true;
  LogRecord r;
  r.partition = m->partition;
  r.offset = m->offset;
  r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
  out.push_back(std::move(r));
}

Result<std::vector<LogRecord>> LogReader::next(size_t max, std::chrono::milliseconds wait) {
  std::vector<LogRecord> out;
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (out.size() < max && !done()) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    rd_kafka_message_t* m =
        rd_kafka_consumer_poll(rk_.get(), out.empty() ? static_cast<int>(left.count()) : 0);
    if (!m) {
      if (!out.empty() || left.count() == 0) break;
      continue;
    }
    if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      Error error = kafka_error("read", m->err);
      rd_kafka_message_destroy(m);
      return error;
    }
    take(m, out);
    rd_kafka_message_destroy(m);
  }
  return out;
}

}  // namespace hookd::bus
