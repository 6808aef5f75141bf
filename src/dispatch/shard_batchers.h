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
  enum class Durability { master, replicated };
  // `replicated`: each call completes only once HOOKD_REDIS_WAIT_REPLICAS replicas have its writes (the
  // batcher WAITs on the shard's node, batched_script.h).
  ShardBatchers(const store::RedisClientPtr& client, const store::BatchedScript& script,
                Durability durability = Durability::master) {
    batchers_.reserve(store::keys::kDeliveryShards);
    for (int s = 0; s < store::keys::kDeliveryShards; ++s)
      batchers_.push_back(store::ScriptBatcher::create(
          client, script, store::ScriptBatcher::default_max_items,
          durability == Durability::replicated ? store::keys::schedule(s) : std::string()));
  }
  store::ScriptBatcher& operator[](int shard) const { return *batchers_.at(static_cast<size_t>(shard)); }

 private:
  std::vector<std::shared_ptr<store::ScriptBatcher>> batchers_;
};

}  // namespace hookd::dispatch
