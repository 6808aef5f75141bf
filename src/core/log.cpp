#include "core/log.h"

#include <atomic>
#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"

namespace hookd::log {

namespace {

std::atomic<Level> g_level{Level::info};

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto lg = std::make_shared<spdlog::logger>("hookd", sink);
    lg->set_pattern("%v");  // the line is already a JSON object
    lg->set_level(spdlog::level::trace);
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return *l;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::off:
      return "off";
  }
  return "info";
}

}  // namespace

void init(std::string_view level) {
  Level l = Level::info;
  if (level == "debug" || level == "trace")
    l = Level::debug;
  else if (level == "warn" || level == "warning")
    l = Level::warn;
  else if (level == "error")
    l = Level::error;
  else if (level == "off" || level == "none")
    l = Level::off;
  g_level.store(l, std::memory_order_relaxed);
  logger();
}

bool enabled(Level level) noexcept {
  return level >= g_level.load(std::memory_order_relaxed) && level != Level::off;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(128);
  line += "{\"ts\":\"";
  line += clock::now_iso8601();
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"event\":";
  json::write_string(line, event);
  for (const Field& f : fields) {
    if (f.value.is_undefined()) continue;
    line.push_back(',');
    json::write_string(line, f.key);
    line.push_back(':');
    json::write(line, f.value);
  }
  line.push_back('}');
  logger().log(level >= Level::error ? spdlog::level::err : spdlog::level::info, line);
}

}  // namespace hookd::log
