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

}  // namespace
}  // namespace hookd::app
