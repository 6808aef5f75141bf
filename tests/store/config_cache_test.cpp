// The config cache against a real Redis: it serves repeated reads from memory, and a write made through
// another connection (as another hookd process would) is in force for the next read, every time; after its
// subscription is cut, it reads Redis until it has subscribed again and forgotten what it held.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "config_cache_fixture.h"

namespace hookd::store {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    out.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return out;
}

// The client id of a CLIENT LIST line ("id=7 addr=... name=... ...": the id comes first).
std::string_view client_id(std::string_view line) {
  if (line.substr(0, 3) != "id=") return {};
  return line.substr(3, line.find(' ') - 3);
}

TEST_F(ConfigCacheTest, RepeatedReadsComeFromMemory) {
  EXPECT_EQ(resolved_secret(), "s0");
  auto before = cache_->stats();
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(resolved_secret(), "s0");
  auto after = cache_->stats();
  EXPECT_EQ(after.hits - before.hits, 10u);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.records, 4u);  // the account, its install, integration and environment
}

TEST_F(ConfigCacheTest, AWriteByAnotherConnectionIsSeenByTheNextRead) {
  for (int round = 1; round <= 300; ++round) {
    ASSERT_EQ(resolved_secret(), "s" + std::to_string(round - 1));  // cached again after each change
    std::string secret = "s" + std::to_string(round);
    set_secret(secret);
    ASSERT_EQ(resolved_secret(), secret) << "round " << round << " served the replaced secret";
  }
  EXPECT_GT(cache_->stats().hits, 0u);
}

TEST_F(ConfigCacheTest, ChangesToTheOtherRecordsAreSeenToo) {
  ASSERT_TRUE(run(cache_->resolve_account("acc-1")).ok());
  auto integration = run(reader_->get_integration("int-1"));
  ASSERT_TRUE(integration.ok());
  Integration changed = *integration;
  ASSERT_TRUE(json::parse(R"({"webhook":{"payload_transform":"$"}})", changed.config));
  changed.version = integration->version + 1;
  ASSERT_TRUE(run(writer_->update_integration(changed, integration->version)).ok());
  auto r = run(cache_->resolve_account("acc-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->integration.version, changed.version);

  Environment env = r->environment;
  ASSERT_TRUE(json::parse(R"({"region":"eu"})", env.variables));
  ASSERT_TRUE(run(writer_->put_environment(env)).ok());
  r = run(cache_->resolve_account("acc-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->environment.variables.get("region").string_or(""), "eu");

  ASSERT_TRUE(run(writer_->delete_account(account_)).ok());
  EXPECT_EQ(run(cache_->resolve_account("acc-1")).error().code, StoreErrc::not_found);
}

// An environment is replaced only as it was read (its updated_at is its version): a writer that read it before
// another's change gets a conflict instead of putting back what it read, and nothing is created for an id
// without a record. The change that lands is seen through the cache at once.
TEST_F(ConfigCacheTest, AnEnvironmentIsUpdatedOnlyAsItWasRead) {
  auto read = run(writer_->get_environment(account_.environment_id));
  ASSERT_TRUE(read.ok()) << read.error().message;
  Environment first = *read;
  ASSERT_TRUE(json::parse(R"({"region":"eu"})", first.variables));
  first.updated_at = read->updated_at + 1;
  ASSERT_TRUE(run(writer_->update_environment(first, read->updated_at)).ok());

  Environment stale = *read;  // read before the change above
  stale.name = "renamed";
  stale.updated_at = read->updated_at + 1;
  auto lost = run(writer_->update_environment(stale, read->updated_at));
  ASSERT_FALSE(lost.ok()) << "a write based on an old read replaced the change";
  EXPECT_EQ(lost.error().code, StoreErrc::conflict);
  auto r = run(cache_->resolve_account(account_.id));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->environment.variables.get("region").string_or(""), "eu");
  EXPECT_NE(r->environment.name, "renamed");

  Environment missing = *read;
  missing.id = id("no-such-environment");
  auto none = run(writer_->update_environment(missing, read->updated_at));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, StoreErrc::not_found);
  EXPECT_EQ(run(writer_->get_environment(missing.id)).error().code, StoreErrc::not_found);
}

TEST_F(ConfigCacheTest, ACutSubscriptionMakesItReadRedisUntilItHasSubscribedAgain) {
  EXPECT_EQ(resolved_secret(), "s0");
  EXPECT_EQ(resolved_secret(), "s0");
  // Kill only this test's subscriber (the pub/sub client with its name), then change the secret before it
  // is back: the message is lost, so only the reconnect's clear can make the change visible.
  auto clients = run(writer_->command(RedisCommand{"CLIENT", "LIST", "TYPE", "pubsub"}));
  ASSERT_TRUE(clients.ok()) << clients.error().message;
  std::string id;
  for (std::string_view line : split_lines(clients->str()))
    if (line.find(" name=" + options_.client_name + " ") != std::string_view::npos)
      id = std::string(client_id(line));
  ASSERT_FALSE(id.empty()) << "no subscriber named " << options_.client_name << " in " << clients->str();
  auto killed = run(writer_->command(RedisCommand{"CLIENT", "KILL", "ID", id}));
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  set_secret("s1");
  EXPECT_EQ(resolved_secret(), "s1");  // down, or up and cleared: either way not the old copy
  wait_live();
  EXPECT_EQ(resolved_secret(), "s1");
  set_secret("s2");
  EXPECT_EQ(resolved_secret(), "s2");
}

// Endpoints, as the dispatcher reads them: by environment (fan-out) and by id (each attempt signs with the
// secret): a rotated secret, a disabled, a new and a deleted endpoint are all seen by the next read.
TEST_F(ConfigCacheTest, EndpointChangesAreSeenByTheNextRead) {
  Webhook w;
  w.id = "wh-1";
  w.environment_id = "env-1";
  w.target_url = "https://example.com/hook";
  w.secret = "whsec_0";
  w.created_at = w.updated_at = clock::now_millis();
  ASSERT_TRUE(run(writer_->create_webhook(w)).ok());
  auto secret_by_id = [&] {
    auto r = run(cache_->get_webhook("wh-1"));
    return r.ok() ? r->secret : "<" + r.error().message + ">";
  };
  auto listed = [&] {
    auto r = run(cache_->list_webhooks("env-1"));
    std::string out;
    for (const auto& x : **r)
      out += x.id + "=" + x.secret + (x.is_active ? "" : "(off)") + ";";
    return out;
  };
  EXPECT_EQ(listed(), "wh-1=whsec_0;");
  for (int round = 1; round <= 100; ++round) {
    ASSERT_EQ(secret_by_id(), "whsec_" + std::to_string(round - 1));
    std::string secret = "whsec_" + std::to_string(round);
    auto changed = run(writer_->update_webhook("wh-1", [&](Webhook& cur) {
      cur.secret = secret;
      return true;
    }));
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    ASSERT_EQ(secret_by_id(), secret) << "round " << round;
    ASSERT_EQ(listed(), "wh-1=" + secret + ";") << "round " << round;
  }
  ASSERT_TRUE(run(writer_->disable_webhook("wh-1", "test", clock::now_millis())).ok());
  EXPECT_EQ(listed(), "wh-1=whsec_100(off);");
  Webhook second = w;
  second.id = "wh-2";
  second.secret = "whsec_b";
  second.created_at += 1;
  ASSERT_TRUE(run(writer_->create_webhook(second)).ok());
  EXPECT_EQ(listed(), "wh-1=whsec_100(off);wh-2=whsec_b;");
  ASSERT_TRUE(run(writer_->delete_webhook(second)).ok());
  EXPECT_EQ(listed(), "wh-1=whsec_100(off);");
  EXPECT_EQ(run(cache_->get_webhook("wh-2")).error().code, StoreErrc::not_found);
  EXPECT_GT(cache_->stats().hits, 50u);  // used, though a fill that raced a change is not kept
}

}  // namespace
}  // namespace hookd::store
