// One ScriptBatcher per delivery shard (store/keys.h). The items of one batched call are one script, and under
// Redis Cluster a script's keys must share a slot: items of different environments may be in different
// shards, so each shard gathers its own calls.
#pragma once

#include <memory>
#include <vector>

#include "store/keys.h"
#include "store/redis/batched_script.h"

namespace hookd::dispatch {

class ShardBatchers {
 public:
  ShardBatchers(const store::RedisClientPtr& client, const store::BatchedScript& script) {
    batchers_.reserve(store::keys::kDeliveryShards);
    for (int s = 0; s < store::keys::kDeliveryShards; ++s)
      batchers_.push_back(store::ScriptBatcher::create(client, script));
  }
  store::ScriptBatcher& operator[](int shard) const { return *batchers_.at(static_cast<size_t>(shard)); }

 private:
  std::vector<std::shared_ptr<store::ScriptBatcher>> batchers_;
};

}  // namespace hookd::dispatch
