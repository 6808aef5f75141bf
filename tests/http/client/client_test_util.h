// Shared by the client integration tests: run one send() to completion on a test-owned io_context.
#pragma once

#include <exception>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "http/client/client.h"

namespace hookd::http {

class ClientFixture : public ::testing::Test {
 protected:
  std::shared_ptr<ClientPool> make_pool(ClientOptions options) {
    auto pool = ClientPool::create(ioc_.get_executor(), std::move(options));
    EXPECT_TRUE(pool.ok()) << pool.error().message;
    return pool.ok() ? std::move(pool).value() : nullptr;
  }

  // The pool starts no work of its own, so run() returns as soon as the request is done.
  ClientResult send(ClientPool& pool, ClientRequest request) {
    std::optional<ClientResult> out;
    asio::co_spawn(ioc_, pool.send(std::move(request)), [&](std::exception_ptr e, ClientResult r) {
      EXPECT_FALSE(e) << "send() must not throw";
      out = std::move(r);
    });
    ioc_.restart();
    ioc_.run();
    EXPECT_TRUE(out) << "send() did not complete";
    return out.value_or(ClientResult{});
  }

  ClientResult post(ClientPool& pool, const std::string& url, std::string body = "{}") {
    ClientRequest request;
    request.url = url;
    request.body = std::move(body);
    return send(pool, std::move(request));
  }

  asio::io_context ioc_;
};

}  // namespace hookd::http
