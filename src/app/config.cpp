#include "app/config.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "core/clock.h"
#include "ingest/request_url.h"

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

template <typename T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t p = s.find(sep);
    std::string_view item = s.substr(0, p);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    s = p == std::string_view::npos ? std::string_view() : s.substr(p + 1);
  }
  return out;
}

Error bad(const char* var, std::string_view problem) {
  return make_error(AppErrc::invalid_config, std::string(var) + ": " + std::string(problem));
}

// A module's validation error, renamed for the operator: the variable that sets the member it names.
Status named(Status s, std::initializer_list<std::pair<std::string_view, const char*>> variables) {
  if (s.ok()) return s;
  for (const auto& [field, variable] : variables)
    if (s.error().field == field) return bad(variable, s.error().message);
  return bad("configuration", s.error().field + ": " + s.error().message);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t unit_at = 0;
  while (unit_at < text.size() && ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.'))
    ++unit_at;
  auto value = parse_number<double>(text.substr(0, unit_at));
  if (!value || *value < 0) return std::nullopt;
  std::string_view unit = text.substr(unit_at);
  double ms;
  if (unit.empty() || unit == "ms")
    ms = *value;
  else if (unit == "s")
    ms = *value * 1000;
  else if (unit == "m")
    ms = *value * 60'000;
  else if (unit == "h")
    ms = *value * 3'600'000;
  else if (unit == "d")
    ms = *value * 86'400'000;
  else
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

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

Result<Config> load_config(const std::function<const char*(const char*)>& getenv) {
  Config c;
  c.client.request_timeout = std::chrono::seconds(10);  // tighter than the pool's generic default
  c.client.user_agent = "hookd/0.1";
  auto get = [&](const char* name) -> std::optional<std::string_view> {
    const char* v = getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string_view(v);
  };
  auto duration = [&](const char* name, auto& out) -> Status {
    if (auto v = get(name)) {
      auto d = parse_duration(*v);
      if (!d) return bad(name, "not a duration (e.g. 500ms, 5s, 2m, 1h, 3d)");
      out = std::chrono::duration_cast<std::remove_reference_t<decltype(out)>>(*d);
    }
    return {};
  };
  auto real = [&](const char* name, double& out) -> Status {
    if (auto v = get(name)) {
      auto n = parse_number<double>(*v);
      if (!n || !(*n >= 0)) return bad(name, "must be a number, 0 or more");
      out = *n;
    }
    return {};
  };
  auto integer = [&](const char* name, auto& out, long long min, long long max) -> Status {
    if (auto v = get(name)) {
      auto n = parse_number<long long>(*v);
      if (!n || *n < min || *n > max)
        return bad(name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      out = static_cast<std::remove_reference_t<decltype(out)>>(*n);
    }
    return {};
  };
#define HOOKD_TRY(expr)              \
  do {                               \
    Status s_ = (expr);              \
    if (!s_.ok()) return s_.error(); \
  } while (0)

  if (auto v = get("HOOKD_ROLES")) {
    c.role_ingest = c.role_dispatch = c.role_admin = false;
    for (auto role : split(*v, ',')) {
      if (role == "ingest")
        c.role_ingest = true;
      else if (role == "dispatch")
        c.role_dispatch = true;
      else if (role == "admin")
        c.role_admin = true;
      else
        return bad("HOOKD_ROLES", "unknown role '" + std::string(role) + "' (ingest, dispatch, admin)");
    }
  }
  if (auto v = get("HOOKD_LISTEN")) {
    size_t colon = v->rfind(':');
    auto port = colon == std::string_view::npos ? std::nullopt : parse_number<uint16_t>(v->substr(colon + 1));
    if (!port) return bad("HOOKD_LISTEN", "must be address:port, e.g. 0.0.0.0:8080");
    c.server.address = std::string(v->substr(0, colon));
    if (c.server.address.size() > 2 && c.server.address.front() == '[')
      c.server.address = c.server.address.substr(1, c.server.address.size() - 2);
    c.server.port = *port;
  }
  HOOKD_TRY(integer("HOOKD_THREADS", c.threads, 0, 256));
  if (auto v = get("HOOKD_LOG_LEVEL")) {
    if (*v != "debug" && *v != "info" && *v != "warn" && *v != "error" && *v != "off")
      return bad("HOOKD_LOG_LEVEL",
                 "must be one of debug, info, warn, error, off (got '" + std::string(*v) + "')");
    c.log_level = std::string(*v);
  }
  HOOKD_TRY(duration("HOOKD_SHUTDOWN_TIMEOUT", c.shutdown_timeout));
  HOOKD_TRY(integer("HOOKD_BODY_LIMIT", c.server.body_limit, 1, 1LL << 30));
  HOOKD_TRY(integer("HOOKD_HEADER_LIMIT", c.server.header_limit, 1024, 1 << 20));
  HOOKD_TRY(duration("HOOKD_READ_TIMEOUT", c.server.read_timeout));
  HOOKD_TRY(duration("HOOKD_IDLE_TIMEOUT", c.server.idle_timeout));
  HOOKD_TRY(integer("HOOKD_MAX_CONNECTIONS", c.server.max_connections, 1, 1'000'000));

  auto redis =
      store::RedisOptions::from_url(get("HOOKD_REDIS_URL").value_or("redis://127.0.0.1:6379"), c.redis);
  if (!redis.ok()) return bad("HOOKD_REDIS_URL", redis.error().message);
  c.redis = std::move(redis).value();
  c.redis.client_name = "hookd";
  HOOKD_TRY(duration("HOOKD_REDIS_TIMEOUT", c.redis.command_timeout));
  HOOKD_TRY(integer("HOOKD_REDIS_WAIT_REPLICAS", c.redis.wait_replicas, 0, 16));
  HOOKD_TRY(duration("HOOKD_REDIS_WAIT_TIMEOUT", c.redis.wait_timeout));
  // WAIT with 0 ms blocks for ever.
  if (c.redis.wait_timeout.count() <= 0 || c.redis.wait_timeout >= c.redis.command_timeout)
    return bad("HOOKD_REDIS_WAIT_TIMEOUT",
               "must be more than 0 and less than HOOKD_REDIS_TIMEOUT (a WAIT holds its connection; the "
               "command timeout would drop it first)");
  if (auto v = get("HOOKD_REDIS_SLOT_AUDIT")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_REDIS_SLOT_AUDIT", "must be true or false (got '" + std::string(*v) + "')");
    c.redis.slot_audit = *v == "true";
  }

  if (auto v = get("HOOKD_KAFKA_BROKERS")) c.kafka.brokers = std::string(*v);
  if (auto v = get("HOOKD_KAFKA_TOPIC")) c.kafka.topic = std::string(*v);
  if (auto v = get("HOOKD_KAFKA_GROUP")) c.consumer.group_id = std::string(*v);
  if (auto v = get("HOOKD_KAFKA_GROUP_INSTANCE_ID")) c.consumer.group_instance_id = std::string(*v);
  HOOKD_TRY(duration("HOOKD_KAFKA_SESSION_TIMEOUT", c.consumer.session_timeout));
  HOOKD_TRY(duration("HOOKD_KAFKA_HEARTBEAT_INTERVAL", c.consumer.heartbeat_interval));
  if (c.consumer.heartbeat_interval >= c.consumer.session_timeout)
    return bad("HOOKD_KAFKA_HEARTBEAT_INTERVAL", "must be shorter than HOOKD_KAFKA_SESSION_TIMEOUT");
  if (auto v = get("HOOKD_KAFKA_ASSIGNMENT")) {
    if (*v != "cooperative-sticky" && *v != "range" && *v != "roundrobin")
      return bad("HOOKD_KAFKA_ASSIGNMENT", "must be cooperative-sticky, range or roundrobin");
    c.consumer.assignment = std::string(*v);
  }
  HOOKD_TRY(duration("HOOKD_KAFKA_PUBLISH_TIMEOUT", c.kafka.delivery_timeout));
  HOOKD_TRY(duration("HOOKD_KAFKA_LINGER", c.kafka.linger));
  HOOKD_TRY(integer("HOOKD_KAFKA_IMMEDIATE_BELOW", c.kafka_immediate_below, 0, 1'000'000));
  if (auto v = get("HOOKD_KAFKA_PROPERTIES")) {
    for (auto kv : split(*v, ';')) {
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) return bad("HOOKD_KAFKA_PROPERTIES", "expected key=value;key=value");
      c.kafka.properties[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
  HOOKD_TRY(integer("HOOKD_MOCK_BROKERS", c.mock_brokers, 1, 9));
  HOOKD_TRY(integer("HOOKD_CONFIG_CACHE_SIZE", c.config_cache_size, 0, 100'000'000));
  if (auto v = get("HOOKD_OPERATOR_TOKEN")) c.admin.operator_token = std::string(*v);

  HOOKD_TRY(integer("HOOKD_MAX_FORM_FIELDS", c.ingest.body_limits.max_form_fields, 1, 10'000'000));
  HOOKD_TRY(integer("HOOKD_MAX_EVENTS_PER_REQUEST", c.ingest.max_events_per_request, 1, 1'000'000));
  HOOKD_TRY(integer("HOOKD_KAFKA_MAX_MESSAGE_BYTES", c.kafka.max_message_bytes, 4096, 1'000'000'000));
  // The ingest limit follows from the producer's, less room for the record's key and headers.
  c.ingest.max_event_bytes = c.kafka.max_message_bytes - 1024;
  HOOKD_TRY(duration("HOOKD_JSONATA_TIMEOUT", c.ingest.expression_limits.time));
  if (auto v = get("HOOKD_TEST_MODE")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_TEST_MODE", "must be true or false (got '" + std::string(*v) + "')");
    c.ingest.test_mode = *v == "true";
  }
  if (auto v = get("HOOKD_TEST_CLOCK")) {
    if (!c.ingest.test_mode) return bad("HOOKD_TEST_CLOCK", "is honoured only with HOOKD_TEST_MODE=true");
    auto seconds = parse_number<long long>(*v);
    auto iso = seconds ? std::nullopt : clock::parse_iso8601(*v);
    if ((!seconds || *seconds <= 0) && !iso)
      return bad("HOOKD_TEST_CLOCK",
                 "must be Unix seconds or an ISO 8601 time (got '" + std::string(*v) + "')");
    c.ingest.test_clock_millis = seconds ? *seconds * 1000 : *iso;
  }
  HOOKD_TRY(integer("HOOKD_JSONATA_MAX_DEPTH", c.ingest.expression_limits.max_depth, 10, 100'000));
  if (auto v = get("HOOKD_PUBLIC_URL")) {
    auto url = ingest::normalize_public_url(*v);
    if (!url.ok()) return bad("HOOKD_PUBLIC_URL", url.error().message);
    c.ingest.public_url = std::move(url).value();
  }
  HOOKD_TRY(duration("HOOKD_INGEST_DEDUPE_WINDOW", c.ingest.dedupe_window));
  HOOKD_TRY(duration("HOOKD_INBOUND_RETENTION", c.ingest.inbound_retention));
  HOOKD_TRY(integer("HOOKD_INBOUND_MAX_PER_ACCOUNT", c.ingest.inbound_max_per_account, 1, 1'000'000));
  if (auto v = get("HOOKD_INBOUND_RECORDS")) {
    using R = ingest::IngestOptions::InboundRecords;
    if (*v == "all")
      c.ingest.inbound_records = R::all;
    else if (*v == "not_accepted")
      c.ingest.inbound_records = R::not_accepted;
    else if (*v == "none")
      c.ingest.inbound_records = R::none;
    else
      return bad("HOOKD_INBOUND_RECORDS", "must be all, not_accepted or none");
  }
  if (auto v = get("HOOKD_TRUSTED_PROXIES")) {
    for (auto entry : split(*v, ',')) {
      auto cidr = http::Cidr::parse(entry);
      if (!cidr.ok())
        return bad("HOOKD_TRUSTED_PROXIES", "'" + std::string(entry) + "': " + cidr.error().message);
      c.ingest.trusted_proxies.push_back(*cidr);
    }
  }

  if (auto v = get("HOOKD_RETRY_SCHEDULE")) {
    c.dispatch.retry_schedule.clear();
    // Every comma-separated item must be a duration: an empty one ("5s,,1m") is a typo, not nothing.
    for (std::string_view rest = *v;;) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ')
        item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ')
        item.remove_suffix(1);
      auto d = parse_duration(item);
      if (!d) return bad("HOOKD_RETRY_SCHEDULE", "'" + std::string(item) + "' is not a duration");
      c.dispatch.retry_schedule.push_back(*d);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (c.dispatch.retry_schedule.empty()) return bad("HOOKD_RETRY_SCHEDULE", "needs at least one duration");
  }
  HOOKD_TRY(integer("HOOKD_MAX_ATTEMPTS", c.dispatch.max_attempts, 1, 1000));
  if (auto v = get("HOOKD_RETRY_JITTER")) {
    auto j = parse_number<double>(*v);
    if (!j || *j < 0 || *j > 1) return bad("HOOKD_RETRY_JITTER", "must be a number from 0 to 1");
    c.dispatch.jitter = *j;
  }
  if (auto v = get("HOOKD_RETRY_THROTTLED_FACTOR")) {
    auto f = parse_number<double>(*v);
    if (!f || *f < 1 || *f > 100)
      return bad("HOOKD_RETRY_THROTTLED_FACTOR", "must be a number from 1 to 100");
    c.dispatch.throttled_factor = *f;
  }
  HOOKD_TRY(duration("HOOKD_RETRY_AFTER_MAX", c.dispatch.retry_after_max));
  if (auto v = get("HOOKD_DISABLE_ON_GONE")) {
    if (*v != "true" && *v != "false") return bad("HOOKD_DISABLE_ON_GONE", "must be true or false");
    c.dispatch.disable_on_gone = *v == "true";
  }
  HOOKD_TRY(integer("HOOKD_DISPATCH_CONCURRENCY", c.dispatch.max_concurrent_attempts, 1, 100'000));
  if (auto v = get("HOOKD_DISPATCH_RECORD_BEFORE_SEND")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_DISPATCH_RECORD_BEFORE_SEND", "must be true or false");
    c.dispatch.record_before_send = *v == "true";
  }
  if (auto v = get("HOOKD_DISPATCH_RETRY_SHARE")) {
    auto share = parse_number<double>(*v);
    if (!share || *share < 0 || *share >= 1)
      return bad("HOOKD_DISPATCH_RETRY_SHARE", "must be a number from 0 to below 1");
    c.dispatch.retry_share = *share;
  }
  // Per-endpoint flow control (one endpoint may take the whole node unless told otherwise) and retry budget.
  c.dispatch.flow.max_limit = c.dispatch.max_concurrent_attempts;
  c.dispatch.flow.initial_limit = std::min<size_t>(c.dispatch.flow.initial_limit, c.dispatch.flow.max_limit);
  HOOKD_TRY(integer("HOOKD_ENDPOINT_CONCURRENCY_MAX", c.dispatch.flow.max_limit, 1, 100'000));
  HOOKD_TRY(integer("HOOKD_ENDPOINT_CONCURRENCY_INITIAL", c.dispatch.flow.initial_limit, 1, 100'000));
  HOOKD_TRY(duration("HOOKD_ENDPOINT_LATENCY_TARGET", c.dispatch.flow.latency_target));
  HOOKD_TRY(integer("HOOKD_ORDERING_MAX_WAITING", c.dispatch.ordering_max_waiting, 0, 1'000'000));
  HOOKD_TRY(integer("HOOKD_BREAKER_FAILURES", c.dispatch.flow.breaker_failures, 1, 1'000'000));
  HOOKD_TRY(duration("HOOKD_BREAKER_COOLDOWN", c.dispatch.flow.breaker_cooldown));
  HOOKD_TRY(duration("HOOKD_BREAKER_COOLDOWN_MAX", c.dispatch.flow.breaker_cooldown_max));
  HOOKD_TRY(real("HOOKD_RETRY_BUDGET_INITIAL", c.dispatch.retry_budget.initial_rate));
  HOOKD_TRY(real("HOOKD_RETRY_BUDGET_MIN", c.dispatch.retry_budget.min_rate));
  HOOKD_TRY(real("HOOKD_RETRY_BUDGET_MAX", c.dispatch.retry_budget.max_rate));
  HOOKD_TRY(real("HOOKD_RETRY_BUDGET_INCREASE", c.dispatch.retry_budget.increase));
  // Every attempt in flight to one busy endpoint should find a kept-alive connection when it is done: an idle
  // pool smaller than the concurrency closed most connections after each exchange (0.71 new connections per
  // delivery at concurrency 256).
  c.client.max_idle_per_origin = static_cast<size_t>(c.dispatch.max_concurrent_attempts);
  c.client.max_idle_total = std::max<size_t>(1024, 2 * c.client.max_idle_per_origin);
  HOOKD_TRY(integer("HOOKD_CLIENT_MAX_IDLE_PER_ORIGIN", c.client.max_idle_per_origin, 0, 1'000'000));
  HOOKD_TRY(integer("HOOKD_CLIENT_MAX_IDLE", c.client.max_idle_total, 0, 10'000'000));
  HOOKD_TRY(duration("HOOKD_DISPATCH_POLL", c.dispatch.poll_interval));
  HOOKD_TRY(duration("HOOKD_DELIVERY_TIMEOUT", c.client.request_timeout));
  HOOKD_TRY(duration("HOOKD_CONNECT_TIMEOUT", c.client.connect_timeout));
  HOOKD_TRY(duration("HOOKD_LEASE", c.dispatch.lease));
  HOOKD_TRY(duration("HOOKD_DISABLE_AFTER", c.dispatch.disable_after));
  HOOKD_TRY(integer("HOOKD_DISABLE_AFTER_FAILURES", c.dispatch.disable_after_failures, 1, 1'000'000));
  HOOKD_TRY(duration("HOOKD_EVENT_RETENTION", c.dispatch.event_retention));
  HOOKD_TRY(integer("HOOKD_PAUSED_MAX_PER_ENDPOINT", c.dispatch.paused_max_per_endpoint, 1, 10'000'000));

  if (auto v = get("HOOKD_ALLOW_TARGETS")) {
    for (auto entry : split(*v, ',')) {
      if (Status s = c.admin.target_policy.allow(entry); !s.ok())
        return bad("HOOKD_ALLOW_TARGETS", s.error().message);
      (void)c.client.ssrf.allow(entry);  // cannot fail: the admin policy just accepted this entry
    }
  }
  if (auto v = get("HOOKD_ALLOW_HTTP")) {
    // Exactly true or false: a typo (TRUE, yes, on) must not silently leave the policy as it was.
    if (*v != "true" && *v != "false")
      return bad("HOOKD_ALLOW_HTTP", "must be true or false (got '" + std::string(*v) + "')");
    bool on = *v == "true";
    c.admin.target_policy.set_allow_plain_http(on);
    c.client.ssrf.set_allow_plain_http(on);
  }
  if (auto v = get("HOOKD_EXTRA_CA_FILE")) c.client.extra_ca_file = std::string(*v);
  HOOKD_TRY(duration("HOOKD_SECRET_ROTATION_OVERLAP", c.admin.secret_rotation_overlap));
  HOOKD_TRY(integer("HOOKD_ADMIN_RATE_LIMIT", c.admin.rate_limit_per_second, 0, 1'000'000));
  HOOKD_TRY(integer("HOOKD_REPLAY_DEFAULT_RATE", c.replay.default_rate, 1, 100'000));
  HOOKD_TRY(integer("HOOKD_REPLAY_MAX_RATE", c.replay.max_rate, 1, 100'000));
  if (c.replay.default_rate > c.replay.max_rate)
    return bad("HOOKD_REPLAY_DEFAULT_RATE", "must not be above HOOKD_REPLAY_MAX_RATE");
  HOOKD_TRY(duration("HOOKD_REPLAY_LEASE", c.replay.lease));
  if (c.replay.lease < std::chrono::seconds(2)) return bad("HOOKD_REPLAY_LEASE", "must be at least 2s");
  HOOKD_TRY(duration("HOOKD_REPLAY_RETENTION", c.replay.retention));
  if (c.replay.retention < std::chrono::minutes(1))
    return bad("HOOKD_REPLAY_RETENTION", "must be at least 1m");
  HOOKD_TRY(duration("HOOKD_REPLAY_COMPAT_WAIT", c.replay.compat_wait));

  // Each module validates its own options; its errors name a member, the operator wrote a variable.
  HOOKD_TRY(named(c.server.validate(), {{"body_limit", "HOOKD_BODY_LIMIT"},
                                        {"header_limit", "HOOKD_HEADER_LIMIT"},
                                        {"read_timeout", "HOOKD_READ_TIMEOUT"},
                                        {"idle_timeout", "HOOKD_IDLE_TIMEOUT"},
                                        {"max_connections", "HOOKD_MAX_CONNECTIONS"}}));
  HOOKD_TRY(named(c.ingest.validate(), {{"body_limits.max_form_fields", "HOOKD_MAX_FORM_FIELDS"},
                                        {"max_events_per_request", "HOOKD_MAX_EVENTS_PER_REQUEST"},
                                        {"max_event_bytes", "HOOKD_KAFKA_MAX_MESSAGE_BYTES"},
                                        {"expression_limits.time", "HOOKD_JSONATA_TIMEOUT"},
                                        {"expression_limits.max_depth", "HOOKD_JSONATA_MAX_DEPTH"},
                                        {"public_url", "HOOKD_PUBLIC_URL"},
                                        {"dedupe_window", "HOOKD_INGEST_DEDUPE_WINDOW"},
                                        {"inbound_retention", "HOOKD_INBOUND_RETENTION"}}));
  HOOKD_TRY(named(c.dispatch.validate(), {{"retry_schedule", "HOOKD_RETRY_SCHEDULE"},
                                          {"max_attempts", "HOOKD_MAX_ATTEMPTS"},
                                          {"jitter", "HOOKD_RETRY_JITTER"},
                                          {"throttled_factor", "HOOKD_RETRY_THROTTLED_FACTOR"},
                                          {"retry_after_max", "HOOKD_RETRY_AFTER_MAX"},
                                          {"poll_interval", "HOOKD_DISPATCH_POLL"},
                                          {"max_concurrent_attempts", "HOOKD_DISPATCH_CONCURRENCY"},
                                          {"retry_share", "HOOKD_DISPATCH_RETRY_SHARE"},
                                          {"disable_after_failures", "HOOKD_DISABLE_AFTER_FAILURES"},
                                          {"event_retention", "HOOKD_EVENT_RETENTION"},
                                          {"flow.initial_limit", "HOOKD_ENDPOINT_CONCURRENCY_INITIAL"},
                                          {"flow.latency_target", "HOOKD_ENDPOINT_LATENCY_TARGET"},
                                          {"flow.breaker_failures", "HOOKD_BREAKER_FAILURES"},
                                          {"flow.breaker_cooldown", "HOOKD_BREAKER_COOLDOWN"},
                                          {"flow.breaker_cooldown_max", "HOOKD_BREAKER_COOLDOWN_MAX"},
                                          {"retry_budget.initial_rate", "HOOKD_RETRY_BUDGET_INITIAL"},
                                          {"retry_budget.increase", "HOOKD_RETRY_BUDGET_INCREASE"},
                                          {"paused_max_per_endpoint", "HOOKD_PAUSED_MAX_PER_ENDPOINT"},
                                          {"lease", "HOOKD_LEASE"}}));
#undef HOOKD_TRY
  if (c.threads == 0) c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return c;
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
