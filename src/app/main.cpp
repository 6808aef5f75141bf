// hookd: receives vendors' webhooks, checks and normalizes them, and delivers events to customers' endpoints.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include "app/service.h"
#include "core/log.h"

int main(int argc, char** argv) {
  // A peer that went away is an error return for whoever wrote to it, never the end of the service: SIGPIPE's
  // default action would end hookd silently (hiredis writes with write(2); so does librdkafka's wake-up pipe).
  std::signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(hookd::app::config_help().c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr,
                 "hookd: unknown argument %s (configuration is by environment variables; see --help)\n",
                 argv[i]);
    return 2;
  }
  auto config = hookd::app::load_config([](const char* name) { return std::getenv(name); });
  if (!config.ok()) {
    std::fprintf(stderr, "hookd: %s\n", config.error().message.c_str());
    return 2;
  }
  hookd::log::init(config->log_level);
  // A misspelt setting would otherwise be a silent default.
  for (const auto& v : hookd::app::unknown_variables(environ))
    hookd::log::warn("config.unknown_variable",
                     {{"name", v.name},
                      {"did_you_mean",
                       v.did_you_mean.empty() ? hookd::json::Value() : hookd::json::Value(v.did_you_mean)}});
  if (config->ingest.test_mode)
    hookd::log::warn("config.test_mode",
                     {{"message",
                       "HOOKD_TEST_MODE is on: signature checks take their time from HOOKD_TEST_CLOCK "
                       "or X-Hookd-Test-Clock. Never run a production service like this."},
                      {"test_clock_millis", hookd::json::Value(config->ingest.test_clock_millis)}});
  // Declared first, destroyed last: it bounds the whole exit, the Service's destructors included.
  hookd::app::ShutdownDeadline deadline;
  {
    hookd::app::Service service(std::move(config).value(), deadline);
    if (auto s = service.start(); !s.ok()) {
      hookd::log::error("service.start_failed", {{"error", s.error().message}});
      return 1;
    }
    service.run();
  }
  deadline.disarm();
  return 0;
}
