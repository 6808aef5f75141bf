// Whether work grows linearly with its input, measured without a wall-clock budget: the time at 10x the size
// over the time at 1x (the best of a few runs each). Linear work gives about 10, quadratic about 100; a
// machine's speed and sanitizers cancel out of the ratio. The time is the thread's CPU time, not the wall
// clock: on a loaded machine the longer run is preempted more often than the short one, which inflated a
// wall-clock ratio past its bound (50 for linear work, seen with two builds running beside the tests).
#pragma once

#include <algorithm>
#include <cstddef>
#include <ctime>

namespace hookd::jsonata::format::testing {

template <typename Work>
double growth_at_ten_times(Work work, size_t n) {
  auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  auto best = [&](size_t size) {
    double fastest = 1e300;
    for (int run = 0; run < 5; ++run) {
      double start = cpu_seconds();
      work(size);
      fastest = std::min(fastest, cpu_seconds() - start);
    }
    return std::max(fastest, 1e-6);
  };
  return best(n * 10) / best(n);
}

}  // namespace hookd::jsonata::format::testing
