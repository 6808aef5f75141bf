// One Redis command, encoded as RESP as its arguments are added. Arguments are bytes: any length, any content
// (NUL, CR LF, invalid UTF-8), never interpreted. Building happens on the caller's thread; the connection's
// strand only hands the finished bytes to hiredis.
#pragma once

#include <cstddef>
#include <cstdint>
#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hookd::store {

// An argument: anything that converts to std::string_view, or an integer (written in decimal).
template <typename T>
concept RedisArgument = std::convertible_to<const T&, std::string_view> ||
    (std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>);

class RedisCommand {
 public:
  RedisCommand();
  // `client->async_command({"SET", key, value}, ...)`, `{"EXPIRE", key, 30}`. A variadic constructor rather
  // than an initializer_list: GCC 12 rejects an initializer_list temporary inside a co_await expression
  // ("array used as initializer"), and `co_await client->async_command({...}, ...)` is the common call.
  template <typename... Args>
  requires(sizeof...(Args) > 0 && (RedisArgument<std::remove_cvref_t<Args>> && ...))
      RedisCommand(const Args&... args)
      : RedisCommand() {
    (add(args), ...);
  }
  explicit RedisCommand(std::span<const std::string_view> args);
  explicit RedisCommand(const std::vector<std::string>& args);

  RedisCommand& arg(std::string_view a);
  RedisCommand& arg(int64_t n);
  // Appends every argument of `other`.
  RedisCommand& append(const RedisCommand& other);

  size_t size() const noexcept { return argc_; }
  bool empty() const noexcept { return argc_ == 0; }
  // The first argument (the command's name), as given.
  std::string_view name() const noexcept;
  // `*<argc>\r\n` followed by `$<len>\r\n<bytes>\r\n` per argument.
  std::string_view wire() const noexcept { return std::string_view(buf_).substr(head_); }

 private:
  template <typename T>
  void add(const T& a) {
    if constexpr (std::convertible_to<const T&, std::string_view>)
      arg(std::string_view(a));
    else
      arg(static_cast<int64_t>(a));
  }
  void write_header();

  // The header's digits change as arguments are added, so the buffer keeps room for the longest header in
  // front of the arguments and the header is rewritten right-aligned into it: wire() is one contiguous view
  // and is never copied again.
  static constexpr size_t header_room = 24;
  std::string buf_;
  size_t head_ = header_room;
  size_t argc_ = 0;
  size_t name_offset_ = 0;
  size_t name_size_ = 0;
};

}  // namespace hookd::store
