// Runs a coroutine on an io_context that other threads are running, from a test's own thread: start() hands
// back a future of its result (an exception it throws comes out of get()), run() waits for it.
#pragma once

#include <exception>
#include <future>
#include <memory>

#include "core/asio.h"

namespace hookd::test {

template <typename T>
std::future<T> start(asio::io_context& io, awaitable<T> a) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  asio::co_spawn(io, std::move(a), [p](std::exception_ptr e, T v) {
    if (e)
      p->set_exception(e);
    else
      p->set_value(std::move(v));
  });
  return f;
}

template <typename T>
T run(asio::io_context& io, awaitable<T> a) {
  return start(io, std::move(a)).get();
}

}  // namespace hookd::test
