// The deliveries this node is attempting, and the loop that keeps their leases.
//
// A claim leases a delivery for DispatchOptions::lease (10 s by default): its schedule entry's score is the
// lease's end, and another dispatcher takes it once that passes. While the attempt is in flight this node
// renews the lease every lease/3, for all its attempts in one script call. So a slow endpoint (up to the
// delivery timeout, which may be longer than the lease) never loses its delivery to a second claimer, and a
// dispatcher that dies (kill -9, a lost machine) gives its deliveries up within one lease instead of one
// delivery timeout plus a margin. A renewal extends only a lease that is still this claim's: one that lapsed
// while Redis was away and was claimed by another node stays the other's (the record script refuses our late
// result the same way).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.h"

namespace hookd::dispatch {

class LeaseKeeper {
 public:
  LeaseKeeper(asio::any_io_executor ex, store::Store& store, std::chrono::milliseconds lease);

  // Held while an attempt is in flight: the lease is renewed until it is destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept : keeper_(other.keeper_), shard_(other.shard_), id_(std::move(other.id_)) {
      other.keeper_ = nullptr;
    }
    Hold& operator=(Hold&&) = delete;
    ~Hold();

   private:
    friend class LeaseKeeper;
    Hold(LeaseKeeper* keeper, int shard, std::string id)
        : keeper_(keeper), shard_(shard), id_(std::move(id)) {}
    LeaseKeeper* keeper_ = nullptr;
    int shard_ = 0;
    std::string id_;
  };
  // `shard`: the delivery shard (store/keys.h) the delivery is in.
  Hold hold(int shard, std::string delivery_id, std::string claim);

  // One renewal round at `now`: every held lease still ours runs until now + lease, one script call per
  // delivery shard (a shard's schedule and deliveries share a Redis Cluster slot). Returns how many were
  // renewed; those not (claimed by another node, or finished meanwhile) are counted in
  // hookd_dispatch_leases_lost_total when they were not finished.
  awaitable<Result<size_t>> renew(int64_t now);
  // Renews every period() until `stopping` and nothing is held; a failed round (Redis away) is logged and
  // the next one tries again.
  awaitable<void> run(const std::atomic<bool>& stopping);
  std::chrono::milliseconds period() const noexcept { return lease_ / 3; }
  size_t held() const;

 private:
  void release(int shard, const std::string& id);
  awaitable<Result<size_t>> renew_shard(int shard,
                                        const std::vector<std::pair<std::string, std::string>>& leases,
                                        int64_t now);

  asio::any_io_executor ex_;
  store::Store& store_;
  std::chrono::milliseconds lease_;
  mutable std::mutex mutex_;
  // delivery shard -> delivery id -> claim
  std::map<int, std::unordered_map<std::string, std::string>> held_;
};

}  // namespace hookd::dispatch
