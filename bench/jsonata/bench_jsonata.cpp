// Evaluations per second of the webhook-style cases in jsonata-bench/cases.json, measured the way the
// reference figures were: compile once, parse the input once, check the result against `expected`, warm up,
// then evaluate in a loop for a fixed time. Prints one line per case and the geometric mean.
//
//   bench_jsonata [--seconds S] [--threads N] [--iterations N] [cases.json] [filter]
//
// --iterations N evaluates each case exactly N times instead (for profilers such as callgrind).
//
// With --threads N, N threads evaluate the same compiled expression at once, each on its own copy of the
// input (the figure is the total).
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hookd/json.h"
#include "hookd/jsonata.h"

using hookd::json::Value;
namespace jsonata = hookd::jsonata;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Results compare as JSON values; numbers within a relative 1e-12 (the reference ran in JavaScript).
bool same(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number())
    return a.as_number() == b.as_number() ||
           std::fabs(a.as_number() - b.as_number()) <=
               1e-12 * std::max(std::fabs(a.as_number()), std::fabs(b.as_number()));
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a.as_array()[i], b.as_array()[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& m : a.members())
      if (!b.contains(m.name()) || !same(m.value, b.get(m.name()))) return false;
    return true;
  }
  return hookd::json::equal(a, b);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  int threads = 1;
  long iterations = 0;
  std::string path = HOOKD_JSONATA_BENCH_DEFAULT;
  std::string filter;
  bool path_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--iterations" && i + 1 < argc) {
      iterations = std::atol(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (!path_set && a.size() > 5 && a.substr(a.size() - 5) == ".json") {
      path = a;
      path_set = true;
    } else {
      filter = a;
    }
  }
  std::string text = read_all(path);
  Value doc;
  hookd::json::ParseError perr;
  if (text.empty() || !hookd::json::parse(text, doc, &perr)) {
    std::fprintf(stderr, "cannot read %s %s\n", path.c_str(), perr.message.c_str());
    return 2;
  }
  const Value& inputs = doc.get("inputs");
  std::printf("%-24s %14s %12s\n", "case", "eval/s", "us/eval");
  double log_sum = 0;
  int n = 0;
  bool failed = false;
  for (const Value& c : doc.get("cases").as_array()) {
    std::string name(c.get("name").as_string());
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    auto compiled = jsonata::compile(c.get("expr").as_string());
    if (!compiled.ok()) {
      std::printf("%-24s compile error %s: %s\n", name.c_str(), compiled.error().code.c_str(),
                  compiled.error().message.c_str());
      failed = true;
      continue;
    }
    const jsonata::Expression& expr = *compiled.value();
    const Value& input = inputs.get(c.get("input").as_string());
    jsonata::Bindings bindings;
    if (c.get("bindings").is_object())
      for (const auto& m : c.get("bindings").members())
        bindings[std::string(m.name())] = m.value;
    jsonata::Limits limits;
    auto first = jsonata::evaluate(expr, input, bindings, limits);
    if (!first.ok() || !same(first.value(), c.get("expected"))) {
      std::printf("%-24s WRONG RESULT: %s\n", name.c_str(),
                  first.ok() ? hookd::json::dump(first.value()).c_str() : first.error().message.c_str());
      failed = true;
      continue;
    }
    auto run = [&](double secs) {
      std::atomic<uint64_t> total{0};
      std::vector<std::thread> pool;
      auto worker = [&] {
        // Each thread evaluates its own copy of the input, as each request in the service has its own
        // payload.
        Value own;
        std::string text = hookd::json::dump(input);
        hookd::json::parse(text, own);
        uint64_t count = 0;
        auto end = Clock::now() + std::chrono::duration<double>(secs);
        while (Clock::now() < end) {
          for (int k = 0; k < 64; ++k) {
            auto r = jsonata::evaluate(expr, own, bindings, limits);
            if (!r.ok()) std::abort();
          }
          count += 64;
        }
        total += count;
      };
      auto t0 = Clock::now();
      for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
      worker();
      for (auto& t : pool)
        t.join();
      double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      return static_cast<double>(total) / elapsed;
    };
    if (iterations > 0) {
      for (long k = 0; k < iterations; ++k)
        if (!jsonata::evaluate(expr, input, bindings, limits).ok()) std::abort();
      std::printf("%-24s %14ld evaluations\n", name.c_str(), iterations);
      continue;
    }
    run(std::min(0.3, seconds / 4));  // warm-up
    double rate = run(seconds);
    std::printf("%-24s %14.0f %12.2f\n", name.c_str(), rate, 1e6 / rate * threads);
    log_sum += std::log(rate);
    ++n;
  }
  if (n) std::printf("%-24s %14.0f\n", "geometric mean", std::exp(log_sum / n));
  return failed ? 1 : 0;
}
