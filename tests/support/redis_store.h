// A Store on a freshly flushed database of the test Redis, with an io_context run by threads of its own: what
// tests of Redis-backed modules start from. Its client audits Redis Cluster slots (slot_audit.h): the test
// fails if anything it sent spanned slots. Header-only (the support library does not link the store); include
// it from tests that link hookd_store.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "run_coroutine.h"
#include "services.h"
#include "slot_audit.h"
#include "store/store.h"

namespace hookd::test {

class RedisStore {
 public:
  explicit RedisStore(int db, int threads = 2) : io_(threads) {
    redis_flush(db);
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this] { io_.run(); });
    auto options = store::RedisOptions::from_url(redis_url(db));
    EXPECT_TRUE(options.ok()) << options.error().message;
    redis_ = store::RedisClient::create(io_.get_executor(),
                                        SlotAudit::on(options.ok() ? *options : store::RedisOptions{}));
    store_ = std::make_unique<store::Store>(redis_);
  }
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;
  ~RedisStore() { stop(); }

  // Closes the connection and joins the threads; call it before destroying what uses the store.
  void stop() {
    if (threads_.empty()) return;
    redis_->close();
    work_.reset();
    io_.stop();
    for (auto& t : threads_)
      t.join();
    threads_.clear();
    audit_.check();
  }

  asio::io_context& io() { return io_; }
  store::Store& store() { return *store_; }
  // Runs a coroutine on the io_context and waits for its result.
  template <typename T>
  T run(awaitable<T> a) {
    return test::run(io_, std::move(a));
  }

 private:
  SlotAudit audit_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::vector<std::thread> threads_;
  store::RedisClientPtr redis_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace hookd::test
