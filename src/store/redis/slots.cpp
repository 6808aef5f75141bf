#include "store/redis/slots.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace hookd::store {

namespace {

constexpr std::array<uint16_t, 256> make_crc_table() {
  std::array<uint16_t, 256> table{};
  for (uint16_t i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit)
      crc = static_cast<uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = make_crc_table();

bool name_is(std::string_view name, std::string_view upper) {
  return name.size() == upper.size() &&
         std::equal(name.begin(), name.end(), upper.begin(),
                    [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
}

bool any_of_names(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (name_is(name, n)) return true;
  return false;
}

}  // namespace

uint16_t crc16(std::string_view bytes) noexcept {
  uint16_t crc = 0;
  for (unsigned char c : bytes)
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

std::string_view hash_tag(std::string_view key) noexcept {
  size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint16_t key_slot(std::string_view key) noexcept {
  return crc16(hash_tag(key)) & (kClusterSlots - 1);
}

std::vector<std::string_view> command_args(const RedisCommand& command) {
  // The wire form is `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument.
  std::vector<std::string_view> args;
  std::string_view w = command.wire();
  size_t at = w.find("\r\n");
  while (at != std::string_view::npos && at + 2 < w.size()) {
    at += 2;
    if (w[at] != '$') break;
    size_t end = w.find("\r\n", at);
    if (end == std::string_view::npos) break;
    size_t len = 0;
    std::from_chars(w.data() + at + 1, w.data() + end, len);
    args.push_back(w.substr(end + 2, len));
    at = end + 2 + len;
  }
  return args;
}

std::vector<std::string_view> command_keys(const RedisCommand& command) {
  std::vector<std::string_view> args = command_args(command);
  if (args.size() < 2) return {};
  std::string_view name = args[0];
  if (any_of_names(name, {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})) {
    size_t n = 0;
    if (args.size() < 3) return {};
    std::from_chars(args[2].data(), args[2].data() + args[2].size(), n);
    n = std::min(n, args.size() - 3);
    return {args.begin() + 3, args.begin() + 3 + static_cast<std::ptrdiff_t>(n)};
  }
  if (any_of_names(name, {"PING",     "SCRIPT",  "INFO",   "CONFIG", "CLIENT",  "CLUSTER",   "MULTI",
                          "EXEC",     "DISCARD", "SELECT", "AUTH",   "HELLO",   "FLUSHDB",   "FLUSHALL",
                          "DBSIZE",   "KEYS",    "SCAN",   "TIME",   "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE",
                          "FUNCTION", "WAIT",    "ECHO",   "ASKING"}))
    return {};
  if (any_of_names(name, {"DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "WATCH"}))
    return {args.begin() + 1, args.end()};
  if (any_of_names(name, {"MSET", "MSETNX"})) {
    std::vector<std::string_view> keys;
    for (size_t i = 1; i < args.size(); i += 2)
      keys.push_back(args[i]);
    return keys;
  }
  return {args[1]};
}

std::optional<CrossSlot> cross_slot(const std::vector<RedisCommand>& commands) {
  std::optional<std::string_view> first;
  uint16_t slot = 0;
  for (const RedisCommand& c : commands)
    for (std::string_view key : command_keys(c)) {
      uint16_t s = key_slot(key);
      if (!first) {
        first = key;
        slot = s;
      } else if (s != slot) {
        return CrossSlot{*first, key};
      }
    }
  return std::nullopt;
}

}  // namespace hookd::store
