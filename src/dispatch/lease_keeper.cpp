#include "dispatch/lease_keeper.h"

#include "core/clock.h"
#include "core/log.h"
#include "dispatch/dispatch_stats.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;

namespace keys = store::keys;

namespace {

// Extends the leases still held by their claims. Returns the ids it did not extend.
//   KEYS: schedule, then per delivery: delivery
//   ARGV: lease_until, then per delivery: id, claim (in the order of KEYS)
const store::RedisScript& renew_script() {
  static const store::RedisScript s(R"lua(
local lost = {}
for i = 2, #KEYS do
  local id, claim = ARGV[2 * i - 2], ARGV[2 * i - 1]
  if redis.call('HGET', KEYS[i], 'claim') == claim and redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], 'GT', ARGV[1], id)
  else
    lost[#lost + 1] = id
  end
end
return lost
)lua");
  return s;
}

// One script call renews at most this many (a node has at most max_concurrent_attempts in flight, 256 by
// default; more only when configured so).
constexpr size_t kRenewBatch = 1000;

metrics::Counter& renewed_total() {
  static metrics::Counter& c = metrics::registry().counter("hookd_dispatch_leases_renewed_total",
                                                           "Leases of in-flight attempts renewed.");
  return c;
}

metrics::Counter& lost_total() {
  static metrics::Counter& c = metrics::registry().counter(
      "hookd_dispatch_leases_lost_total",
      "In-flight attempts whose lease was found claimed by another dispatcher (it lapsed meanwhile).");
  return c;
}

}  // namespace

LeaseKeeper::LeaseKeeper(asio::any_io_executor ex, store::Store& store, std::chrono::milliseconds lease)
    : ex_(std::move(ex)), store_(store), lease_(lease) {}

LeaseKeeper::Hold::~Hold() {
  if (keeper_) keeper_->release(shard_, id_);
}

LeaseKeeper::Hold LeaseKeeper::hold(int shard, std::string delivery_id, std::string claim) {
  std::lock_guard lock(mutex_);
  held_[shard].insert_or_assign(delivery_id, std::move(claim));
  return Hold(this, shard, std::move(delivery_id));
}

void LeaseKeeper::release(int shard, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(shard);
  if (it == held_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) held_.erase(it);
}

size_t LeaseKeeper::held() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [shard, leases] : held_)
    n += leases.size();
  return n;
}

awaitable<Result<size_t>> LeaseKeeper::renew(int64_t now) {
  std::vector<std::pair<int, std::vector<std::pair<std::string, std::string>>>> shards;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [shard, leases] : held_)
      shards.emplace_back(shard,
                          std::vector<std::pair<std::string, std::string>>(leases.begin(), leases.end()));
  }
  size_t renewed = 0;
  for (const auto& [shard, leases] : shards) {
    auto r = co_await renew_shard(shard, leases, now);
    if (!r.ok()) co_return r.error();
    renewed += *r;
  }
  renewed_total().inc(renewed);
  co_return renewed;
}

awaitable<Result<size_t>> LeaseKeeper::renew_shard(
    int shard, const std::vector<std::pair<std::string, std::string>>& leases, int64_t now) {
  size_t renewed = 0;
  for (size_t start = 0; start < leases.size(); start += kRenewBatch) {
    size_t end = std::min(leases.size(), start + kRenewBatch);
    RedisCommand script_keys{keys::schedule(shard)};
    RedisCommand args{now + lease_.count()};
    for (size_t i = start; i < end; ++i) {
      script_keys.arg(keys::delivery(shard, leases[i].first));
      args.arg(leases[i].first);
      args.arg(leases[i].second);
    }
    auto r = co_await store_.run(renew_script(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    size_t lost = 0;
    {
      std::lock_guard lock(mutex_);
      // Not renewed because the attempt finished meanwhile (its record cleared the claim) is no loss.
      auto held = held_.find(shard);
      for (const auto& e : r->elements()) {
        if (held == held_.end() || !held->second.contains(std::string(e.str()))) continue;
        ++lost;
        log::warn("dispatch.lease_lost", {{"delivery_id", std::string(e.str())}});
      }
    }
    lost_total().inc(lost);
    renewed += (end - start) - r->elements().size();
  }
  co_return renewed;
}

awaitable<void> LeaseKeeper::run(const std::atomic<bool>& stopping) {
  asio::steady_timer timer(ex_);
  // A stopping dispatcher lets its attempts in flight finish: their leases are kept until they have.
  while (!stopping || held() > 0) {
    timer.expires_after(period());
    error_code ec;
    co_await timer.async_wait(redirect(ec));
    if (held() == 0) continue;
    auto renewed = co_await renew(clock::now_millis());
    if (!renewed.ok()) log::warn("dispatch.lease_renewal_failed", {{"error", renewed.error().message}});
  }
}

}  // namespace hookd::dispatch
