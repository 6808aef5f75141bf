// Redis Cluster's slot map as a client needs it: which master serves each of the 16,384 slots (from CLUSTER
// SLOTS), and where a MOVED or ASK redirection points.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/redis/options.h"
#include "store/redis/reply.h"

namespace hookd::store::detail {

struct SlotRange {
  uint16_t first = 0;
  uint16_t last = 0;  // inclusive, as CLUSTER SLOTS says it
  RedisEndpoint master;
};

struct SlotMap {
  std::vector<SlotRange> ranges;

  // The reply to CLUSTER SLOTS sent to `asked`: [[first, last, [ip, port, id, ...], replica...], ...]. A node
  // that does not know its own address announces "" (or "?"): that is `asked`'s host. Null, with `error` set,
  // for anything else.
  static std::optional<SlotMap> parse(const RedisReply& reply, const RedisEndpoint& asked,
                                      std::string* error);

  // Slots with no master: 0 when the cluster serves every slot.
  size_t uncovered() const;
  // Every master once, in the order of their first range.
  std::vector<RedisEndpoint> masters() const;
};

// "host:port" ("[::1]:port" for IPv6): what nodes are known by.
std::string endpoint_name(const RedisEndpoint& endpoint);

struct Redirect {
  enum class Kind : uint8_t { moved, ask } kind;
  uint16_t slot;
  RedisEndpoint target;
};

// `-MOVED 3999 127.0.0.1:6381` or `-ASK 3999 127.0.0.1:6381`; an empty host (Redis 7 announcing
// `:6381`) is `from`'s host. Null for any other reply.
std::optional<Redirect> parse_redirect(const RedisReply& reply, const RedisEndpoint& from);

}  // namespace hookd::store::detail
