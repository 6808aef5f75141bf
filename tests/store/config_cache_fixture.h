// The config cache's test fixture: a writer and a reader Store on their own connections (as two hookd processes
// would have), a ConfigCache over the reader, and one seeded account with its install, integration and
// environment. On db 4 of the test Redis by default; a subclass may choose another Redis (redis_options).
#pragma once

#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "run_coroutine.h"
#include "services.h"
#include "slot_audit.h"
#include "store/config_cache.h"
#include "store/store.h"

namespace hookd::store {

using namespace std::chrono_literals;

constexpr int kDb = 4;  // shared with account_lookup_test.cpp, under the same resource lock

class ConfigCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ro = redis_options();
    ASSERT_TRUE(ro.ok()) << ro.error().message;
    options_ = test::SlotAudit::on(*ro);
    options_.client_name = "config-cache-test-" + std::to_string(::getpid());
    writer_redis_ = RedisClient::create(io_.get_executor(), options_);
    reader_redis_ = RedisClient::create(io_.get_executor(), options_);
    writer_ = std::make_unique<Store>(writer_redis_);
    reader_ = std::make_unique<Store>(reader_redis_);
    cache_ = ConfigCache::create(*reader_, io_.get_executor(), options_, 1000);
    seed();
    wait_live();
  }
  void TearDown() override {
    if (cache_) cache_->close();
    if (writer_redis_) writer_redis_->close();
    if (reader_redis_) reader_redis_->close();
    work_.reset();
    io_.stop();
    thread_.join();
    audit_.check();
  }

  // The Redis the test runs on: db 4 of the test Redis, flushed.
  virtual Result<RedisOptions> redis_options() {
    test::redis_flush(kDb);
    return RedisOptions::from_url(test::redis_url(kDb));
  }
  // The id of a seeded record (prefixed where other tests share the database).
  std::string id(std::string_view base) const { return prefix_ + std::string(base); }

  // Runs a coroutine on the test's io_context and waits for its result.
  template <typename T>
  T run(awaitable<T> a) {
    return test::run(io_, std::move(a));
  }

  void wait_live() {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!cache_->live() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(cache_->live()) << "the cache did not subscribe";
  }

  void seed() {
    Environment e;
    e.id = id("env-1");
    e.name = "development";
    ASSERT_TRUE(run(writer_->put_environment(e)).ok());
    Integration i;
    i.id = id("int-1");
    i.name = id("shopify");
    ASSERT_TRUE(json::parse(R"({"webhook":{}})", i.config));
    ASSERT_TRUE(run(writer_->create_integration(i)).ok());
    EnvironmentIntegration install;
    install.id = id("ei-1");
    install.environment_id = id("env-1");
    install.integration_id = id("int-1");
    ASSERT_TRUE(run(writer_->create_environment_integration(install)).ok());
    account_.id = id("acc-1");
    account_.tenant_id = "t";
    account_.environment_id = id("env-1");
    account_.environment_integration_id = id("ei-1");
    account_.integration_id = id("int-1");
    ASSERT_TRUE(json::parse(R"({"webhook_secret":"s0"})", account_.context));
    account_.created_at = account_.updated_at = clock::now_millis();
    ASSERT_TRUE(run(writer_->create_account(account_)).ok());
  }

  // Replaces the account's secret through the writer's connection.
  void set_secret(const std::string& secret) {
    IntegratedAccount next = account_;
    next.context = json::Value::empty_object();
    ASSERT_TRUE(json::parse(R"({"webhook_secret":")" + secret + R"("})", next.context));
    next.version = account_.version + 1;
    Status s = run(writer_->update_account(next, account_.version));
    ASSERT_TRUE(s.ok()) << s.error().message;
    account_ = next;
  }

  std::string resolved_secret() {
    auto r = run(cache_->resolve_account(account_.id));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::string(r->account.context.get("webhook_secret").string_or("")) : "<error>";
  }

  test::SlotAudit audit_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_{[this] { io_.run(); }};
  RedisOptions options_;
  RedisClientPtr writer_redis_;
  RedisClientPtr reader_redis_;
  std::unique_ptr<Store> writer_;
  std::unique_ptr<Store> reader_;
  ConfigCachePtr cache_;
  IntegratedAccount account_;
  std::string prefix_;
};

}  // namespace hookd::store
