// hookd-bench-sink: the customer endpoint of tools/bench-dispatch. It answers every delivery 200 at once, with
// keep-alive, and counts what the dispatcher costs a receiver: requests, TCP connections that carried a delivery
// (so new connections per delivery), the first and last arrival, and for each delivery the delay from the event's
// creation (the envelope's `created_at`, stamped by ingest when it made the event: src/core/event.cpp) to its
// arrival here.
//
//   hookd-bench-sink PORT [THREADS]
//   GET /stats    {"requests","connections","first_ms","last_ms","unparsed","latency_ms":{"p50","p99","max"}}
//   POST /reset   zeroes everything (a phase boundary; connections open now are not counted again)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/asio.h"
#include "core/clock.h"
#include "bench_server.h"

namespace {

using namespace hookd;
using hookd_bench::Stream;

// Everything /stats reports. Latencies go into one vector under a mutex: a few thousand deliveries a second
// on two cores do not contend on it, and exact percentiles need every sample.
class Stats {
 public:
  void delivery(int64_t arrival_ms, std::optional<int64_t> created_ms) {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (requests_ == 1) first_ms_ = arrival_ms;
    last_ms_ = std::max<long long>(last_ms_, arrival_ms);
    if (created_ms)
      latencies_.push_back(arrival_ms - *created_ms);
    else
      ++unparsed_;
  }
  void connection() {
    std::lock_guard lock(mutex_);
    ++connections_;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    requests_ = connections_ = first_ms_ = last_ms_ = unparsed_ = 0;
    latencies_.clear();
  }
  std::string json() {
    std::lock_guard lock(mutex_);
    std::vector<int64_t> sorted = latencies_;
    std::sort(sorted.begin(), sorted.end());
    char buf[320];
    std::snprintf(
        buf, sizeof buf,
        "{\"requests\":%lld,\"connections\":%lld,\"first_ms\":%lld,\"last_ms\":%lld,\"unparsed\":%lld,"
        "\"latency_ms\":{\"count\":%zu,\"p50\":%lld,\"p99\":%lld,\"max\":%lld}}\n",
        requests_, connections_, first_ms_, last_ms_, unparsed_, sorted.size(), rank(sorted, 0.50),
        rank(sorted, 0.99), sorted.empty() ? -1LL : static_cast<long long>(sorted.back()));
    return buf;
  }

 private:
  // Nearest-rank percentile; -1 without samples.
  static long long rank(const std::vector<int64_t>& sorted, double q) {
    if (sorted.empty()) return -1;
    size_t i = static_cast<size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
    return sorted[std::clamp<size_t>(i, 1, sorted.size()) - 1];
  }

  std::mutex mutex_;
  long long requests_ = 0, connections_ = 0, first_ms_ = 0, last_ms_ = 0, unparsed_ = 0;
  std::vector<int64_t> latencies_;
};

Stats stats;

// The envelope's own `created_at`. The envelope's members come in a fixed order (src/core/event.cpp: id, event,
// payload, environment_id, created_at, webhook_id), so the last `"created_at":"` is the envelope's even when the
// payload has one too; this avoids parsing every body on a machine whose cores the dispatcher needs.
std::optional<int64_t> created_at(const std::string& body) {
  constexpr std::string_view kKey = "\"created_at\":\"";
  size_t at = body.rfind(kKey);
  if (at == std::string::npos) return std::nullopt;
  return clock::parse_iso8601(std::string_view(body).substr(at + kKey.size(), 24));
}

bhttp::response<bhttp::string_body> reply(const bhttp::request<bhttp::string_body>& req, std::string body) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Control requests (GET /stats, POST /reset) are not deliveries: returns their answer's body, or nothing.
std::optional<std::string> control(const bhttp::request<bhttp::string_body>& req) {
  if (req.method() == bhttp::verb::get && req.target() == "/stats") return stats.json();
  if (req.method() == bhttp::verb::post && req.target() == "/reset") {
    stats.reset();
    return std::string("{\"reset\":true}\n");
  }
  return std::nullopt;
}

asio::awaitable<void> session(Stream stream) {
  beast::flat_buffer buffer;
  error_code ec;
  bool counted = false;  // a connection counts once it carries a delivery, so curl's /stats calls do not
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    stream.expires_after(std::chrono::seconds(120));
    co_await bhttp::async_read(stream, buffer, req, redirect(ec));
    if (ec) break;
    int64_t arrival = clock::now_millis();
    auto answer = control(req);
    if (!answer) {
      stats.delivery(arrival, created_at(req.body()));
      if (!std::exchange(counted, true)) stats.connection();
    }
    auto res = reply(req, answer.value_or(R"({"ok":true})"));
    co_await bhttp::async_write(stream, res, redirect(ec));
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hookd-bench-sink PORT [THREADS]\n");
    return 2;
  }
  int threads = std::max(1, argc > 2 ? std::atoi(argv[2]) : 1);
  return hookd_bench::serve("hookd-bench-sink", static_cast<unsigned short>(std::atoi(argv[1])), threads,
                            session);
}
