#include "store/redis/batched_script.h"

#include <map>

#include "core/metrics.h"
#include "store/redis/error.h"

namespace hookd::store {

namespace {

// ARGV: the item count, then per item its key count, its argument count and its arguments; KEYS: every item's
// keys in order. Each item's body sees its own KEYS and ARGV as tables starting at 1.
std::string batch_source(const std::string& item_body) {
  return "local function item(KEYS, ARGV, batch)\n" + item_body +
         "\nend\n"
         "local batch, replies = {}, {}\n"
         "local all_keys, all_args = KEYS, ARGV\n"
         "local ki, ai = 0, 2\n"
         "for n = 1, tonumber(all_args[1]) do\n"
         "  local nk, na = tonumber(all_args[ai]), tonumber(all_args[ai + 1])\n"
         "  local k, a = {}, {}\n"
         "  for j = 1, nk do k[j] = all_keys[ki + j] end\n"
         "  for j = 1, na do a[j] = all_args[ai + 1 + j] end\n"
         "  ki, ai = ki + nk, ai + 2 + na\n"
         // An error an item raises (a failed redis.call) is that item's reply alone, as if it had run as a
         // script of its own: what it wrote before failing stays, as it would there, and the other items go on.
         "  local ok, r = pcall(item, k, a, batch)\n"
         "  if not ok then\n"
         "    if not (type(r) == 'table' and r.err) then r = redis.error_reply(tostring(r)) end\n"
         // A nil would end the reply array early (Lua tables stop at the first hole): it becomes a nil reply.
         "  elseif r == nil then r = false end\n"
         "  replies[n] = r\n"
         "end\n"
         // Work an item left for the end of the call (`batch.finally`, a function): once per call instead of
         // once per item. Its error fails no item (their writes are done); it is what it skipped that is lost.
         "if batch.finally then pcall(batch.finally) end\n"
         "return replies\n";
}

struct BatchStats {
  metrics::Counter& batches;
  metrics::Counter& items;
  metrics::Histogram& seconds;
};

BatchStats& stats_for(const std::string& name) {
  // One pair per script; scripts are static objects, so the map only grows to their number.
  static std::mutex mu;
  static std::map<std::string, BatchStats, std::less<>> by_name;
  std::lock_guard lock(mu);
  auto it = by_name.find(name);
  if (it != by_name.end()) return it->second;
  std::string label = "script=\"" + name + "\"";
  auto& r = metrics::registry();
  BatchStats s{
      r.counter("hookd_redis_batches_total", "Batched Redis script calls sent", label),
      r.counter("hookd_redis_batch_items_total", "Items carried by batched Redis script calls", label),
      // Sent -> answered (and replicated, for durable batches): how long an item waits once its call left;
      // with one call in flight per batcher, the next call's items wait about as long again.
      r.histogram("hookd_redis_batch_seconds", "Batched Redis script calls, sent to answered", label,
                  {0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 1})};
  return by_name.emplace(name, s).first->second;
}

}  // namespace

BatchedScript::BatchedScript(std::string name, std::string item_body)
    : name_(std::move(name)), script_(batch_source(item_body)) {}

std::shared_ptr<ScriptBatcher> ScriptBatcher::create(RedisClientPtr client, const BatchedScript& script,
                                                     size_t max_items, std::string replicated_key) {
  return std::shared_ptr<ScriptBatcher>(
      new ScriptBatcher(std::move(client), script, max_items, std::move(replicated_key)));
}

ScriptBatcher::ScriptBatcher(RedisClientPtr client, const BatchedScript& script, size_t max_items,
                             std::string replicated_key)
    : client_(std::move(client)),
      script_(script),
      max_items_(max_items ? max_items : 1),
      replicated_key_(client_->options().wait_replicas > 0 ? std::move(replicated_key) : std::string()) {}

void ScriptBatcher::enqueue(Item item) {
  Batch batch;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(item));
    if (in_flight_) return;  // goes with the next call, when the one in flight has finished
    in_flight_ = true;
    batch = take_batch();
  }
  send(std::move(batch));
}

ScriptBatcher::Batch ScriptBatcher::take_batch() {
  Batch batch;
  size_t n = std::min(queue_.size(), max_items_);
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void ScriptBatcher::send(Batch batch) {
  RedisCommand keys;
  RedisCommand args;
  args.arg(static_cast<int64_t>(batch.size()));
  for (const Item& item : batch) {
    keys.append(item.keys);
    args.arg(static_cast<int64_t>(item.keys.size()))
        .arg(static_cast<int64_t>(item.args.size()))
        .append(item.args);
  }
  BatchStats& stats = stats_for(script_.name());
  stats.batches.inc();
  stats.items.inc(batch.size());
  // The batch lives in the handler until its items are answered.
  auto pending = std::make_shared<Batch>(std::move(batch));
  script_.script().async_run(*client_, keys, args,
                             [self = shared_from_this(), pending, sent = std::chrono::steady_clock::now()](
                                 error_code ec, RedisReply reply) {
                               self->on_reply(std::move(pending), sent, ec, std::move(reply));
                             });
}

void ScriptBatcher::on_reply(std::shared_ptr<Batch> batch, std::chrono::steady_clock::time_point sent,
                             error_code ec, RedisReply reply) {
  auto observe = [&] {
    stats_for(script_.name())
        .seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
  };
  if (ec || reply.is_error() || replicated_key_.empty()) {
    observe();
    return finish(*batch, ec, std::move(reply));
  }
  // What the script wrote is not durable until a replica has it: a master that crashes now loses it.
  auto pending = std::make_shared<RedisReply>(std::move(reply));
  client_->async_wait_replicas(
      replicated_key_, [self = shared_from_this(), batch, pending, sent](error_code ec) {
        static metrics::Counter& short_waits = metrics::registry().counter(
            "hookd_redis_not_replicated_total",
            "Durable Redis writes that fewer replicas than HOOKD_REDIS_WAIT_REPLICAS "
            "confirmed in time (made again)");
        if (ec) short_waits.inc();
        stats_for(self->script_.name())
            .seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
        self->finish(*batch, ec, ec ? RedisReply{} : std::move(*pending));
      });
}

void ScriptBatcher::finish(Batch& batch, error_code ec, RedisReply reply) {
  if (!ec && !reply.is_error() && (!reply.is_array() || reply.size() != batch.size()))
    ec = RedisError::unexpected_reply;
  if (ec || reply.is_error()) {
    for (Item& item : batch)
      item.done->complete(ec, reply);
  } else {
    std::vector<RedisReply> replies = std::move(reply).take_elements();
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i].done->complete({}, std::move(replies[i]));
  }
  Batch next;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) {
      in_flight_ = false;
      return;
    }
    next = take_batch();
  }
  send(std::move(next));
}

}  // namespace hookd::store
