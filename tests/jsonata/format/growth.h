// Whether work grows linearly with its input, measured without a wall-clock budget: the time at 10x the size
// over the time at 1x (the best of a few runs each, so a pause of a busy machine inflates neither). Linear
// work gives about 10, quadratic about 100; a machine's speed, load and sanitizers cancel out of the ratio.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace hookd::jsonata::format::testing {

template <typename Work>
double growth_at_ten_times(Work work, size_t n) {
  auto best = [&](size_t size) {
    double fastest = 1e300;
    for (int run = 0; run < 3; ++run) {
      auto start = std::chrono::steady_clock::now();
      work(size);
      fastest =
          std::min(fastest, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return std::max(fastest, 1e-6);
  };
  return best(n * 10) / best(n);
}

}  // namespace hookd::jsonata::format::testing
