// Where and how to reach Redis. Parsed from `redis://[[user]:password@]host[:port][/db]` (one server) or
// `redis+cluster://[[user]:password@]host:port[,host:port...]` (Redis Cluster, through seed nodes), plus the
// timeouts and reconnect backoff that a URL cannot say.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/redis/errc.h"

namespace hookd::store {

struct RedisEndpoint {
  std::string host;
  uint16_t port = 6379;
  friend bool operator==(const RedisEndpoint&, const RedisEndpoint&) = default;
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string username;  // Redis 6 ACL user; empty means AUTH with the password alone
  std::string password;  // AUTH on every new connection when not empty
  int db = 0;            // SELECT on every new connection when not 0
  // CLIENT SETNAME on every new connection, so operators (and tests) can find it in CLIENT LIST. Empty: none.
  std::string client_name = "hookd";

  // Resolve + TCP connect + handshake. A failed or timed-out attempt is retried after a backoff.
  std::chrono::milliseconds connect_timeout{2000};
  // Longest wait for any reply. Blocking commands (BLPOP ...) must block for less than this.
  std::chrono::milliseconds command_timeout{2000};
  // After a working connection breaks, the first attempt is immediate; each failed attempt doubles the wait,
  // from reconnect_min up to reconnect_max.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  // Redis Cluster (redis+cluster://): the client learns the slot map from `seeds` and talks to every master
  // (cluster_router.h); host and port are the first seed. db is always 0 there.
  bool cluster = false;
  std::vector<RedisEndpoint> seeds;
  // How often the cluster client asks for the slot map when nothing is wrong (it also asks after a MOVED or a
  // lost master), and how soon it asks again while a master it routes to is unreachable (a failover).
  std::chrono::milliseconds cluster_refresh_interval{10000};
  std::chrono::milliseconds cluster_retry_interval{500};

  // Durable writes: the writes that take an event over from Kafka (its new deliveries, written before the
  // event's offset is committed) count as done only once `wait_replicas` replicas of their master have them
  // (Redis replicates asynchronously: a master that crashes loses what it had not yet sent). Fewer within
  // wait_timeout is a failure and the write is made again. 0: no wait (a single Redis without replicas).
  int wait_replicas = 0;
  std::chrono::milliseconds wait_timeout{1000};

  // Check every request's keys for Redis Cluster: one whose keys span slots is counted and logged (slots.h).
  bool slot_audit = false;

  // `base` with host, port, username, password and db taken from `url` (percent-escapes allowed in user and
  // password); the other fields are kept as they are in `base` (the defaults without one). A malformed URL is
  // RedisErrc::invalid_url; messages never contain the password.
  static Result<RedisOptions> from_url(std::string_view url, RedisOptions base);
  static Result<RedisOptions> from_url(std::string_view url);

  // "redis://host:port/db" (or "redis+cluster://host:port,host:port") without credentials, for logs.
  std::string redacted_url() const;
};

}  // namespace hookd::store
