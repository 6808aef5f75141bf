#include "store/redis/reply.h"

#include <hiredis/hiredis.h>

#include <cstdio>
#include <ostream>

namespace hookd::store {

RedisReply RedisReply::make_status(std::string_view text) {
  RedisReply r;
  r.type_ = Type::status;
  r.str_ = text;
  return r;
}

RedisReply RedisReply::make_error(std::string_view text) {
  RedisReply r;
  r.type_ = Type::error;
  r.str_ = text;
  return r;
}

RedisReply RedisReply::make_integer(int64_t value) {
  RedisReply r;
  r.type_ = Type::integer;
  r.integer_ = value;
  return r;
}

RedisReply RedisReply::make_string(std::string_view bytes) {
  RedisReply r;
  r.type_ = Type::string;
  r.str_ = bytes;
  return r;
}

RedisReply RedisReply::make_array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type_ = Type::array;
  r.elements_ = std::move(elements);
  return r;
}

bool RedisReply::is_error(std::string_view code) const noexcept {
  if (!is_error() || !std::string_view(str_).starts_with(code)) return false;
  return str_.size() == code.size() || str_[code.size()] == ' ';
}

namespace {

void append_quoted(std::string& out, std::string_view bytes) {
  out += '"';
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      out += esc;
    }
  }
  out += '"';
}

void append_reply(std::string& out, const RedisReply& r) {
  switch (r.type()) {
    case RedisReply::Type::nil:
      out += "(nil)";
      return;
    case RedisReply::Type::status:
      out += r.str();
      return;
    case RedisReply::Type::error:
      out += "(error) ";
      out += r.str();
      return;
    case RedisReply::Type::integer:
      out += "(integer) ";
      out += std::to_string(r.integer());
      return;
    case RedisReply::Type::string:
      append_quoted(out, r.str());
      return;
    case RedisReply::Type::array:
      out += '[';
      for (size_t i = 0; i < r.size(); ++i) {
        if (i) out += ", ";
        append_reply(out, r[i]);
      }
      out += ']';
      return;
  }
}

}  // namespace

std::string RedisReply::to_string() const {
  std::string out;
  append_reply(out, *this);
  return out;
}

std::ostream& operator<<(std::ostream& os, const RedisReply& reply) {
  return os << reply.to_string();
}

namespace detail {

RedisReply copy_reply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STATUS:
      return RedisReply::make_status(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return RedisReply::make_error(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_INTEGER:
      return RedisReply::make_integer(reply.integer);
    case REDIS_REPLY_STRING:
      return RedisReply::make_string(std::string_view(reply.str, reply.len));
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i)
        elements.push_back(copy_reply(*reply.element[i]));
      return RedisReply::make_array(std::move(elements));
    }
    default:  // REDIS_REPLY_NIL
      return RedisReply();
  }
}

}  // namespace detail

}  // namespace hookd::store
