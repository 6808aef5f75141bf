// The bytes a RedisCommand puts on the wire, the RedisReply value type and the error category's messages.
#include <gtest/gtest.h>

#include <sstream>

#include "store/redis/command.h"
#include "store/redis/error.h"
#include "store/redis/reply.h"

namespace hookd::store {
namespace {

using namespace std::string_view_literals;

TEST(RedisCommand, EncodesArgumentsAsRespBulkStrings) {
  struct Case {
    RedisCommand command;
    std::string_view wire;
  };
  const Case cases[] = {
      {RedisCommand{}, "*0\r\n"},
      {RedisCommand{"PING"}, "*1\r\n$4\r\nPING\r\n"},
      {RedisCommand{"SET", "k", "v"}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
      {RedisCommand{"SET", "k", ""}, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"},
      // Bytes are never interpreted: CR LF, NUL and '$' go through with their length.
      {RedisCommand{"SET", "a\r\nb", "\0$*\xff"sv},
       "*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$4\r\n\0$*\xff\r\n"sv},
      {RedisCommand{"EXPIRE", "k"}.arg(int64_t{-42}), "*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$3\r\n-42\r\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(std::string(c.wire)));
    EXPECT_EQ(c.command.wire(), c.wire);
  }
}

TEST(RedisCommand, HeaderGrowsWithTheArgumentCount) {
  RedisCommand command{"RPUSH", "list"};
  for (int i = 0; i < 998; ++i)
    command.arg("x");
  EXPECT_EQ(command.size(), 1000u);
  EXPECT_TRUE(command.wire().starts_with("*1000\r\n$5\r\nRPUSH\r\n"));
  EXPECT_TRUE(command.wire().ends_with("$1\r\nx\r\n"));
}

TEST(RedisCommand, AppendConcatenatesArgumentsAndKeepsTheName) {
  RedisCommand tail{"1", "key"};
  RedisCommand command{"EVALSHA", "abc"};
  command.append(tail).append(RedisCommand{}).append(RedisCommand{"arg"});
  EXPECT_EQ(command.wire(), "*5\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n1\r\n$3\r\nkey\r\n$3\r\narg\r\n");
  EXPECT_EQ(command.name(), "EVALSHA");

  RedisCommand empty;
  empty.append(tail);
  EXPECT_EQ(empty.name(), "1");
  EXPECT_EQ(empty.size(), 2u);
}

TEST(RedisCommand, BuildsFromRuntimeLists) {
  std::vector<std::string> owned = {"HSET", "h", "f", "v"};
  std::vector<std::string_view> views = {"HSET", "h", "f", "v"};
  EXPECT_EQ(RedisCommand(owned).wire(), (RedisCommand{"HSET", "h", "f", "v"}.wire()));
  EXPECT_EQ(RedisCommand(std::span<const std::string_view>(views)).wire(), RedisCommand(owned).wire());
  EXPECT_EQ(RedisCommand(owned).name(), "HSET");
  EXPECT_TRUE(RedisCommand{}.name().empty());
}

TEST(RedisReply, RendersLikeRedisCli) {
  struct Case {
    RedisReply reply;
    std::string_view text;
  };
  const Case cases[] = {
      {RedisReply(), "(nil)"},
      {RedisReply::make_status("OK"), "OK"},
      {RedisReply::make_error("ERR no"), "(error) ERR no"},
      {RedisReply::make_integer(-7), "(integer) -7"},
      {RedisReply::make_string("a\"b\\\n\x01"), "\"a\\\"b\\\\\\x0a\\x01\""},
      {RedisReply::make_array({}), "[]"},
      {RedisReply::make_array({RedisReply::make_string("x"), RedisReply(),
                               RedisReply::make_array({RedisReply::make_integer(1)})}),
       "[\"x\", (nil), [(integer) 1]]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(c.reply.to_string(), c.text);
    std::ostringstream os;
    os << c.reply;
    EXPECT_EQ(os.str(), c.text);
  }
}

TEST(RedisReply, AccessorsAnswerOnlyForTheirType) {
  RedisReply nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.str(), "");
  EXPECT_EQ(nil.integer(), 0);
  EXPECT_EQ(nil.size(), 0u);

  RedisReply n = RedisReply::make_integer(42);
  EXPECT_TRUE(n.is_integer());
  EXPECT_EQ(n.integer(), 42);
  EXPECT_EQ(n.str(), "");

  RedisReply array = RedisReply::make_array({RedisReply::make_string("a"), RedisReply::make_integer(2)});
  ASSERT_EQ(array.size(), 2u);
  EXPECT_EQ(array[0], RedisReply::make_string("a"));
  EXPECT_EQ(array[1].integer(), 2);
  EXPECT_THROW(array[2], std::out_of_range);
  EXPECT_NE(RedisReply::make_string("OK"), RedisReply::make_status("OK")) << "type is part of the value";
}

TEST(RedisReply, ErrorCodeIsTheFirstWord) {
  RedisReply noscript = RedisReply::make_error("NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_TRUE(noscript.is_error());
  EXPECT_TRUE(noscript.is_error("NOSCRIPT"));
  EXPECT_FALSE(noscript.is_error("NOSCRIPTS"));
  EXPECT_FALSE(noscript.is_error("NOS"));
  EXPECT_TRUE(RedisReply::make_error("BOOM").is_error("BOOM"));
  EXPECT_FALSE(RedisReply::make_status("NOSCRIPT x").is_error("NOSCRIPT"));
  EXPECT_TRUE(RedisReply::make_status("PONG").is_status("PONG"));
  EXPECT_FALSE(RedisReply::make_string("PONG").is_status("PONG"));
}

TEST(RedisError, IsAnErrorCodeWithReadableMessages) {
  const RedisError all[] = {RedisError::not_connected,   RedisError::connection_lost,
                            RedisError::timeout,         RedisError::connect_failed,
                            RedisError::connect_timeout, RedisError::handshake_failed,
                            RedisError::closed,          RedisError::unexpected_reply,
                            RedisError::empty_command,   RedisError::unsupported_command};
  for (RedisError e : all) {
    boost::system::error_code ec = e;
    SCOPED_TRACE(ec.message());
    EXPECT_TRUE(ec);
    EXPECT_STREQ(ec.category().name(), "hookd.redis");
    EXPECT_NE(ec.message(), "unknown Redis error");
    EXPECT_EQ(ec, RedisError{e});
  }
  EXPECT_EQ(boost::system::error_code(RedisError::timeout).message(),
            "Redis did not reply within the command timeout (connection dropped; the command may have run)");
}

}  // namespace
}  // namespace hookd::store
