// Turns per Kafka partition, in consumption order: the dispatcher fans out the messages of one partition
// concurrently, but ordered endpoints need their deliveries put in their lanes in the order the messages came
// (ordered_lanes.h). Each message takes a ticket when it is consumed; a fan-out that has lanes to join waits
// for its turn (every earlier ticket of its partition done), and every fan-out marks its ticket done, early
// when it has no lane to join, at the latest when it ends.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/asio.h"

namespace hookd::dispatch {

class PartitionTurns {
 public:
  explicit PartitionTurns(asio::any_io_executor ex) : strand_(asio::make_strand(ex)) {}

  // The next ticket of `partition`; call in consumption order.
  uint64_t ticket(int32_t partition);
  // Completes once every ticket of `partition` before `ticket` is done. Completion signature: void().
  template <typename Token>
  auto async_wait_turn(int32_t partition, uint64_t ticket, Token&& token) {
    return asio::async_initiate<Token, void()>(
        [this, partition, ticket](auto handler) {
          auto held = std::make_shared<decltype(handler)>(std::move(handler));
          std::function<void()> resume = [held] {
            auto ex = asio::get_associated_executor(*held);
            asio::post(ex, std::move(*held));
          };
          asio::post(strand_, [this, partition, ticket, resume = std::move(resume)]() mutable {
            wait(partition, ticket, std::move(resume));
          });
        },
        token);
  }
  // Marks a ticket done (exactly once per ticket).
  void done(int32_t partition, uint64_t ticket);

 private:
  struct Partition {
    uint64_t served = 0;          // every ticket below it is done
    std::set<uint64_t> finished;  // done, above `served`
    std::multimap<uint64_t, std::function<void()>> waiters;
  };
  void wait(int32_t partition, uint64_t ticket, std::function<void()> resume);  // on the strand

  asio::strand<asio::any_io_executor> strand_;
  std::mutex mu_;  // next_
  std::map<int32_t, uint64_t> next_;
  std::map<int32_t, Partition> partitions_;  // on the strand
};

// Marks its ticket done when it goes (or earlier, by finish()).
class TurnTicket {
 public:
  TurnTicket(PartitionTurns& turns, int32_t partition, uint64_t ticket)
      : turns_(&turns), partition_(partition), ticket_(ticket) {}
  TurnTicket(const TurnTicket&) = delete;
  TurnTicket& operator=(const TurnTicket&) = delete;
  ~TurnTicket() { finish(); }
  void finish() {
    if (turns_) turns_->done(partition_, ticket_);
    turns_ = nullptr;
  }
  int32_t partition() const noexcept { return partition_; }
  uint64_t ticket() const noexcept { return ticket_; }

 private:
  PartitionTurns* turns_;
  int32_t partition_;
  uint64_t ticket_;
};

}  // namespace hookd::dispatch
