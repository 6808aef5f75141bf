// A Redis reply that owns its data: copied out of hiredis' reply inside the callback, so it can travel to any
// thread and outlive the connection. RESP2 types only (hiredis 0.14 speaks RESP2).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace hookd::store {

class RedisReply {
 public:
  enum class Type : uint8_t { nil, status, error, integer, string, array };

  RedisReply() = default;  // nil
  static RedisReply make_status(std::string_view text);
  static RedisReply make_error(std::string_view text);
  static RedisReply make_integer(int64_t value);
  static RedisReply make_string(std::string_view bytes);
  static RedisReply make_array(std::vector<RedisReply> elements);

  Type type() const noexcept { return type_; }
  bool is_nil() const noexcept { return type_ == Type::nil; }
  bool is_status() const noexcept { return type_ == Type::status; }
  bool is_error() const noexcept { return type_ == Type::error; }
  bool is_integer() const noexcept { return type_ == Type::integer; }
  bool is_string() const noexcept { return type_ == Type::string; }
  bool is_array() const noexcept { return type_ == Type::array; }
  // An error reply whose code (its first word) is `code`: is_error("NOSCRIPT"), is_error("WRONGTYPE").
  bool is_error(std::string_view code) const noexcept;
  // A status reply equal to `text`: is_status("OK").
  bool is_status(std::string_view text) const noexcept { return is_status() && str_ == text; }

  // The bytes of a string reply, or the text of a status or error reply; empty for the other types.
  std::string_view str() const noexcept { return str_; }
  // The value of an integer reply; 0 for the other types.
  int64_t integer() const noexcept { return integer_; }
  // The elements of an array reply; empty for the other types.
  const std::vector<RedisReply>& elements() const noexcept { return elements_; }
  size_t size() const noexcept { return elements_.size(); }
  const RedisReply& operator[](size_t i) const { return elements_.at(i); }
  // Moves the elements out (an array reply's parts handed to different owners without copying).
  std::vector<RedisReply> take_elements() && noexcept { return std::move(elements_); }

  // redis-cli style ("OK", "(nil)", "(integer) 3", "\"bytes\"", "(error) ERR ...", arrays as "[a, b]"), for
  // logs and test failures. Non-printable bytes are escaped.
  std::string to_string() const;

  friend bool operator==(const RedisReply&, const RedisReply&) = default;

 private:
  Type type_ = Type::nil;
  int64_t integer_ = 0;
  std::string str_;
  std::vector<RedisReply> elements_;
};

std::ostream& operator<<(std::ostream& os, const RedisReply& reply);

namespace detail {
// Deep copy of a hiredis reply (which hiredis frees as soon as the callback returns).
RedisReply copy_reply(const redisReply& reply);
}  // namespace detail

}  // namespace hookd::store
