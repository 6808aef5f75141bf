// Redis Cluster's key slots, checked against the values the Redis Cluster specification gives (CRC16 XMODEM of
// "123456789" is 0x31C3) and that CLUSTER KEYSLOT answers, and the keys hookd's commands name.
#include <gtest/gtest.h>

#include "store/redis/slots.h"

namespace hookd::store {
namespace {

TEST(Slots, Crc16IsXmodem) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);
  EXPECT_EQ(crc16(""), 0);
}

TEST(Slots, KeySlotsMatchRedis) {
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
}

TEST(Slots, HashTagsFollowTheSpecification) {
  EXPECT_EQ(hash_tag("hookd:{env-1}:schedule"), "env-1");
  EXPECT_EQ(hash_tag("foo{}{bar}"), "foo{}{bar}") << "an empty tag: the whole key";
  EXPECT_EQ(hash_tag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(hash_tag("foo{bar}{zap}"), "bar") << "the first tag only";
  EXPECT_EQ(hash_tag("no tag"), "no tag");
  EXPECT_EQ(hash_tag("open{only"), "open{only");
}

TEST(Slots, CommandKeys) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(command_keys(RedisCommand{"HSET", "k1", "f", "v"}), V{"k1"});
  EXPECT_EQ(command_keys(RedisCommand{"EVALSHA", "abc", 2, "k1", "k2", "arg"}), (V{"k1", "k2"}));
  EXPECT_EQ(command_keys(RedisCommand{"evalsha", "abc", 0, "arg"}), V{});
  EXPECT_EQ(command_keys(RedisCommand{"EVAL", "return 1", 5, "k1"}), V{"k1"}) << "no more keys than given";
  EXPECT_EQ(command_keys(RedisCommand{"DEL", "a", "b"}), (V{"a", "b"}));
  EXPECT_EQ(command_keys(RedisCommand{"MSET", "a", "1", "b", "2"}), (V{"a", "b"}));
  EXPECT_EQ(command_keys(RedisCommand{"PING"}), V{});
  EXPECT_EQ(command_keys(RedisCommand{"SCRIPT", "LOAD", "return 1"}), V{});
  std::string binary("k\r\n\0x", 5);
  EXPECT_EQ(command_keys(RedisCommand{"GET", std::string_view(binary)}), V{binary}) << "bytes, not text";
}

TEST(Slots, CrossSlotFindsKeysInTwoSlots) {
  std::vector<RedisCommand> tagged;
  tagged.push_back(RedisCommand{"EVALSHA", "abc", 2, "hookd:{w1}:a", "hookd:{w1}:b"});
  tagged.push_back(RedisCommand{"HSET", "x{w1}y", "f", "v"});
  EXPECT_FALSE(cross_slot(tagged));
  std::vector<RedisCommand> mixed;
  mixed.push_back(RedisCommand{"EVALSHA", "abc", 2, "foo", "bar"});
  auto cross = cross_slot(mixed);
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->first, "foo");
  EXPECT_EQ(cross->second, "bar");
}

}  // namespace
}  // namespace hookd::store
