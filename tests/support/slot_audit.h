// The Redis Cluster oracle of in-process tests. A Redis Cluster runs a script, a transaction or a multi-key
// command only if all its keys are in one slot; a Redis client with RedisOptions::slot_audit checks every
// request before sending it and counts those that span slots in hookd_redis_cross_slot_total (and logs the
// keys as redis.cross_slot). A SlotAudit remembers the count when it is made and fails the running test if it
// grew by the time check() runs (or it is destroyed): every Redis-backed test proves that what it exercised
// would run on a cluster. Header-only, for tests that link hookd_store.
#pragma once

#include <cstdint>

#include <gtest/gtest.h>

#include "core/metrics.h"
#include "store/redis/options.h"

namespace hookd::test {

class SlotAudit {
 public:
  SlotAudit() : before_(counter().value()) {}
  SlotAudit(const SlotAudit&) = delete;
  SlotAudit& operator=(const SlotAudit&) = delete;
  ~SlotAudit() { check(); }

  // Requests that spanned slots since this audit began (or since the last check).
  uint64_t cross_slot() const { return counter().value() - before_; }
  void check() {
    if (uint64_t n = cross_slot(); n > 0)
      ADD_FAILURE() << n << " Redis request(s) spanned Redis Cluster slots (hookd_redis_cross_slot_total); "
                    << "their keys are in the redis.cross_slot log lines above";
    before_ = counter().value();
  }

  // The options with the audit on.
  static store::RedisOptions on(store::RedisOptions options) {
    options.slot_audit = true;
    return options;
  }

 private:
  // The client's counter (the registry returns the one registered under this name).
  static metrics::Counter& counter() {
    return metrics::registry().counter(
        "hookd_redis_cross_slot_total",
        "Scripts and transactions whose keys span Redis Cluster slots (with HOOKD_REDIS_SLOT_AUDIT).");
  }

  uint64_t before_;
};

}  // namespace hookd::test
