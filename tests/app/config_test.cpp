// hookd's configuration from its environment: every malformed value is a startup error that names the
// variable, never a silent default.
#include "app/config.h"

#include <map>

#include <gtest/gtest.h>

namespace hookd::app {
namespace {

Result<Config> load(std::map<std::string, std::string> env) {
  return load_config([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Config, DefaultsLoad) {
  auto c = load({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->shutdown_timeout, std::chrono::seconds(20));
  EXPECT_EQ(c->ingest.body_limits.max_form_fields, 10'000u);
  EXPECT_EQ(c->ingest.max_events_per_request, 1000u);
  EXPECT_EQ(c->kafka.max_message_bytes, 1'000'000u);
  EXPECT_EQ(c->ingest.max_event_bytes, 1'000'000u - 1024) << "derived from the producer's limit";
}

TEST(Config, MalformedValuesAreErrorsNamingTheVariable) {
  struct Case {
    const char* name;
    const char* value;
  } cases[] = {
      {"HOOKD_LOG_LEVEL", "verbose"},
      {"HOOKD_ALLOW_HTTP", "TRUE"},
      {"HOOKD_ALLOW_HTTP", "yes"},
      {"HOOKD_SHUTDOWN_TIMEOUT", "soon"},
      {"HOOKD_MAX_FORM_FIELDS", "0"},
      {"HOOKD_MAX_FORM_FIELDS", "ten"},
      {"HOOKD_MAX_EVENTS_PER_REQUEST", "-1"},
      {"HOOKD_KAFKA_MAX_MESSAGE_BYTES", "100"},
      {"HOOKD_RETRY_SCHEDULE", "5s,,1m"},
      {"HOOKD_LISTEN", "8080"},
      {"HOOKD_THREADS", "many"},
      // Refused by the module's own validation, still named by the variable.
      {"HOOKD_LEASE", "900ms"},  // below 1s: renewed every third of it
      {"HOOKD_EVENT_RETENTION", "30s"},
      {"HOOKD_RETRY_JITTER", "1.5"},
      {"HOOKD_DISPATCH_POLL", "0ms"},
      {"HOOKD_READ_TIMEOUT", "0s"},
      {"HOOKD_JSONATA_TIMEOUT", "0ms"},
      {"HOOKD_REDIS_URL", "redis+cluster://10.0.0.1:7000,10.0.0.2:7000/2"},  // a cluster has only db 0
      {"HOOKD_REDIS_WAIT_REPLICAS", "-1"},
      {"HOOKD_REDIS_WAIT_TIMEOUT", "0ms"},  // WAIT 0 blocks for ever
      {"HOOKD_REDIS_WAIT_TIMEOUT", "2s"},   // not less than the 2 s command timeout
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name) + "=" + c.value);
    auto r = load({{c.name, c.value}});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(c.name), std::string::npos) << r.error().message;
  }
}

TEST(Config, WellFormedValuesAreTaken) {
  auto c = load({{"HOOKD_LOG_LEVEL", "debug"},
                 {"HOOKD_ALLOW_HTTP", "false"},
                 {"HOOKD_SHUTDOWN_TIMEOUT", "2s"},
                 {"HOOKD_MAX_FORM_FIELDS", "50"},
                 {"HOOKD_KAFKA_MAX_MESSAGE_BYTES", "8192"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->shutdown_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c->ingest.body_limits.max_form_fields, 50u);
  EXPECT_EQ(c->ingest.max_event_bytes, 8192u - 1024);
}

TEST(Config, RedisClusterUrl) {
  auto c = load({{"HOOKD_REDIS_URL", "redis+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->redis.cluster);
  ASSERT_EQ(c->redis.seeds.size(), 2u);
  EXPECT_EQ(c->redis.seeds[1].port, 7001);
  EXPECT_EQ(c->redis.redacted_url(), "redis+cluster://10.0.0.1:7000,10.0.0.2:7001");
  auto plain = load({});
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->redis.cluster) << "one Redis is the default";
  EXPECT_EQ(plain->redis.wait_replicas, 0);
  auto waiting = load({{"HOOKD_REDIS_WAIT_REPLICAS", "1"}, {"HOOKD_REDIS_WAIT_TIMEOUT", "250ms"}});
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  EXPECT_EQ(waiting->redis.wait_replicas, 1);
  EXPECT_EQ(waiting->redis.wait_timeout, std::chrono::milliseconds(250));
}

TEST(Duration, Spellings) {
  struct Case {
    const char* text;
    long long ms;  // -1: refused
  } cases[] = {{"250ms", 250},      {"5s", 5000},   {"2m", 120'000}, {"1h", 3'600'000},
               {"3d", 259'200'000}, {"1500", 1500}, {"", -1},        {"s", -1},
               {"5 s", -1},         {"-5s", -1},    {"5x", -1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = parse_duration(c.text);
    if (c.ms < 0)
      EXPECT_FALSE(d.has_value());
    else
      EXPECT_EQ(d.value_or(std::chrono::milliseconds(-1)).count(), c.ms);
  }
}

TEST(Config, PublicUrlAndTrustedProxies) {
  auto c = load(
      {{"HOOKD_PUBLIC_URL", "https://example.com/hookd/"}, {"HOOKD_TRUSTED_PROXIES", "10.0.0.0/8, ::1"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ingest.public_url, "https://example.com/hookd") << "trailing slash trimmed";
  ASSERT_EQ(c->ingest.trusted_proxies.size(), 2u);
  EXPECT_TRUE(c->ingest.trusted_proxies[0].contains(asio::ip::make_address("10.9.8.7")));
  EXPECT_TRUE(load({}).value().ingest.public_url.empty());

  for (const char* bad : {"hooks.example.com", "https://example.com/?x=1", "ftp://example.com"}) {
    auto r = load({{"HOOKD_PUBLIC_URL", bad}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.rfind("HOOKD_PUBLIC_URL: ", 0), 0u) << r.error().message;
  }
  auto proxies = load({{"HOOKD_TRUSTED_PROXIES", "10.0.0.0/8,not-an-ip"}});
  ASSERT_FALSE(proxies.ok());
  EXPECT_EQ(proxies.error().message.rfind("HOOKD_TRUSTED_PROXIES: 'not-an-ip'", 0), 0u)
      << proxies.error().message;
}

TEST(Config, EveryVariableReadIsDocumentedAndKnown) {
  std::vector<std::string> read;
  (void)load_config([&](const char* name) -> const char* {
    read.emplace_back(name);
    return nullptr;
  });
  ASSERT_GT(read.size(), 20u);
  std::string help = config_help();
  std::vector<std::string> entries;
  for (const auto& name : read) {
    EXPECT_NE(help.find(name), std::string::npos) << name << " is read but not in --help";
    entries.push_back(name + "=x");
  }
  std::vector<const char*> environment;
  for (const auto& e : entries)
    environment.push_back(e.c_str());
  environment.push_back(nullptr);
  EXPECT_TRUE(unknown_variables(environment.data()).empty());
}

TEST(Config, UnknownVariablesAreReportedWithTheLikelyName) {
  const char* environment[] = {"HOOKD_LOG_LEVL=debug",
                               "HOOKD_ALLOW_HTTP=true",
                               "PATH=/bin",
                               "HOOKD_TEST_REDIS_URL=x",
                               "HOOKD_STATE_DIR=/tmp",
                               "HOOKD_FROBNICATE=1",
                               "HOOKD_RETRY_SCHEDULES=1s",
                               "HOOKD_JSONATA_TIMOUT=1s",
                               "HOOKD_JSONATA_SUITE=/x",
                               nullptr};
  auto unknown = unknown_variables(environment);
  ASSERT_EQ(unknown.size(), 4u);
  EXPECT_EQ(unknown[0].name, "HOOKD_LOG_LEVL");
  EXPECT_EQ(unknown[0].did_you_mean, "HOOKD_LOG_LEVEL");
  EXPECT_EQ(unknown[1].name, "HOOKD_FROBNICATE");
  EXPECT_EQ(unknown[1].did_you_mean, "");
  EXPECT_EQ(unknown[2].name, "HOOKD_RETRY_SCHEDULES");
  EXPECT_EQ(unknown[2].did_you_mean, "HOOKD_RETRY_SCHEDULE");
  EXPECT_EQ(unknown[3].did_you_mean, "HOOKD_JSONATA_TIMEOUT")
      << "a tool's prefix does not hide the service's own";
}

TEST(Config, DedupeWindowAndInboundRecords) {
  auto c = load({});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ingest.dedupe_window, std::chrono::hours(24));
  EXPECT_EQ(c->ingest.inbound_retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(c->ingest.inbound_max_per_account, 1000u);
  c = load({{"HOOKD_INGEST_DEDUPE_WINDOW", "2h"},
            {"HOOKD_INBOUND_RETENTION", "1d"},
            {"HOOKD_INBOUND_MAX_PER_ACCOUNT", "50"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ingest.dedupe_window, std::chrono::hours(2));
  EXPECT_EQ(c->ingest.inbound_retention, std::chrono::hours(24));
  EXPECT_EQ(c->ingest.inbound_max_per_account, 50u);
  for (auto [name, value] :
       {std::pair{"HOOKD_INGEST_DEDUPE_WINDOW", "10s"}, std::pair{"HOOKD_INGEST_DEDUPE_WINDOW", "31d"},
        std::pair{"HOOKD_INGEST_DEDUPE_WINDOW", "soon"}, std::pair{"HOOKD_INBOUND_RETENTION", "1s"},
        std::pair{"HOOKD_INBOUND_MAX_PER_ACCOUNT", "0"}}) {
    auto bad = load({{name, value}});
    ASSERT_FALSE(bad.ok()) << name << "=" << value;
    EXPECT_NE(bad.error().message.find(name), std::string::npos) << bad.error().message;
  }
}

}  // namespace
}  // namespace hookd::app
