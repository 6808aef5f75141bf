// Replay jobs: what a replay was asked to do and how far it got, in Redis so that any admin node answers
// GET /replay/{id}. Keys in store/keys.h (the admin replay section): one hash per job, the environment's
// index (newest first) and the lease set every node sweeps.
//
// A job is run by the admin process that created it (ReplayRunner), which owns it through `owner` and renews
// `lease_until` with every progress write (about once a second). Every write of the runner is conditional on
// still owning a job that is not finished, so a sweeper that declared the job failed is never overwritten. A
// job whose lease ran out (its process died) is marked failed with the reason "admin node lost": it is not
// resumed, because what its runner sent since its last progress write is unknown and receivers would get it
// twice; the operator starts a new job (same filters), which replays what it selects again.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/store.h"

namespace hookd::admin {

enum class JobState { queued, running, succeeded, cancelled, failed };
std::string_view to_string(JobState s) noexcept;
bool finished(JobState s) noexcept;

struct ReplayFilters {
  std::string status;  // "" or a delivery status
  std::string event_type;
  std::string integrated_account_id;
  int64_t since = 0;  // ms; 0: none
  int64_t until = 0;  // ms, exclusive; 0: none
};

struct ReplaySpec {
  std::string scope;  // delivery | webhook | environment
  std::string delivery_id;
  std::string webhook_id;
  ReplayFilters filters;
  double rate_per_second = 0;
  std::string source = "redis";  // redis | kafka
  bool include_new_endpoints = false;
};

struct ReplayJob {
  std::string id;
  std::string environment_id;
  ReplaySpec spec;
  JobState state = JobState::queued;
  int64_t selected = 0;  // deliveries to replay (Redis), or (event, endpoint) pairs found so far (Kafka)
  int64_t replayed = 0;  // replayed, or created (Kafka: missing deliveries)
  int64_t created = 0;   // of replayed: deliveries created from the log
  std::map<std::string, int64_t> skipped;  // reason -> count
  std::string partitions;                  // Kafka: JSON {partition: {start, end, scanned}}
  int64_t scanned = 0;                     // Kafka records read
  std::string error;                       // why it failed
  std::string owner;
  int64_t lease_until = 0;
  bool cancel_requested = false;
  int64_t created_at = 0, started_at = 0, updated_at = 0, finished_at = 0;
};

json::Value to_json(const ReplayJob& job);

// What the runner writes with each progress step.
enum class WriteResult { ok, cancel_requested, lost };

class ReplayJobStore {
 public:
  ReplayJobStore(store::Store& store, std::chrono::seconds retention);

  // Stores a new job (state queued, owned by `owner` until lease_until) and indexes it.
  awaitable<Status> create(const ReplayJob& job);
  // not_found when there is no such job in the environment.
  awaitable<Result<ReplayJob>> get(std::string_view env, std::string_view id);
  // Newest first; cursor is the created ms + id of the last one seen.
  awaitable<Result<store::Page<ReplayJob>>> list(std::string_view env, std::string_view cursor, size_t limit);
  // Progress (and state, when it changes), if `job.owner` still owns it and it is not finished.
  awaitable<Result<WriteResult>> write(const ReplayJob& job);
  // Asks the running job to stop. Returns the job as it is (conflict when it has finished already).
  awaitable<Result<ReplayJob>> request_cancel(std::string_view env, std::string_view id);
  // Marks failed every job whose lease ran out before `now`; returns how many.
  awaitable<Result<size_t>> fail_expired(int64_t now);

 private:
  store::Store& store_;
  std::chrono::seconds retention_;
};

}  // namespace hookd::admin
