#include "dispatch/partition_turns.h"

namespace hookd::dispatch {

uint64_t PartitionTurns::ticket(int32_t partition) {
  std::lock_guard lock(mu_);
  return next_[partition]++;
}

void PartitionTurns::wait(int32_t partition, uint64_t ticket, std::function<void()> resume) {
  Partition& p = partitions_[partition];
  if (p.served >= ticket) {
    resume();
    return;
  }
  p.waiters.emplace(ticket, std::move(resume));
}

void PartitionTurns::done(int32_t partition, uint64_t ticket) {
  asio::post(strand_, [this, partition, ticket] {
    Partition& p = partitions_[partition];
    p.finished.insert(ticket);
    while (!p.finished.empty() && *p.finished.begin() == p.served) {
      p.finished.erase(p.finished.begin());
      ++p.served;
    }
    while (!p.waiters.empty() && p.waiters.begin()->first <= p.served) {
      auto resume = std::move(p.waiters.begin()->second);
      p.waiters.erase(p.waiters.begin());
      resume();
    }
  });
}

}  // namespace hookd::dispatch
