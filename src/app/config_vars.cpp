// What hookd reads from its environment: every variable with its help (for --help, and so the README's list
// cannot drift from the code), and the HOOKD_ variables set that hookd does not know (a typo warned about at
// start). Reading and checking the values is config.cpp's.
#include <algorithm>
#include <string>
#include <string_view>

#include "app/config.h"

namespace hookd::app {

namespace {

struct Var {
  const char* name;
  const char* help;
};

// Every variable, for --help (and so the list in the README cannot drift from the code).
constexpr Var kVars[] = {
    {"HOOKD_ROLES", "comma list of ingest, dispatch, admin (default: all three)"},
    {"HOOKD_LISTEN", "address:port to listen on (default 0.0.0.0:8080)"},
    {"HOOKD_THREADS", "I/O threads (default: one per core)"},
    {"HOOKD_LOG_LEVEL", "debug | info | warn | error (default info)"},
    {"HOOKD_SHUTDOWN_TIMEOUT",
     "on SIGTERM, how long in-flight work may take before the process exits without it (default 20s)"},
    {"HOOKD_BODY_LIMIT", "largest request body in bytes (default 1048576); larger gets 413"},
    {"HOOKD_HEADER_LIMIT", "largest request header block in bytes (default 16384); larger gets 431"},
    {"HOOKD_READ_TIMEOUT", "time to receive a whole request (default 30s)"},
    {"HOOKD_IDLE_TIMEOUT", "keep-alive idle time (default 75s)"},
    {"HOOKD_MAX_CONNECTIONS", "open connections before new ones get 503 (default 10000)"},
    {"HOOKD_REDIS_URL",
     "redis://[:password@]host:port[/db] (default redis://127.0.0.1:6379), or "
     "redis+cluster://[user:password@]host:port[,host:port...] for Redis Cluster"},
    {"HOOKD_REDIS_TIMEOUT", "per-command timeout (default 2s)"},
    {"HOOKD_REDIS_WAIT_REPLICAS",
     "new deliveries count as stored only once this many replicas of their Redis master have them (Redis "
     "WAIT; "
     "default 0: the master's reply is enough). Set 1 on a Redis Cluster or a replicated Redis: Redis "
     "replicates "
     "asynchronously, and a master that crashes loses what it had not yet sent"},
    {"HOOKD_REDIS_WAIT_TIMEOUT",
     "how long a write waits for those replicas before it counts as failed and is made again (default 1s; "
     "less "
     "than HOOKD_REDIS_TIMEOUT)"},
    {"HOOKD_REDIS_SLOT_AUDIT",
     "true: count and log scripts and transactions whose keys span Redis Cluster slots (default false)"},
    {"HOOKD_CONFIG_CACHE_SIZE",
     "config records (accounts, installs, integrations, environments, endpoints) ingest and dispatch keep in "
     "memory, kept current through Redis pub/sub (default 100000; 0: read Redis every time)"},
    {"HOOKD_KAFKA_BROKERS", "bootstrap servers; empty: librdkafka's in-process mock cluster (development)"},
    {"HOOKD_KAFKA_TOPIC", "event topic (default hookd.events)"},
    {"HOOKD_KAFKA_GROUP", "consumer group of the dispatchers (default hookd-dispatch)"},
    {"HOOKD_KAFKA_GROUP_INSTANCE_ID",
     "static group membership: a stable id per dispatcher instance (e.g. the pod name of a StatefulSet), so "
     "a "
     "restarted instance takes its partitions back at once (default: none, dynamic membership)"},
    {"HOOKD_KAFKA_SESSION_TIMEOUT",
     "a dispatcher silent this long loses its partitions to the others (default 6s; the broker's "
     "group.min.session.timeout.ms, 6s by default, is the least)"},
    {"HOOKD_KAFKA_HEARTBEAT_INTERVAL", "consumer heartbeats (default 2s)"},
    {"HOOKD_KAFKA_ASSIGNMENT", "partition assignment: cooperative-sticky (default), range or roundrobin"},
    {"HOOKD_KAFKA_PUBLISH_TIMEOUT",
     "how long ingest waits for the broker's ack before answering 503 (default 5s)"},
    {"HOOKD_KAFKA_LINGER",
     "how long the producer waits to batch events before sending them to Kafka (linger.ms; default 1ms)"},
    {"HOOKD_KAFKA_IMMEDIATE_BELOW",
     "while fewer vendor requests than this wait for Kafka, their events are sent at once, not batched "
     "(default 4; 0: always batch)"},
    {"HOOKD_KAFKA_PROPERTIES", "extra librdkafka properties, k=v;k=v"},
    {"HOOKD_KAFKA_MAX_MESSAGE_BYTES",
     "largest event record (default 1000000, under the broker's default topic limit); a vendor request whose "
     "event is larger gets 413"},
    {"HOOKD_MAX_EVENTS_PER_REQUEST", "most events one vendor request may make (default 1000); more gets 413"},
    {"HOOKD_MOCK_BROKERS", "brokers in the mock cluster (default 1)"},
    {"HOOKD_INGEST_DEDUPE_WINDOW",
     "how long a vendor delivery id (webhook.delivery_id) is remembered once published, when the integration "
     "sets no dedupe_window_seconds (default 24h, 1m to 30d)"},
    {"HOOKD_INBOUND_RETENTION",
     "how long inbound request records (GET /inbound, /lineage) are kept (default 7d)"},
    {"HOOKD_INBOUND_RECORDS",
     "which vendor requests get an inbound record: all (default), not_accepted (refusals, duplicates, "
     "handshakes), none"},
    {"HOOKD_INBOUND_MAX_PER_ACCOUNT",
     "inbound request records kept per account, newest first (default 1000)"},
    {"HOOKD_OPERATOR_TOKEN",
     "bearer token for operator routes (environments, tokens, catalog); empty: closed"},
    {"HOOKD_MAX_FORM_FIELDS",
     "most fields a form-encoded vendor body may have (default 10000); more gets 413"},
    {"HOOKD_TEST_MODE",
     "true: test mode, never in production: signature checks may take their clock from HOOKD_TEST_CLOCK or a "
     "request's X-Hookd-Test-Clock header (logged as a warning at start)"},
    {"HOOKD_TEST_CLOCK",
     "test mode only: the time signature checks use, Unix seconds or ISO 8601 (default: the real clock)"},
    {"HOOKD_JSONATA_TIMEOUT", "wall-time limit of one JSONata evaluation (default 100ms)"},
    {"HOOKD_JSONATA_MAX_DEPTH", "evaluation depth limit (default 1000)"},
    {"HOOKD_RETRY_SCHEDULE", "waits between delivery attempts, e.g. 5s,30s,2m,10m (the last repeats)"},
    {"HOOKD_MAX_ATTEMPTS", "attempts per delivery before it is dead-lettered (default 11)"},
    {"HOOKD_RETRY_JITTER", "fraction each wait varies by, 0..1 (default 0.2)"},
    {"HOOKD_RETRY_THROTTLED_FACTOR",
     "a 429 or a timeout waits this many times the retry schedule's delay (default 3)"},
    {"HOOKD_RETRY_AFTER_MAX",
     "the longest an endpoint's Retry-After may hold its next attempt back (default 1h)"},
    {"HOOKD_DISABLE_ON_GONE", "a 410 Gone disables the endpoint at once (default true)"},
    {"HOOKD_DISPATCH_CONCURRENCY", "delivery attempts in flight per node (default 256)"},
    {"HOOKD_ENDPOINT_CONCURRENCY_MAX",
     "most attempts in flight to one endpoint per node (default: HOOKD_DISPATCH_CONCURRENCY)"},
    {"HOOKD_ENDPOINT_CONCURRENCY_INITIAL",
     "an endpoint's starting concurrency per node, adapted to its errors and latency (default 16)"},
    {"HOOKD_ENDPOINT_LATENCY_TARGET", "an endpoint answering slower than this is congested (default 5s)"},
    {"HOOKD_ORDERING_MAX_WAITING",
     "deliveries of an ordered endpoint that may wait behind a failing one of the same account before it is "
     "let go "
     "out of order (default 1000)"},
    {"HOOKD_BREAKER_FAILURES", "consecutive failures that open an endpoint's circuit breaker (default 20)"},
    {"HOOKD_BREAKER_COOLDOWN", "how long an open breaker holds attempts back before a probe (default 5s)"},
    {"HOOKD_BREAKER_COOLDOWN_MAX", "the longest cooldown, doubling while probes fail (default 5m)"},
    {"HOOKD_RETRY_BUDGET_INITIAL",
     "retries per second an endpoint gets across the fleet at first (default 10)"},
    {"HOOKD_RETRY_BUDGET_MIN", "and at least, however often it fails (default 1)"},
    {"HOOKD_RETRY_BUDGET_MAX", "and at most, however well it does (default 10000)"},
    {"HOOKD_RETRY_BUDGET_INCREASE", "retries per second added per successful retry (default 0.5)"},
    {"HOOKD_DISPATCH_RECORD_BEFORE_SEND",
     "create each new delivery before its first attempt, so the admin API lists it while it is in flight "
     "(default false: sent first, recorded with its outcome in one Redis call)"},
    {"HOOKD_DISPATCH_RETRY_SHARE",
     "share of those attempt slots kept for retries and replays, which new events may not take (default "
     "0.25)"},
    {"HOOKD_CLIENT_MAX_IDLE_PER_ORIGIN",
     "kept-alive idle connections per endpoint origin (default: HOOKD_DISPATCH_CONCURRENCY)"},
    {"HOOKD_CLIENT_MAX_IDLE",
     "kept-alive idle connections in all (default: the larger of 1024 and twice the above)"},
    {"HOOKD_DISPATCH_POLL", "how often due retries are looked for (default 250ms)"},
    {"HOOKD_DELIVERY_TIMEOUT", "time for a customer's endpoint to answer (default 10s)"},
    {"HOOKD_CONNECT_TIMEOUT", "TCP connect timeout for deliveries (default 5s)"},
    {"HOOKD_LEASE",
     "how long a claimed delivery is reserved for its dispatcher, renewed while its attempt is in flight "
     "(default 10s)"},
    {"HOOKD_DISABLE_AFTER", "failing time after which an endpoint is disabled (default 72h)"},
    {"HOOKD_DISABLE_AFTER_FAILURES", "and at least this many consecutive failures (default 50)"},
    {"HOOKD_EVENT_RETENTION", "how long events and deliveries are kept for replay (default 14d)"},
    {"HOOKD_PAUSED_MAX_PER_ENDPOINT",
     "deliveries kept paused per disabled endpoint; newer events over it are counted, not recorded (default "
     "10000)"},
    {"HOOKD_ALLOW_TARGETS", "comma list of hosts, IPs or CIDRs endpoints may use despite the SSRF policy"},
    {"HOOKD_ALLOW_HTTP", "true: plain http to any allowed host (default: only to allowlisted hosts)"},
    {"HOOKD_EXTRA_CA_FILE", "PEM file of an extra CA to trust for deliveries"},
    {"HOOKD_SECRET_ROTATION_OVERLAP", "how long a rotated-out endpoint secret keeps signing (default 24h)"},
    {"HOOKD_ADMIN_RATE_LIMIT",
     "admin requests per second per token on a node, bursts of twice that (100; 0: none)"},
    {"HOOKD_REPLAY_DEFAULT_RATE",
     "items per second of a replay job that names no rate_per_second (default 50)"},
    {"HOOKD_REPLAY_MAX_RATE", "the highest rate_per_second a replay job may ask for (default 500)"},
    {"HOOKD_REPLAY_LEASE",
     "a replay job not renewed for this long (its admin node died) is failed (default 30s)"},
    {"HOOKD_REPLAY_RETENTION", "how long finished replay jobs stay readable (default 7d)"},
    {"HOOKD_REPLAY_COMPAT_WAIT",
     "how long the older replay routes wait for their job to finish (default 10s)"},
    {"HOOKD_PUBLIC_URL",
     "public base URL vendors call, e.g. https://hooks.example.com or https://example.com/hookd: the payload "
     "context's `url` is it + the request target (default: none)"},
    {"HOOKD_TRUSTED_PROXIES",
     "comma list of proxy IPs/CIDRs whose X-Forwarded-Proto and X-Forwarded-Host build `url` when "
     "HOOKD_PUBLIC_URL is unset (default: none)"},
};

}  // namespace

std::string config_help() {
  std::string out = "hookd: webhook ingest and delivery service\n\nConfiguration (environment variables):\n";
  for (const auto& v : kVars) {
    out += "  ";
    out += v.name;
    out.append(v.name[0] ? 32 - std::min<size_t>(31, std::string_view(v.name).size()) : 0, ' ');
    out += v.help;
    out += '\n';
  }
  return out;
}

namespace {

// Read by tools/, the tests and hookctl, never by the service: present in a developer's shell, not mistakes.
constexpr std::string_view kToolPrefixes[] = {"HOOKD_TEST_",      "HOOKD_BENCH_", "HOOKD_RUN_",
                                              "HOOKD_SINK_",      "HOOKD_BUILD_", "HOOKD_REDIS_START",
                                              "HOOKD_KAFKA_START"};
constexpr std::string_view kToolNames[] = {
    "HOOKD_STATE_DIR",
    "HOOKD_JSONATA_SUITE",
    "HOOKD_JSONATA_SUITE_DEFAULT",
    "HOOKD_JSONATA_KNOWN_FAILURES",
    "HOOKD_CACHE",
    "HOOKD_SHARED_DIR",
    "HOOKD_SOURCE_DIR",
    "HOOKD_BINARY_PATH",
    "HOOKD_PORT",
    "HOOKD_TOKEN",
    "HOOKD_URL",
    "HOOKD_REDIS_PORT",
    "HOOKD_KAFKA_PORT",
    "HOOKD_KAFKA_VERSION",
    "HOOKD_KAFKA_JAVA_OPTS",
    "HOOKD_SANITIZE",
    "HOOKD_WERROR",
    "HOOKD_FORMAT_TEST_DATA",
    "HOOKD_TRUTO_TEST_DATA",
};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool read_by_tools(std::string_view name) {
  for (auto prefix : kToolPrefixes)
    if (name.substr(0, prefix.size()) == prefix) return true;
  return std::find(std::begin(kToolNames), std::end(kToolNames), name) != std::end(kToolNames);
}

}  // namespace

std::vector<UnknownVariable> unknown_variables(const char* const* environment) {
  std::vector<UnknownVariable> out;
  for (; environment && *environment; ++environment) {
    std::string_view entry(*environment);
    std::string_view name = entry.substr(0, entry.find('='));
    if (name.substr(0, 6) != "HOOKD_") continue;
    bool known = false;
    std::string_view closest;
    size_t best = 4;  // at most three edits away to be suggested
    for (const auto& v : kVars) {
      std::string_view known_name(v.name);
      if (known_name.empty()) continue;
      if (known_name == name) {
        known = true;
        break;
      }
      if (size_t d = edit_distance(name, known_name); d < best) {
        best = d;
        closest = known_name;
      }
    }
    if (!known && !read_by_tools(name)) out.push_back({std::string(name), std::string(closest)});
  }
  return out;
}

}  // namespace hookd::app
