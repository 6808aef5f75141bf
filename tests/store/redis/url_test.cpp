// RedisOptions::from_url: what every hookd process parses from its configuration before it talks to Redis.
#include "store/redis/options.h"

#include <gtest/gtest.h>

namespace hookd::store {
namespace {

struct ValidUrl {
  const char* url;
  const char* host;
  uint16_t port;
  const char* username;
  const char* password;
  int db;
};

TEST(RedisUrl, ParsesValidUrls) {
  const ValidUrl cases[] = {
      {"redis://127.0.0.1:16379", "127.0.0.1", 16379, "", "", 0},
      {"redis://localhost", "localhost", 6379, "", "", 0},
      {"redis://redis.internal:6380/", "redis.internal", 6380, "", "", 0},
      {"redis://redis:6379/3", "redis", 6379, "", "", 3},
      {"redis://:s3cret@10.0.0.5:6379/1", "10.0.0.5", 6379, "", "s3cret", 1},
      {"redis://hookd:s3cret@cache:7000", "cache", 7000, "hookd", "s3cret", 0},
      // Escaped and unescaped reserved characters in the password; the last '@' ends the user info.
      {"redis://:p%40ss%3Aw%2Fd@h:1", "h", 1, "", "p@ss:w/d", 0},
      {"redis://:p@ss@h:1", "h", 1, "", "p@ss", 0},
      {"redis://[::1]:6379/2", "::1", 6379, "", "", 2},
      {"redis://[::1]", "::1", 6379, "", "", 0},
  };
  for (const ValidUrl& c : cases) {
    SCOPED_TRACE(c.url);
    auto parsed = RedisOptions::from_url(c.url);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    const RedisOptions& options = *parsed;
    EXPECT_EQ(options.host, c.host);
    EXPECT_EQ(options.port, c.port);
    EXPECT_EQ(options.username, c.username);
    EXPECT_EQ(options.password, c.password);
    EXPECT_EQ(options.db, c.db);
  }
}

struct InvalidUrl {
  const char* url;
  const char* error;
};

TEST(RedisUrl, RejectsMalformedUrlsWithAReason) {
  const InvalidUrl cases[] = {
      {"", "redis URL: must start with redis:// or redis+cluster://"},
      {"http://localhost:6379", "redis URL: must start with redis:// or redis+cluster://"},
      {"localhost:6379", "redis URL: must start with redis:// or redis+cluster://"},
      {"rediss://localhost:6379", "redis URL: TLS (rediss://) is not supported"},
      {"redis://", "redis URL: missing host"},
      {"redis://:6379", "redis URL: missing host"},
      {"redis://:pw@:6379", "redis URL: missing host"},
      {"redis://host:", "redis URL: port must be a number from 1 to 65535"},
      {"redis://host:0", "redis URL: port must be a number from 1 to 65535"},
      {"redis://host:65536", "redis URL: port must be a number from 1 to 65535"},
      {"redis://host:-1", "redis URL: port must be a number from 1 to 65535"},
      {"redis://host:63a", "redis URL: port must be a number from 1 to 65535"},
      {"redis://host:6379/x", "redis URL: database must be a non-negative number: redis://host:port/3"},
      {"redis://host:6379/-1", "redis URL: database must be a non-negative number: redis://host:port/3"},
      {"redis://host:6379/1/2", "redis URL: database must be a non-negative number: redis://host:port/3"},
      {"redis://host:6379/0?timeout=1", "redis URL: query parameters and fragments are not supported"},
      {"redis://secret@host", "redis URL: user info needs a password: redis://[user]:password@host"},
      {"redis://user:@host", "redis URL: empty password"},
      {"redis://:bad%zzescape@host", "redis URL: bad percent-escape in user or password"},
      {"redis://:bad%4@host", "redis URL: bad percent-escape in user or password"},
      {"redis://[::1", "redis URL: unterminated [IPv6] host"},
      {"redis://[::1]6379", "redis URL: unexpected text after ]"},
      {"redis://ho st:6379", "redis URL: invalid character in host"},
  };
  for (const InvalidUrl& c : cases) {
    SCOPED_TRACE(c.url);
    auto parsed = RedisOptions::from_url(c.url);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message, c.error);
    EXPECT_EQ(parsed.error().code, RedisErrc::invalid_url);
    EXPECT_TRUE(parsed.error().is(Fault::invalid_config));
  }
}

TEST(RedisUrl, ErrorsNeverContainThePassword) {
  const char* urls[] = {"redis://:hunter2@host:99999", "redis://:hunter2@host/db", "redis://:hunter2@"};
  for (const char* url : urls) {
    SCOPED_TRACE(url);
    auto parsed = RedisOptions::from_url(url);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message.find("hunter2"), std::string::npos) << parsed.error().message;
  }
}

TEST(RedisUrl, KeepsTimeoutsAndReplacesCredentials) {
  RedisOptions base;
  base.command_timeout = std::chrono::milliseconds(750);
  base.client_name = "hookd-dispatch";
  auto first = RedisOptions::from_url("redis://u:p@a:1/2", base);
  ASSERT_TRUE(first.ok());
  auto second = RedisOptions::from_url("redis://b:3", *first);
  ASSERT_TRUE(second.ok());
  const RedisOptions& options = *second;
  EXPECT_EQ(options.host, "b");
  EXPECT_EQ(options.port, 3);
  EXPECT_EQ(options.username, "") << "credentials of an earlier URL must not leak into the next";
  EXPECT_EQ(options.password, "");
  EXPECT_EQ(options.db, 0);
  EXPECT_EQ(options.command_timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(options.client_name, "hookd-dispatch");
}

TEST(RedisUrl, RedactedUrlHasNoCredentials) {
  auto options = RedisOptions::from_url("redis://admin:hunter2@cache:6380/4");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->redacted_url(), "redis://cache:6380/4");
  options = RedisOptions::from_url("redis://[::1]:7000", *options);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->redacted_url(), "redis://[::1]:7000/0");
}

TEST(RedisUrl, ClusterUrlListsSeedNodes) {
  auto parsed = RedisOptions::from_url("redis+cluster://hookd:s3cret@10.0.0.1:7000,10.0.0.2,[::1]:7002");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const RedisOptions& options = *parsed;
  EXPECT_TRUE(options.cluster);
  const std::vector<RedisEndpoint> seeds = {{"10.0.0.1", 7000}, {"10.0.0.2", 6379}, {"::1", 7002}};
  EXPECT_EQ(options.seeds, seeds);
  EXPECT_EQ(options.host, "10.0.0.1") << "host and port are the first seed";
  EXPECT_EQ(options.port, 7000);
  EXPECT_EQ(options.username, "hookd");
  EXPECT_EQ(options.password, "s3cret");
  EXPECT_EQ(options.db, 0);
  EXPECT_EQ(options.redacted_url(), "redis+cluster://10.0.0.1:7000,10.0.0.2:6379,[::1]:7002");

  auto with_db0 = RedisOptions::from_url("redis+cluster://a:1/0");
  ASSERT_TRUE(with_db0.ok()) << with_db0.error().message;
  EXPECT_EQ(with_db0->seeds.size(), 1u);

  auto plain = RedisOptions::from_url("redis://b:2", *parsed);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->cluster) << "a plain URL after a cluster one is one server again";
  EXPECT_TRUE(plain->seeds.empty());
}

TEST(RedisUrl, RejectsBadClusterUrls) {
  const InvalidUrl cases[] = {
      {"redis+cluster://a:1,b:2/3",
       "redis URL: Redis Cluster has only database 0: redis+cluster://host:port[,host:port...]"},
      {"redis+cluster://a:1,,b:2", "redis URL: missing host"},
      {"redis+cluster://a:1,b:x", "redis URL: port must be a number from 1 to 65535"},
      {"redis+cluster://", "redis URL: missing host"},
  };
  for (const InvalidUrl& c : cases) {
    SCOPED_TRACE(c.url);
    auto parsed = RedisOptions::from_url(c.url);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message, c.error);
  }
}

}  // namespace
}  // namespace hookd::store
