// Runs replay jobs in this admin process: selects what a job replays (deliveries in Redis, or events read
// back from Kafka), replays at most `rate_per_second` of them (a token bucket with a burst of one: the
// endpoints see the cap, not bursts), and writes progress to the job about once a second, which renews the
// job's lease. A sweeper marks failed the jobs whose admin process stopped renewing (replay_job.h says why
// they are not resumed).
//
// What one item is:
//   source redis   a selected delivery: replayed (DeliveryStore::replay), or skipped with the reason
//                  (in_flight, already_due, not_found, event_expired)
//   source kafka   an (event, endpoint) pair read from the log: its delivery is replayed when it exists
//                  (with its event copy stored again if that expired), or created when it does not
//                  (DeliveryStore::schedule: the Redis copies expired, or the endpoint is newer than the event
//                  and include_new_endpoints is set)
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "admin/replay_job.h"
#include "bus/kafka.h"
#include "dispatch/dispatcher.h"

namespace hookd::bus {
class LogReader;
}

namespace hookd::admin {

struct ReplayOptions {
  double default_rate = 50;  // items per second when a request names none
  double max_rate = 500;     // the most a request may ask for
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds progress_interval{1'000};
  std::chrono::seconds retention{std::chrono::hours(24 * 7)};  // finished jobs stay readable this long
  // How long the older routes (POST /delivery/{id}/replay, /webhook/{id}/replay, /delivery/replay) wait for
  // their job to finish before answering with its progress so far.
  std::chrono::milliseconds compat_wait{10'000};
  bus::KafkaOptions kafka;  // the topic to read for source kafka (set by the service)
  std::chrono::milliseconds kafka_timeout{10'000};
};

class ReplayRunner : public std::enable_shared_from_this<ReplayRunner> {
 public:
  ReplayRunner(asio::any_io_executor ex, store::Store& store, dispatch::DeliveryStore& deliveries,
               std::shared_ptr<dispatch::Dispatcher> dispatcher, ReplayOptions options);
  ~ReplayRunner();
  void start();  // the sweeper
  void stop();   // running jobs stop where they are; their leases run out and a sweeper fails them

  const ReplayOptions& options() const { return options_; }
  ReplayJobStore& jobs() { return jobs_; }

  // Stores the job (queued) and starts it here. `spec` is validated by the caller.
  awaitable<Result<ReplayJob>> submit(std::string environment_id, ReplaySpec spec);
  // A dry run: how many items the job would have, now. Nothing is written.
  awaitable<Result<int64_t>> count(std::string environment_id, ReplaySpec spec);
  // Waits until the job running here finishes, or `wait` passes; then returns it as stored.
  awaitable<Result<ReplayJob>> wait(std::string environment_id, std::string id,
                                    std::chrono::milliseconds wait);
  // Tells the job, if it runs here, to stop now (the Redis flag reaches it on its next progress write too).
  void cancel_local(const std::string& id);

 private:
  // A job running here: its record as this node writes it, and what only this node knows.
  struct Running {
    ReplayJob job;
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    std::chrono::steady_clock::time_point next_token;
    std::chrono::steady_clock::time_point last_write;
    bool lost = false;  // a sweeper failed it: this node writes nothing more
  };
  using RunningPtr = std::shared_ptr<Running>;
  using PairHandler = std::function<awaitable<bool>(const Event&, const std::string& event_json,
                                                    const store::Webhook& endpoint)>;

  awaitable<void> run(RunningPtr r);
  awaitable<Status> run_redis(Running& r);
  awaitable<Status> run_kafka(Running& r);
  awaitable<Result<std::vector<dispatch::Delivery>>> select(const std::string& env, const ReplaySpec& spec);
  // Reads the job's time range from Kafka; calls `on_pair` for each (event, endpoint) the job covers, in log
  // order, until it returns false. `job` (null for a dry run) gets the scan counts and is checkpointed after
  // every batch read.
  awaitable<Status> scan_kafka(const std::string& env, const ReplaySpec& spec, const PairHandler& on_pair,
                               Running* job);
  awaitable<Status> read_log(bus::LogReader& reader, const std::string& env, const ReplaySpec& spec,
                             const std::vector<store::Webhook>& endpoints, const PairHandler& on_pair,
                             Running* job);
  awaitable<Status> replay_from_log(Running& r, const Event& e, const std::string& event_json,
                                    const store::Webhook& w);
  // Waits for the next token; false when the job must stop (cancelled, lost, runner stopping).
  awaitable<bool> take_token(Running& r);
  // Writes progress when a progress interval has passed (or `force`); false when the job must stop.
  awaitable<bool> checkpoint(Running& r, bool force = false);
  awaitable<void> sweep();
  static void stats_scanned(int64_t records);
  void finish(Running& r, JobState state, std::string error);

  asio::any_io_executor ex_;
  store::Store& store_;
  dispatch::DeliveryStore& deliveries_;
  std::shared_ptr<dispatch::Dispatcher> dispatcher_;
  ReplayOptions options_;
  ReplayJobStore jobs_;
  std::string node_;               // this process, as a job owner
  asio::thread_pool blocking_{1};  // Kafka reads (librdkafka blocks)
  asio::steady_timer sweep_timer_;
  std::atomic<bool> stopped_{false};
  std::mutex mu_;
  std::map<std::string, RunningPtr> running_;  // by job id
};

}  // namespace hookd::admin
