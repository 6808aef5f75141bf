#include "core/metrics.h"

#include "hookd/json.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace hookd::metrics {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) noexcept {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i])
    ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<int64_t>(std::llround(v * 1e6)), std::memory_order_relaxed);
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

Registry::Family& Registry::family(std::string_view name, std::string_view help, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end())
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}, {}, {}}).first;
  if (it->second.kind != kind)
    throw std::logic_error("metric registered twice with different types: " + std::string(name));
  return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto& f = family(name, help, Kind::counter);
  auto& slot = f.counters[std::string(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, std::string_view labels) {
  std::lock_guard lock(mu_);
  auto& f = family(name, help, Kind::gauge);
  auto& slot = f.gauges[std::string(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::string_view labels,
                               std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto& f = family(name, help, Kind::histogram);
  auto& slot = f.histograms[std::string(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

namespace {

std::string series(std::string_view name, std::string_view labels, std::string_view extra = {}) {
  std::string s(name);
  if (labels.empty() && extra.empty()) return s;
  s += '{';
  s += labels;
  if (!labels.empty() && !extra.empty()) s += ',';
  s += extra;
  s += '}';
  return s;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::string out;
  json::write_number(out, v);  // shortest form that round-trips: 0.1, not 0.10000000000000001
  return out;
}

}  // namespace

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::counter ? "counter" : f.kind == Kind::gauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, c] : f.counters)
      out += series(name, labels) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges)
      out += series(name, labels) + " " + std::to_string(g->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= h->bounds().size(); ++i) {
        cumulative += h->bucket(i);
        double le = i < h->bounds().size() ? h->bounds()[i] : INFINITY;
        out += series(name + "_bucket", labels, "le=\"" + number(le) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += series(name + "_sum", labels) + " " + number(h->sum()) + "\n";
      out += series(name + "_count", labels) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace hookd::metrics
