#include "admin/replay_job.h"

#include "core/clock.h"
#include "core/ids.h"
#include "store/keys.h"

namespace hookd::admin {

using store::RedisCommand;
using store::RedisReply;
using store::StoreErrc;
namespace keys = store::keys;

namespace {

// Writes progress only for the owner of a job that is still running: a sweeper's "failed" is final.
const store::RedisScript& write_script() {
  static const store::RedisScript s(R"lua(
local cur = redis.call('HMGET', KEYS[1], 'owner', 'state', 'cancel_requested')
if cur[1] ~= ARGV[1] or (cur[2] ~= 'queued' and cur[2] ~= 'running') then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
if cur[3] == '1' then return 1 end
return 0
)lua");
  return s;
}

// 0: no such job, 1: cancel requested, 2: finished already.
const store::RedisScript& cancel_script() {
  static const store::RedisScript s(R"lua(
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
if state ~= 'queued' and state ~= 'running' then return 2 end
redis.call('HSET', KEYS[1], 'cancel_requested', '1')
return 1
)lua");
  return s;
}

// 0: its lease was renewed, 1: marked failed now, 2: finished or gone (drop it from the lease set).
const store::RedisScript& expire_script() {
  static const store::RedisScript s(R"lua(
local cur = redis.call('HMGET', KEYS[1], 'state', 'lease_until')
if cur[1] ~= 'queued' and cur[1] ~= 'running' then return 2 end
if tonumber(cur[2]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[2], 'finished_at', ARGV[1], 'updated_at', ARGV[1])
return 1
)lua");
  return s;
}

constexpr std::string_view kLostReason =
    "admin node lost: the process running the job stopped renewing its lease; start a new job to replay the "
    "rest";

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  bool neg = !s.empty() && s[0] == '-';
  for (char c : s.substr(neg ? 1 : 0)) {
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

std::optional<JobState> state_from(std::string_view s) {
  for (JobState st :
       {JobState::queued, JobState::running, JobState::succeeded, JobState::cancelled, JobState::failed})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string skipped_json(const std::map<std::string, int64_t>& skipped) {
  json::ObjectBuilder b;
  for (const auto& [reason, n] : skipped)
    b.set(reason, json::Value(n));
  return json::dump(std::move(b).build());
}

void add_fields(RedisCommand& c, const ReplayJob& j) {
  c.arg("state").arg(to_string(j.state));
  c.arg("selected").arg(j.selected).arg("replayed").arg(j.replayed).arg("created").arg(j.created);
  c.arg("skipped").arg(skipped_json(j.skipped)).arg("scanned").arg(j.scanned);
  c.arg("partitions").arg(j.partitions).arg("error").arg(j.error);
  c.arg("lease_until").arg(j.lease_until).arg("started_at").arg(j.started_at);
  c.arg("updated_at").arg(j.updated_at).arg("finished_at").arg(j.finished_at);
}

void add_spec(RedisCommand& c, const ReplayJob& j) {
  const ReplaySpec& s = j.spec;
  c.arg("id").arg(j.id).arg("environment_id").arg(j.environment_id).arg("scope").arg(s.scope);
  c.arg("delivery_id").arg(s.delivery_id).arg("webhook_id").arg(s.webhook_id);
  c.arg("f_status").arg(s.filters.status).arg("f_event_type").arg(s.filters.event_type);
  c.arg("f_account").arg(s.filters.integrated_account_id);
  c.arg("f_since").arg(s.filters.since).arg("f_until").arg(s.filters.until);
  c.arg("rate_milli").arg(static_cast<int64_t>(s.rate_per_second * 1000));
  c.arg("source").arg(s.source).arg("include_new_endpoints").arg(s.include_new_endpoints ? "1" : "0");
  c.arg("owner").arg(j.owner).arg("cancel_requested").arg("0").arg("created_at").arg(j.created_at);
}

void set_field(ReplayJob& j, std::string_view k, std::string_view v) {
  static const std::map<std::string_view, std::string ReplayJob::*> strings = {
      {"id", &ReplayJob::id},
      {"environment_id", &ReplayJob::environment_id},
      {"partitions", &ReplayJob::partitions},
      {"error", &ReplayJob::error},
      {"owner", &ReplayJob::owner}};
  static const std::map<std::string_view, int64_t ReplayJob::*> numbers = {
      {"selected", &ReplayJob::selected},       {"replayed", &ReplayJob::replayed},
      {"created", &ReplayJob::created},         {"scanned", &ReplayJob::scanned},
      {"lease_until", &ReplayJob::lease_until}, {"created_at", &ReplayJob::created_at},
      {"started_at", &ReplayJob::started_at},   {"updated_at", &ReplayJob::updated_at},
      {"finished_at", &ReplayJob::finished_at}};
  ReplaySpec& s = j.spec;
  if (auto it = strings.find(k); it != strings.end())
    j.*(it->second) = v;
  else if (auto n = numbers.find(k); n != numbers.end())
    j.*(n->second) = to_int(v);
  else if (k == "state")
    j.state = state_from(v).value_or(JobState::failed);
  else if (k == "scope")
    s.scope = v;
  else if (k == "delivery_id")
    s.delivery_id = v;
  else if (k == "webhook_id")
    s.webhook_id = v;
  else if (k == "f_status")
    s.filters.status = v;
  else if (k == "f_event_type")
    s.filters.event_type = v;
  else if (k == "f_account")
    s.filters.integrated_account_id = v;
  else if (k == "f_since")
    s.filters.since = to_int(v);
  else if (k == "f_until")
    s.filters.until = to_int(v);
  else if (k == "rate_milli")
    s.rate_per_second = static_cast<double>(to_int(v)) / 1000;
  else if (k == "source")
    s.source = v;
  else if (k == "include_new_endpoints")
    s.include_new_endpoints = v == "1";
  else if (k == "cancel_requested")
    j.cancel_requested = v == "1";
  else if (k == "skipped") {
    json::Value obj;
    if (json::parse(v, obj) && obj.is_object())
      for (const auto& m : obj.members())
        j.skipped[std::string(m.name())] = static_cast<int64_t>(m.value.number_or(0));
  }
}

Result<ReplayJob> job_from_hash(const RedisReply& r) {
  if (!r.is_array() || r.size() == 0) return make_error(StoreErrc::not_found, "replay job not found");
  ReplayJob j;
  for (size_t i = 0; i + 1 < r.size(); i += 2)
    set_field(j, r[i].str(), r[i + 1].str());
  return j;
}

}  // namespace

std::string_view to_string(JobState s) noexcept {
  switch (s) {
    case JobState::queued:
      return "queued";
    case JobState::running:
      return "running";
    case JobState::succeeded:
      return "succeeded";
    case JobState::cancelled:
      return "cancelled";
    case JobState::failed:
      break;
  }
  return "failed";
}

bool finished(JobState s) noexcept {
  return s != JobState::queued && s != JobState::running;
}

json::Value to_json(const ReplayJob& j) {
  auto time_or_null = [](int64_t ms) { return ms ? json::Value(clock::iso8601(ms)) : json::Value::null(); };
  auto text_or_null = [](const std::string& s) { return s.empty() ? json::Value::null() : json::Value(s); };
  const ReplaySpec& s = j.spec;
  json::ObjectBuilder filters;
  filters.set("status", text_or_null(s.filters.status)).set("event_type", text_or_null(s.filters.event_type));
  filters.set("integrated_account_id", text_or_null(s.filters.integrated_account_id));
  filters.set("since", time_or_null(s.filters.since)).set("until", time_or_null(s.filters.until));
  json::Value skipped;
  json::parse(skipped_json(j.skipped), skipped);
  json::Value partitions = json::Value::empty_object();
  if (!j.partitions.empty()) json::parse(j.partitions, partitions);
  int64_t skipped_total = 0;
  for (const auto& [reason, n] : j.skipped)
    skipped_total += n;
  json::ObjectBuilder b;
  b.set("id", j.id).set("environment_id", j.environment_id).set("state", std::string(to_string(j.state)));
  b.set("scope", s.scope).set("delivery_id", text_or_null(s.delivery_id));
  b.set("webhook_id", text_or_null(s.webhook_id)).set("filters", std::move(filters).build());
  b.set("source", s.source).set("include_new_endpoints", s.include_new_endpoints);
  b.set("rate_per_second", s.rate_per_second).set("selected", json::Value(j.selected));
  b.set("replayed", json::Value(j.replayed)).set("created", json::Value(j.created));
  b.set("skipped", std::move(skipped)).set("skipped_total", json::Value(skipped_total));
  b.set("processed", json::Value(j.replayed + skipped_total));
  if (s.source == "kafka") b.set("scanned", json::Value(j.scanned)).set("partitions", std::move(partitions));
  b.set("cancel_requested", j.cancel_requested).set("error", text_or_null(j.error));
  b.set("created_at", time_or_null(j.created_at)).set("started_at", time_or_null(j.started_at));
  b.set("updated_at", time_or_null(j.updated_at)).set("finished_at", time_or_null(j.finished_at));
  return std::move(b).build();
}

ReplayJobStore::ReplayJobStore(store::Store& store, std::chrono::seconds retention)
    : store_(store), retention_(retention) {}

awaitable<Status> ReplayJobStore::create(const ReplayJob& job) {
  std::string key = keys::replay_job(job.environment_id, job.id);
  std::string index = keys::replay_jobs(job.environment_id);
  RedisCommand hset{"HSET", key};
  add_spec(hset, job);
  add_fields(hset, job);
  int64_t ttl = retention_.count();
  // The index sorts by id (uuid v7: time-ordered); entries older than the retention point at expired jobs.
  std::string oldest = "(" + ids::uuid_v7(job.created_at - ttl * 1000);
  std::vector<RedisCommand> tx;
  tx.push_back(std::move(hset));
  tx.push_back(RedisCommand{"EXPIRE", key, ttl});
  tx.push_back(RedisCommand{"ZADD", index, 0, job.id});
  tx.push_back(RedisCommand{"ZREMRANGEBYLEX", index, "-", oldest});
  tx.push_back(RedisCommand{"EXPIRE", index, ttl});
  auto r = co_await store_.transaction(std::move(tx));
  if (!r.ok()) co_return r.error();
  RedisCommand lease{"ZADD", keys::replay_leases(), job.lease_until, job.environment_id + "/" + job.id};
  auto l = co_await store_.command(std::move(lease));
  if (!l.ok()) co_return l.error();
  co_return Status{};
}

awaitable<Result<ReplayJob>> ReplayJobStore::get(std::string_view env, std::string_view id) {
  auto r = co_await store_.command(RedisCommand{"HGETALL", keys::replay_job(env, id)});
  if (!r.ok()) co_return r.error();
  auto job = job_from_hash(*r);
  if (job.ok() && job->environment_id != env)
    co_return make_error(StoreErrc::not_found, "replay job not found");
  co_return job;
}

awaitable<Result<store::Page<ReplayJob>>> ReplayJobStore::list(std::string_view env, std::string_view cursor,
                                                               size_t limit) {
  std::string from = cursor.empty() ? std::string("+") : "(" + std::string(cursor);
  RedisCommand q{"ZREVRANGEBYLEX",           keys::replay_jobs(env), from, "-", "LIMIT", 0,
                 static_cast<int64_t>(limit)};
  auto ids = co_await store_.command(std::move(q));
  if (!ids.ok()) co_return ids.error();
  store::Page<ReplayJob> page;
  for (const auto& id : ids->elements()) {
    auto job = co_await get(env, id.str());
    if (job.ok())
      page.items.push_back(std::move(job).value());
    else if (job.error().code != StoreErrc::not_found)
      co_return job.error();
  }
  if (ids->size() == limit) page.next_cursor = ids->elements().back().str();
  co_return page;
}

awaitable<Result<WriteResult>> ReplayJobStore::write(const ReplayJob& job) {
  RedisCommand args{job.owner};
  add_fields(args, job);
  auto r = co_await store_.run(write_script(), RedisCommand{keys::replay_job(job.environment_id, job.id)},
                               std::move(args));
  if (!r.ok()) co_return r.error();
  std::string member = job.environment_id + "/" + job.id;
  // The lease set follows: renewed while running, left when finished (or lost to a sweeper).
  RedisCommand lease = r->integer() >= 0 && !finished(job.state)
                           ? RedisCommand{"ZADD", keys::replay_leases(), job.lease_until, member}
                           : RedisCommand{"ZREM", keys::replay_leases(), member};
  (void)co_await store_.command(std::move(lease));
  if (r->integer() < 0) co_return WriteResult::lost;
  co_return r->integer() == 1 ? WriteResult::cancel_requested : WriteResult::ok;
}

awaitable<Result<ReplayJob>> ReplayJobStore::request_cancel(std::string_view env, std::string_view id) {
  auto r = co_await store_.run(cancel_script(), RedisCommand{keys::replay_job(env, id)}, RedisCommand{});
  if (!r.ok()) co_return r.error();
  if (r->integer() == 0) co_return make_error(StoreErrc::not_found, "replay job not found");
  auto job = co_await get(env, id);
  if (job.ok() && r->integer() == 2) co_return make_error(StoreErrc::conflict, "the replay job has finished");
  co_return job;
}

awaitable<Result<size_t>> ReplayJobStore::fail_expired(int64_t now) {
  RedisCommand q{"ZRANGEBYSCORE",
                 keys::replay_leases(),
                 "-inf",
                 std::string("(") + std::to_string(now),
                 "LIMIT",
                 0,
                 100};
  auto due = co_await store_.command(std::move(q));
  if (!due.ok()) co_return due.error();
  size_t failed = 0;
  for (const auto& m : due->elements()) {
    std::string member(m.str());
    size_t slash = member.rfind('/');
    if (slash == std::string::npos) continue;
    std::string key = keys::replay_job(member.substr(0, slash), member.substr(slash + 1));
    auto r = co_await store_.run(expire_script(), RedisCommand{key}, RedisCommand{now, kLostReason});
    if (!r.ok()) co_return r.error();
    if (r->integer() == 1) ++failed;
    if (r->integer() != 0) (void)co_await store_.command(RedisCommand{"ZREM", keys::replay_leases(), member});
  }
  co_return failed;
}

}  // namespace hookd::admin
