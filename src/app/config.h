// The service's configuration, from environment variables (12-factor style; every one has a default that runs
// a single local node). `hookd --help` lists them.
#pragma once

#include <string>
#include <vector>

#include "admin/admin.h"
#include "admin/replay_runner.h"
#include "bus/consumer.h"
#include "bus/kafka.h"
#include "app/errc.h"
#include "core/result.h"
#include "dispatch/options.h"
#include "http/client/client.h"
#include "http/server.h"
#include "ingest/pipeline.h"
#include "store/redis/options.h"

namespace hookd::app {

struct Config {
  bool role_ingest = true;
  bool role_dispatch = true;
  bool role_admin = true;
  int threads = 0;  // 0: one per core
  std::string log_level = "info";
  // From SIGTERM to exit at the latest: in-flight work gets this long, then the process exits without it.
  std::chrono::milliseconds shutdown_timeout{20'000};
  http::ServerOptions server;
  store::RedisOptions redis;
  // Config records kept in memory by ingest and dispatch (store/config_cache.h); 0 turns the cache off.
  int config_cache_size = 100'000;
  bus::KafkaOptions kafka;
  int mock_brokers = 1;  // when kafka.brokers is empty
  // Below this many publishes in flight, ingest sends events at once (a second producer, linger 0); 0: never.
  int kafka_immediate_below = 4;
  // The dispatchers' consumer group (group_id, failover timeouts, static membership); max_in_flight is set
  // from the dispatch concurrency.
  bus::ConsumerOptions consumer;
  ingest::IngestOptions ingest;
  dispatch::DispatchOptions dispatch;
  http::ClientOptions client;
  admin::AdminOptions admin;
  admin::ReplayOptions replay;  // replay jobs (HOOKD_REPLAY_*); its kafka options are the service's
};

// Reads HOOKD_* variables through `getenv` (tests pass their own). Errors name the variable.
Result<Config> load_config(const std::function<const char*(const char*)>& getenv);

// "250ms", "5s", "2m", "1h", "3d" or plain milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

std::string config_help();

// A HOOKD_* name in `environment` ("NAME=value" entries, as `environ` holds them) that hookd does not read,
// with the setting it most likely meant ("" when none is close). Names that hookd's own tools read
// (tools/, tests, hookctl) are not reported.
struct UnknownVariable {
  std::string name;
  std::string did_you_mean;
};
std::vector<UnknownVariable> unknown_variables(const char* const* environment);

}  // namespace hookd::app
