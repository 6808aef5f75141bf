// The cluster client's reading of CLUSTER SLOTS and of MOVED / ASK redirections.
#include "store/redis/slot_map.h"

#include <gtest/gtest.h>

namespace hookd::store::detail {
namespace {

RedisReply node(std::string_view ip, int64_t port, std::string_view id) {
  return RedisReply::make_array(
      {RedisReply::make_string(ip), RedisReply::make_integer(port), RedisReply::make_string(id)});
}

RedisReply range(int64_t first, int64_t last, std::vector<RedisReply> nodes) {
  std::vector<RedisReply> elements{RedisReply::make_integer(first), RedisReply::make_integer(last)};
  for (RedisReply& n : nodes)
    elements.push_back(std::move(n));
  return RedisReply::make_array(std::move(elements));
}

TEST(SlotMap, ReadsMastersOfEveryRange) {
  const RedisReply reply = RedisReply::make_array({
      range(0, 5460, {node("127.0.0.1", 7000, "a"), node("127.0.0.1", 7003, "d")}),
      range(5461, 10922, {node("", 7001, "b")}),  // a node that does not know its address
      range(10923, 16383, {node("127.0.0.1", 7002, "c")}),
  });
  std::string error;
  auto map = SlotMap::parse(reply, RedisEndpoint{"10.1.1.1", 7000}, &error);
  ASSERT_TRUE(map) << error;
  ASSERT_EQ(map->ranges.size(), 3u);
  EXPECT_EQ(map->ranges[1].master, (RedisEndpoint{"10.1.1.1", 7001})) << "empty ip: the host that was asked";
  EXPECT_EQ(map->uncovered(), 0u);
  const std::vector<RedisEndpoint> masters = {{"127.0.0.1", 7000}, {"10.1.1.1", 7001}, {"127.0.0.1", 7002}};
  EXPECT_EQ(map->masters(), masters) << "replicas are not masters";
}

TEST(SlotMap, CountsUncoveredSlotsAndRefusesGarbage) {
  std::string error;
  auto partial =
      SlotMap::parse(RedisReply::make_array({range(0, 99, {node("h", 1, "a")})}), {"h", 1}, &error);
  ASSERT_TRUE(partial) << error;
  EXPECT_EQ(partial->uncovered(), 16384u - 100u);

  EXPECT_FALSE(SlotMap::parse(RedisReply::make_error("ERR This instance has cluster support disabled"),
                              {"h", 1}, &error));
  EXPECT_EQ(error, "CLUSTER SLOTS: ERR This instance has cluster support disabled");
  EXPECT_FALSE(
      SlotMap::parse(RedisReply::make_array({range(5, 16384, {node("h", 1, "a")})}), {"h", 1}, &error));
  EXPECT_FALSE(SlotMap::parse(RedisReply::make_array({range(0, 1, {RedisReply::make_string("x")})}), {"h", 1},
                              &error));
}

TEST(SlotMap, ParsesRedirections) {
  const RedisEndpoint from{"10.0.0.9", 7000};
  auto moved = parse_redirect(RedisReply::make_error("MOVED 3999 127.0.0.1:6381"), from);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, Redirect::Kind::moved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->target, (RedisEndpoint{"127.0.0.1", 6381}));

  auto ask = parse_redirect(RedisReply::make_error("ASK 12 :7005"), from);
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->kind, Redirect::Kind::ask);
  EXPECT_EQ(ask->target, (RedisEndpoint{"10.0.0.9", 7005})) << "an empty host is the node that answered";

  auto v6 = parse_redirect(RedisReply::make_error("MOVED 1 ::1:7001"), from);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->target, (RedisEndpoint{"::1", 7001}));

  EXPECT_FALSE(
      parse_redirect(RedisReply::make_error("TRYAGAIN Multiple keys request during rehashing"), from));
  EXPECT_FALSE(parse_redirect(RedisReply::make_error("MOVED 99999 h:1"), from));
  EXPECT_FALSE(parse_redirect(RedisReply::make_string("MOVED 1 h:1"), from));
  EXPECT_EQ(endpoint_name({"::1", 7001}), "[::1]:7001");
}

}  // namespace
}  // namespace hookd::store::detail
