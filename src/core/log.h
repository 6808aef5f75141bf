// Structured logs: one JSON object per line ({"ts","level","event",...fields}) through spdlog. An event name
// says what happened ("delivery.dead_lettered"); fields carry ids and figures. Secrets are never passed as
// fields.
#pragma once

#include <initializer_list>
#include <string_view>

#include "hookd/json.h"

namespace hookd::log {

enum class Level { debug, info, warn, error, off };

struct Field {
  std::string_view key;
  json::Value value;
};

// Sets the level ("debug", "info", "warn", "error", "off") and writes to stderr. Call once at startup.
void init(std::string_view level);
bool enabled(Level level) noexcept;
void write(Level level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::debug)) write(Level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::info)) write(Level::info, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::warn)) write(Level::warn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::error)) write(Level::error, event, fields);
}

}  // namespace hookd::log
