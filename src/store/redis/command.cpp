#include "store/redis/command.h"

#include <charconv>
#include <cstring>

namespace hookd::store {

RedisCommand::RedisCommand() : buf_(header_room, '\0') {
  write_header();
}

RedisCommand::RedisCommand(std::span<const std::string_view> args) : RedisCommand() {
  for (std::string_view a : args)
    arg(a);
}

RedisCommand::RedisCommand(const std::vector<std::string>& args) : RedisCommand() {
  for (const std::string& a : args)
    arg(a);
}

RedisCommand& RedisCommand::arg(std::string_view a) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, a.size());
  buf_ += '$';
  buf_.append(digits, end);
  buf_ += "\r\n";
  if (argc_ == 0) {
    name_offset_ = buf_.size();
    name_size_ = a.size();
  }
  buf_ += a;
  buf_ += "\r\n";
  ++argc_;
  write_header();
  return *this;
}

RedisCommand& RedisCommand::arg(int64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  return arg(std::string_view(digits, static_cast<size_t>(end - digits)));
}

RedisCommand& RedisCommand::append(const RedisCommand& other) {
  if (other.argc_ == 0) return *this;
  if (argc_ == 0) {
    name_offset_ = buf_.size() + (other.name_offset_ - header_room);
    name_size_ = other.name_size_;
  }
  buf_.append(other.buf_, header_room, std::string::npos);
  argc_ += other.argc_;
  write_header();
  return *this;
}

std::string_view RedisCommand::name() const noexcept {
  if (argc_ == 0) return {};
  return std::string_view(buf_).substr(name_offset_, name_size_);
}

void RedisCommand::write_header() {
  char header[header_room];
  char* p = header;
  *p++ = '*';
  p = std::to_chars(p, header + sizeof header, argc_).ptr;
  *p++ = '\r';
  *p++ = '\n';
  size_t len = static_cast<size_t>(p - header);
  head_ = header_room - len;
  std::memcpy(buf_.data() + head_, header, len);
}

}  // namespace hookd::store
