// The bound on a process's exit. SIGTERM arms it; main disarms it once everything is torn down, destructors
// included. If the deadline passes first (a handler stuck in CPU-bound work, a client library blocking in its
// destructor while its broker is gone), the process logs it and exits with status 1 without the rest: an
// orchestrator's SIGKILL would come anyway, and nothing unfinished was acknowledged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "core/log.h"

namespace hookd::app {

class ShutdownDeadline {
 public:
  ShutdownDeadline() = default;
  ShutdownDeadline(const ShutdownDeadline&) = delete;
  ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;
  ~ShutdownDeadline() {
    disarm();
    if (thread_.joinable()) thread_.join();
  }

  // Starts the countdown (once; later calls do nothing).
  void arm(std::chrono::milliseconds timeout) {
    std::lock_guard lock(mutex_);
    if (armed_ || done_) return;
    armed_ = true;
    thread_ = std::thread([this, timeout] {
      std::unique_lock lock(mutex_);
      if (done_cv_.wait_for(lock, timeout, [this] { return done_; })) return;
      log::error("service.shutdown_timeout",
                 {{"timeout_ms", static_cast<int64_t>(timeout.count())},
                  {"note", "shutdown did not finish in time (HOOKD_SHUTDOWN_TIMEOUT); exiting without it"}});
      std::_Exit(1);
    });
  }

  // Everything is torn down: the countdown, if armed, ends without exiting.
  void disarm() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool armed_ = false;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace hookd::app
