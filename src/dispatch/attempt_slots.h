// The attempts a dispatcher has in flight, against its limit (HOOKD_DISPATCH_CONCURRENCY).
//
// Two kinds of taker share the slots. New events wait here for a slot before their deliveries are even
// created, so a full dispatcher stops consuming and Kafka keeps the backlog: each new delivery's first attempt
// goes out straight from the consumed event (sent first and then recorded, or created leased to this node
// first; dispatcher.h), never through the schedule. The scheduler claims due deliveries (retries, replays, the
// deliveries of an event beyond the slots it got) and may fill every slot; new events only the first
// `direct_limit`, so retries always have room and a backlog of new events never starves them.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "core/asio.h"

namespace hookd::dispatch {

class AttemptSlots {
 public:
  AttemptSlots(size_t limit, size_t direct_limit);

  size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  size_t limit() const noexcept { return limit_; }
  size_t direct_limit() const noexcept { return direct_limit_; }

  // Takes up to `wanted` slots at once, while fewer than `bound` are taken; returns how many it took.
  size_t try_take(size_t wanted, size_t bound) noexcept;
  // Takes `n` slots whatever the count (the scheduler, for deliveries it has claimed already).
  void take(size_t n) noexcept { in_flight_.fetch_add(n, std::memory_order_relaxed); }
  // Waits for one slot below direct_limit, in order of arrival. Completion signature: void(bool taken);
  // false when close() ended the wait (nothing was taken).
  template <typename Token>
  auto async_take_direct(Token&& token) {
    return asio::async_initiate<Token, void(bool)>(
        [this](auto handler) {
          using Handler = decltype(handler);
          wait(std::make_unique<WaiterFor<Handler>>(std::move(handler)));
        },
        token);
  }
  // Gives `n` slots back, to waiters first. True when the count dropped below the limit from at or above it:
  // the scheduler, which found no room, may claim again.
  bool give_back(size_t n) noexcept;
  // Ends every wait (with false) and makes later waits end at once.
  void close();

 private:
  struct Waiter {
    virtual ~Waiter() = default;
    // Posts the handler to its executor; never runs it inline.
    virtual void wake(bool taken) = 0;
  };
  template <typename Handler>
  class WaiterFor final : public Waiter {
   public:
    explicit WaiterFor(Handler handler)
        : work_(asio::prefer(asio::get_associated_executor(handler),
                             asio::execution::outstanding_work.tracked)),
          handler_(std::move(handler)) {}
    void wake(bool taken) override {
      asio::post(work_, [handler = std::move(handler_), taken]() mutable { std::move(handler)(taken); });
    }

   private:
    using Executor = asio::associated_executor_t<Handler>;
    std::decay_t<decltype(asio::prefer(std::declval<Executor>(), asio::execution::outstanding_work.tracked))>
        work_;
    Handler handler_;
  };
  void wait(std::unique_ptr<Waiter> waiter);

  std::atomic<size_t> in_flight_{0};
  const size_t limit_;
  const size_t direct_limit_;
  std::mutex mu_;  // waiters_, closed_, and every decrement of in_flight_ (so no waiter misses a free slot)
  std::deque<std::unique_ptr<Waiter>> waiters_;
  bool closed_ = false;
};

}  // namespace hookd::dispatch
