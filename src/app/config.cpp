#include "app/config.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "core/clock.h"
#include "ingest/request_url.h"

namespace hookd::app {

namespace {

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

namespace {

// The process environment as hookd reads it: a variable unset or empty is absent; each typed read leaves `out`
// as it was when the variable is absent and names the variable when its value is wrong.
class Env {
 public:
  explicit Env(const std::function<const char*(const char*)>& getenv) : getenv_(getenv) {}
  std::optional<std::string_view> get(const char* name) const {
    const char* v = getenv_(name);
    if (!v || !*v) return std::nullopt;
    return std::string_view(v);
  }
  template <typename Duration>
  Status duration(const char* name, Duration& out) const {
    if (auto v = get(name)) {
      auto d = parse_duration(*v);
      if (!d) return bad(name, "not a duration (e.g. 500ms, 5s, 2m, 1h, 3d)");
      out = std::chrono::duration_cast<Duration>(*d);
    }
    return {};
  }
  Status real(const char* name, double& out) const {
    if (auto v = get(name)) {
      auto n = parse_number<double>(*v);
      if (!n || !(*n >= 0)) return bad(name, "must be a number, 0 or more");
      out = *n;
    }
    return {};
  }
  template <typename Int>
  Status integer(const char* name, Int& out, long long min, long long max) const {
    if (auto v = get(name)) {
      auto n = parse_number<long long>(*v);
      if (!n || *n < min || *n > max)
        return bad(name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      out = static_cast<Int>(*n);
    }
    return {};
  }

 private:
  const std::function<const char*(const char*)>& getenv_;
};

#define HOOKD_TRY(expr)              \
  do {                               \
    Status s_ = (expr);              \
    if (!s_.ok()) return s_.error(); \
  } while (0)

// Roles, the listener and the HTTP server's limits, threads, logging.
Status read_service(const Env& env, Config& c) {
  if (auto v = env.get("HOOKD_ROLES")) {
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
  if (auto v = env.get("HOOKD_LISTEN")) {
    size_t colon = v->rfind(':');
    auto port = colon == std::string_view::npos ? std::nullopt : parse_number<uint16_t>(v->substr(colon + 1));
    if (!port) return bad("HOOKD_LISTEN", "must be address:port, e.g. 0.0.0.0:8080");
    c.server.address = std::string(v->substr(0, colon));
    if (c.server.address.size() > 2 && c.server.address.front() == '[')
      c.server.address = c.server.address.substr(1, c.server.address.size() - 2);
    c.server.port = *port;
  }
  HOOKD_TRY(env.integer("HOOKD_THREADS", c.threads, 0, 256));
  if (auto v = env.get("HOOKD_LOG_LEVEL")) {
    if (*v != "debug" && *v != "info" && *v != "warn" && *v != "error" && *v != "off")
      return bad("HOOKD_LOG_LEVEL",
                 "must be one of debug, info, warn, error, off (got '" + std::string(*v) + "')");
    c.log_level = std::string(*v);
  }
  HOOKD_TRY(env.duration("HOOKD_SHUTDOWN_TIMEOUT", c.shutdown_timeout));
  HOOKD_TRY(env.integer("HOOKD_BODY_LIMIT", c.server.body_limit, 1, 1LL << 30));
  HOOKD_TRY(env.integer("HOOKD_HEADER_LIMIT", c.server.header_limit, 1024, 1 << 20));
  HOOKD_TRY(env.duration("HOOKD_READ_TIMEOUT", c.server.read_timeout));
  HOOKD_TRY(env.duration("HOOKD_IDLE_TIMEOUT", c.server.idle_timeout));
  HOOKD_TRY(env.integer("HOOKD_MAX_CONNECTIONS", c.server.max_connections, 1, 1'000'000));
  return {};
}

// Redis: the URL (one server or a cluster), timeouts, durable writes.
Status read_redis(const Env& env, Config& c) {
  auto redis =
      store::RedisOptions::from_url(env.get("HOOKD_REDIS_URL").value_or("redis://127.0.0.1:6379"), c.redis);
  if (!redis.ok()) return bad("HOOKD_REDIS_URL", redis.error().message);
  c.redis = std::move(redis).value();
  c.redis.client_name = "hookd";
  HOOKD_TRY(env.duration("HOOKD_REDIS_TIMEOUT", c.redis.command_timeout));
  HOOKD_TRY(env.integer("HOOKD_REDIS_WAIT_REPLICAS", c.redis.wait_replicas, 0, 16));
  HOOKD_TRY(env.duration("HOOKD_REDIS_WAIT_TIMEOUT", c.redis.wait_timeout));
  // WAIT with 0 ms blocks for ever.
  if (c.redis.wait_timeout.count() <= 0 || c.redis.wait_timeout >= c.redis.command_timeout)
    return bad("HOOKD_REDIS_WAIT_TIMEOUT",
               "must be more than 0 and less than HOOKD_REDIS_TIMEOUT (a WAIT holds its connection; the "
               "command timeout would drop it first)");
  if (auto v = env.get("HOOKD_REDIS_SLOT_AUDIT")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_REDIS_SLOT_AUDIT", "must be true or false (got '" + std::string(*v) + "')");
    c.redis.slot_audit = *v == "true";
  }
  return {};
}

// Kafka: brokers, topic, the consumer group, the producer's timing and properties.
Status read_kafka(const Env& env, Config& c) {
  if (auto v = env.get("HOOKD_KAFKA_BROKERS")) c.kafka.brokers = std::string(*v);
  if (auto v = env.get("HOOKD_KAFKA_TOPIC")) c.kafka.topic = std::string(*v);
  if (auto v = env.get("HOOKD_KAFKA_GROUP")) c.consumer.group_id = std::string(*v);
  if (auto v = env.get("HOOKD_KAFKA_GROUP_INSTANCE_ID")) c.consumer.group_instance_id = std::string(*v);
  HOOKD_TRY(env.duration("HOOKD_KAFKA_SESSION_TIMEOUT", c.consumer.session_timeout));
  HOOKD_TRY(env.duration("HOOKD_KAFKA_HEARTBEAT_INTERVAL", c.consumer.heartbeat_interval));
  if (c.consumer.heartbeat_interval >= c.consumer.session_timeout)
    return bad("HOOKD_KAFKA_HEARTBEAT_INTERVAL", "must be shorter than HOOKD_KAFKA_SESSION_TIMEOUT");
  if (auto v = env.get("HOOKD_KAFKA_ASSIGNMENT")) {
    if (*v != "cooperative-sticky" && *v != "range" && *v != "roundrobin")
      return bad("HOOKD_KAFKA_ASSIGNMENT", "must be cooperative-sticky, range or roundrobin");
    c.consumer.assignment = std::string(*v);
  }
  HOOKD_TRY(env.duration("HOOKD_KAFKA_PUBLISH_TIMEOUT", c.kafka.delivery_timeout));
  HOOKD_TRY(env.duration("HOOKD_KAFKA_LINGER", c.kafka.linger));
  HOOKD_TRY(env.integer("HOOKD_KAFKA_IMMEDIATE_BELOW", c.kafka_immediate_below, 0, 1'000'000));
  if (auto v = env.get("HOOKD_KAFKA_PROPERTIES")) {
    for (auto kv : split(*v, ';')) {
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) return bad("HOOKD_KAFKA_PROPERTIES", "expected key=value;key=value");
      c.kafka.properties[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
  HOOKD_TRY(env.integer("HOOKD_MOCK_BROKERS", c.mock_brokers, 1, 9));
  return {};
}

// Ingest: body and event limits, JSONata limits, test mode, the public URL, dedupe and inbound records.
Status read_ingest(const Env& env, Config& c) {
  HOOKD_TRY(env.integer("HOOKD_MAX_FORM_FIELDS", c.ingest.body_limits.max_form_fields, 1, 10'000'000));
  HOOKD_TRY(env.integer("HOOKD_MAX_EVENTS_PER_REQUEST", c.ingest.max_events_per_request, 1, 1'000'000));
  HOOKD_TRY(env.integer("HOOKD_KAFKA_MAX_MESSAGE_BYTES", c.kafka.max_message_bytes, 4096, 1'000'000'000));
  // The ingest limit follows from the producer's, less room for the record's key and headers.
  c.ingest.max_event_bytes = c.kafka.max_message_bytes - 1024;
  HOOKD_TRY(env.duration("HOOKD_JSONATA_TIMEOUT", c.ingest.expression_limits.time));
  if (auto v = env.get("HOOKD_TEST_MODE")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_TEST_MODE", "must be true or false (got '" + std::string(*v) + "')");
    c.ingest.test_mode = *v == "true";
  }
  if (auto v = env.get("HOOKD_TEST_CLOCK")) {
    if (!c.ingest.test_mode) return bad("HOOKD_TEST_CLOCK", "is honoured only with HOOKD_TEST_MODE=true");
    auto seconds = parse_number<long long>(*v);
    auto iso = seconds ? std::nullopt : clock::parse_iso8601(*v);
    if ((!seconds || *seconds <= 0) && !iso)
      return bad("HOOKD_TEST_CLOCK",
                 "must be Unix seconds or an ISO 8601 time (got '" + std::string(*v) + "')");
    c.ingest.test_clock_millis = seconds ? *seconds * 1000 : *iso;
  }
  HOOKD_TRY(env.integer("HOOKD_JSONATA_MAX_DEPTH", c.ingest.expression_limits.max_depth, 10, 100'000));
  if (auto v = env.get("HOOKD_PUBLIC_URL")) {
    auto url = ingest::normalize_public_url(*v);
    if (!url.ok()) return bad("HOOKD_PUBLIC_URL", url.error().message);
    c.ingest.public_url = std::move(url).value();
  }
  HOOKD_TRY(env.duration("HOOKD_INGEST_DEDUPE_WINDOW", c.ingest.dedupe_window));
  HOOKD_TRY(env.duration("HOOKD_INBOUND_RETENTION", c.ingest.inbound_retention));
  HOOKD_TRY(env.integer("HOOKD_INBOUND_MAX_PER_ACCOUNT", c.ingest.inbound_max_per_account, 1, 1'000'000));
  if (auto v = env.get("HOOKD_INBOUND_RECORDS")) {
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
  if (auto v = env.get("HOOKD_TRUSTED_PROXIES")) {
    for (auto entry : split(*v, ',')) {
      auto cidr = http::Cidr::parse(entry);
      if (!cidr.ok())
        return bad("HOOKD_TRUSTED_PROXIES", "'" + std::string(entry) + "': " + cidr.error().message);
      c.ingest.trusted_proxies.push_back(*cidr);
    }
  }
  return {};
}

// Dispatch: the retry schedule, concurrency, per-endpoint flow control, retry budget, the client pool.
Status read_dispatch(const Env& env, Config& c) {
  if (auto v = env.get("HOOKD_RETRY_SCHEDULE")) {
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
  HOOKD_TRY(env.integer("HOOKD_MAX_ATTEMPTS", c.dispatch.max_attempts, 1, 1000));
  if (auto v = env.get("HOOKD_RETRY_JITTER")) {
    auto j = parse_number<double>(*v);
    if (!j || *j < 0 || *j > 1) return bad("HOOKD_RETRY_JITTER", "must be a number from 0 to 1");
    c.dispatch.jitter = *j;
  }
  if (auto v = env.get("HOOKD_RETRY_THROTTLED_FACTOR")) {
    auto f = parse_number<double>(*v);
    if (!f || *f < 1 || *f > 100)
      return bad("HOOKD_RETRY_THROTTLED_FACTOR", "must be a number from 1 to 100");
    c.dispatch.throttled_factor = *f;
  }
  HOOKD_TRY(env.duration("HOOKD_RETRY_AFTER_MAX", c.dispatch.retry_after_max));
  if (auto v = env.get("HOOKD_DISABLE_ON_GONE")) {
    if (*v != "true" && *v != "false") return bad("HOOKD_DISABLE_ON_GONE", "must be true or false");
    c.dispatch.disable_on_gone = *v == "true";
  }
  HOOKD_TRY(env.integer("HOOKD_DISPATCH_CONCURRENCY", c.dispatch.max_concurrent_attempts, 1, 100'000));
  if (auto v = env.get("HOOKD_DISPATCH_RECORD_BEFORE_SEND")) {
    if (*v != "true" && *v != "false")
      return bad("HOOKD_DISPATCH_RECORD_BEFORE_SEND", "must be true or false");
    c.dispatch.record_before_send = *v == "true";
  }
  if (auto v = env.get("HOOKD_DISPATCH_RETRY_SHARE")) {
    auto share = parse_number<double>(*v);
    if (!share || *share < 0 || *share >= 1)
      return bad("HOOKD_DISPATCH_RETRY_SHARE", "must be a number from 0 to below 1");
    c.dispatch.retry_share = *share;
  }
  return {};
}

// Dispatch per endpoint: flow control (one endpoint may take the whole node unless told otherwise), the retry
// budget, the client pool, timeouts, leases and auto-disable.
Status read_delivery_flow(const Env& env, Config& c) {
  c.dispatch.flow.max_limit = c.dispatch.max_concurrent_attempts;
  c.dispatch.flow.initial_limit = std::min<size_t>(c.dispatch.flow.initial_limit, c.dispatch.flow.max_limit);
  HOOKD_TRY(env.integer("HOOKD_ENDPOINT_CONCURRENCY_MAX", c.dispatch.flow.max_limit, 1, 100'000));
  HOOKD_TRY(env.integer("HOOKD_ENDPOINT_CONCURRENCY_INITIAL", c.dispatch.flow.initial_limit, 1, 100'000));
  HOOKD_TRY(env.duration("HOOKD_ENDPOINT_LATENCY_TARGET", c.dispatch.flow.latency_target));
  HOOKD_TRY(env.integer("HOOKD_ORDERING_MAX_WAITING", c.dispatch.ordering_max_waiting, 0, 1'000'000));
  HOOKD_TRY(env.integer("HOOKD_BREAKER_FAILURES", c.dispatch.flow.breaker_failures, 1, 1'000'000));
  HOOKD_TRY(env.duration("HOOKD_BREAKER_COOLDOWN", c.dispatch.flow.breaker_cooldown));
  HOOKD_TRY(env.duration("HOOKD_BREAKER_COOLDOWN_MAX", c.dispatch.flow.breaker_cooldown_max));
  HOOKD_TRY(env.real("HOOKD_RETRY_BUDGET_INITIAL", c.dispatch.retry_budget.initial_rate));
  HOOKD_TRY(env.real("HOOKD_RETRY_BUDGET_MIN", c.dispatch.retry_budget.min_rate));
  HOOKD_TRY(env.real("HOOKD_RETRY_BUDGET_MAX", c.dispatch.retry_budget.max_rate));
  HOOKD_TRY(env.real("HOOKD_RETRY_BUDGET_INCREASE", c.dispatch.retry_budget.increase));
  // Every attempt in flight to one busy endpoint should find a kept-alive connection when it is done: an idle
  // pool smaller than the concurrency closed most connections after each exchange (0.71 new connections per
  // delivery at concurrency 256).
  c.client.max_idle_per_origin = static_cast<size_t>(c.dispatch.max_concurrent_attempts);
  c.client.max_idle_total = std::max<size_t>(1024, 2 * c.client.max_idle_per_origin);
  HOOKD_TRY(env.integer("HOOKD_CLIENT_MAX_IDLE_PER_ORIGIN", c.client.max_idle_per_origin, 0, 1'000'000));
  HOOKD_TRY(env.integer("HOOKD_CLIENT_MAX_IDLE", c.client.max_idle_total, 0, 10'000'000));
  HOOKD_TRY(env.duration("HOOKD_DISPATCH_POLL", c.dispatch.poll_interval));
  HOOKD_TRY(env.duration("HOOKD_DELIVERY_TIMEOUT", c.client.request_timeout));
  HOOKD_TRY(env.duration("HOOKD_CONNECT_TIMEOUT", c.client.connect_timeout));
  HOOKD_TRY(env.duration("HOOKD_LEASE", c.dispatch.lease));
  HOOKD_TRY(env.duration("HOOKD_DISABLE_AFTER", c.dispatch.disable_after));
  HOOKD_TRY(env.integer("HOOKD_DISABLE_AFTER_FAILURES", c.dispatch.disable_after_failures, 1, 1'000'000));
  HOOKD_TRY(env.duration("HOOKD_EVENT_RETENTION", c.dispatch.event_retention));
  HOOKD_TRY(env.integer("HOOKD_PAUSED_MAX_PER_ENDPOINT", c.dispatch.paused_max_per_endpoint, 1, 10'000'000));
  return {};
}

// The admin API, target policy, replays and the config cache.
Status read_admin(const Env& env, Config& c) {
  HOOKD_TRY(env.integer("HOOKD_CONFIG_CACHE_SIZE", c.config_cache_size, 0, 100'000'000));
  if (auto v = env.get("HOOKD_OPERATOR_TOKEN")) c.admin.operator_token = std::string(*v);
  if (auto v = env.get("HOOKD_ALLOW_TARGETS")) {
    for (auto entry : split(*v, ',')) {
      if (Status s = c.admin.target_policy.allow(entry); !s.ok())
        return bad("HOOKD_ALLOW_TARGETS", s.error().message);
      (void)c.client.ssrf.allow(entry);  // cannot fail: the admin policy just accepted this entry
    }
  }
  if (auto v = env.get("HOOKD_ALLOW_HTTP")) {
    // Exactly true or false: a typo (TRUE, yes, on) must not silently leave the policy as it was.
    if (*v != "true" && *v != "false")
      return bad("HOOKD_ALLOW_HTTP", "must be true or false (got '" + std::string(*v) + "')");
    bool on = *v == "true";
    c.admin.target_policy.set_allow_plain_http(on);
    c.client.ssrf.set_allow_plain_http(on);
  }
  if (auto v = env.get("HOOKD_EXTRA_CA_FILE")) c.client.extra_ca_file = std::string(*v);
  HOOKD_TRY(env.duration("HOOKD_SECRET_ROTATION_OVERLAP", c.admin.secret_rotation_overlap));
  HOOKD_TRY(env.integer("HOOKD_ADMIN_RATE_LIMIT", c.admin.rate_limit_per_second, 0, 1'000'000));
  HOOKD_TRY(env.integer("HOOKD_REPLAY_DEFAULT_RATE", c.replay.default_rate, 1, 100'000));
  HOOKD_TRY(env.integer("HOOKD_REPLAY_MAX_RATE", c.replay.max_rate, 1, 100'000));
  if (c.replay.default_rate > c.replay.max_rate)
    return bad("HOOKD_REPLAY_DEFAULT_RATE", "must not be above HOOKD_REPLAY_MAX_RATE");
  HOOKD_TRY(env.duration("HOOKD_REPLAY_LEASE", c.replay.lease));
  if (c.replay.lease < std::chrono::seconds(2)) return bad("HOOKD_REPLAY_LEASE", "must be at least 2s");
  HOOKD_TRY(env.duration("HOOKD_REPLAY_RETENTION", c.replay.retention));
  if (c.replay.retention < std::chrono::minutes(1))
    return bad("HOOKD_REPLAY_RETENTION", "must be at least 1m");
  HOOKD_TRY(env.duration("HOOKD_REPLAY_COMPAT_WAIT", c.replay.compat_wait));
  return {};
}

// Each module validates its own options; its errors name a member, the operator wrote a variable.
Status validate_modules(Config& c) {
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
  return {};
}

}  // namespace

Result<Config> load_config(const std::function<const char*(const char*)>& getenv) {
  Config c;
  c.client.request_timeout = std::chrono::seconds(10);  // tighter than the pool's generic default
  c.client.user_agent = "hookd/0.1";
  const Env env(getenv);
  // In this order: the ingest limit follows Kafka's message size, the client pool the dispatch concurrency.
  HOOKD_TRY(read_service(env, c));
  HOOKD_TRY(read_redis(env, c));
  HOOKD_TRY(read_kafka(env, c));
  HOOKD_TRY(read_ingest(env, c));
  HOOKD_TRY(read_dispatch(env, c));
  HOOKD_TRY(read_delivery_flow(env, c));
  HOOKD_TRY(read_admin(env, c));
  HOOKD_TRY(validate_modules(c));
  if (c.threads == 0) c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return c;
}

#undef HOOKD_TRY

}  // namespace hookd::app
