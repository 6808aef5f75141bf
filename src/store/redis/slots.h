// Redis Cluster's key slots: which of the 16,384 slots a key lives in (CRC16 of the key, or of its hash tag:
// the text between the first `{` and the next `}` when that is not empty), and the keys a command names.
//
// hookd runs on one Redis today. These are the measuring stick for Redis Cluster: a script or transaction can
// run on a cluster only if every key it names is in one slot. With RedisOptions::slot_audit (HOOKD_REDIS_SLOT_AUDIT)
// every request is checked before it is sent, and one that spans slots is counted in
// hookd_redis_cross_slot_total and logged (redis.cross_slot, with two of its keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/redis/command.h"

namespace hookd::store {

inline constexpr uint16_t kClusterSlots = 16384;

// CRC16-CCITT (XMODEM), as Redis Cluster computes it.
uint16_t crc16(std::string_view bytes) noexcept;
// The part of `key` that decides its slot: the hash tag when there is one, else the whole key.
std::string_view hash_tag(std::string_view key) noexcept;
uint16_t key_slot(std::string_view key) noexcept;

// The arguments of a command as sent (name first).
std::vector<std::string_view> command_args(const RedisCommand& command);
// The keys a command names: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO/FCALL their declared keys; DEL, UNLINK, EXISTS,
// TOUCH, MGET, WATCH every argument; MSET/MSETNX every other one; commands without keys (PING, SCRIPT, INFO,
// CONFIG, CLIENT, CLUSTER, MULTI, EXEC, ...) none; any other command its first argument.
std::vector<std::string_view> command_keys(const RedisCommand& command);

// Two keys of `commands` (taken together, as a transaction is) that are in different slots, if there are.
struct CrossSlot {
  std::string_view first;
  std::string_view second;
};
std::optional<CrossSlot> cross_slot(const std::vector<RedisCommand>& commands);

}  // namespace hookd::store
