// Wall-clock time as hookd stores and prints it: Unix milliseconds and ISO 8601 UTC
// ("2026-11-26T09:11:00.123Z").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookd::clock {

int64_t now_millis() noexcept;
std::string iso8601(int64_t unix_millis);
std::string now_iso8601();
// Parses what iso8601() writes, plus second precision and numeric offsets ("+05:30"). nullopt on anything
// else.
std::optional<int64_t> parse_iso8601(std::string_view text) noexcept;

}  // namespace hookd::clock
