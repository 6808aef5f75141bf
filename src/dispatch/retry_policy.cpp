#include "dispatch/retry_policy.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <string>

namespace hookd::dispatch {

namespace {

std::optional<int64_t> parse_seconds(std::string_view v) {
  if (v.empty() || v.size() > 10) return std::nullopt;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// The three date forms of RFC 9110 section 5.6.7, all in GMT.
std::optional<int64_t> parse_http_date_ms(std::string_view v) {
  static constexpr std::array<const char*, 3> kFormats = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // asctime: Sun Nov  6 08:49:37 1994
  };
  std::string text(v);
  for (const char* format : kFormats) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end && *end == '\0') return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, int64_t now_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  if (auto s = parse_seconds(value)) return std::chrono::seconds(*s);
  if (auto at = parse_http_date_ms(value))
    return std::chrono::milliseconds(std::max<int64_t>(0, *at - now_ms));
  return std::nullopt;
}

Failure classify_failure(unsigned status, bool timed_out, std::optional<std::string_view> retry_after,
                         int64_t now_ms) {
  Failure f;
  if (status == 410) {
    f.kind = FailureKind::gone;
    return f;
  }
  if (status == 429 || (status == 0 && timed_out)) f.kind = FailureKind::throttled;
  // Retry-After means "not before" only on answers that ask the client to come back later.
  if ((status == 429 || status == 503) && retry_after)
    f.retry_after = parse_retry_after(*retry_after, now_ms);
  return f;
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int failed_attempts, const Failure& failure,
                                                                 double unit) const {
  if (failure.kind == FailureKind::gone && options_.disable_on_gone) return std::nullopt;
  if (failed_attempts >= options_.max_attempts || options_.retry_schedule.empty()) return std::nullopt;
  size_t i =
      std::min(static_cast<size_t>(std::max(failed_attempts, 1) - 1), options_.retry_schedule.size() - 1);
  double base = static_cast<double>(options_.retry_schedule[i].count());
  if (failure.kind == FailureKind::throttled) base *= options_.throttled_factor;
  // Jitter spreads the retries of many deliveries that failed together (an endpoint outage) over time.
  double factor = 1.0 + options_.jitter * (2.0 * unit - 1.0);
  auto delay = std::chrono::milliseconds(std::max<int64_t>(0, std::llround(base * factor)));
  if (failure.retry_after) delay = std::max(delay, std::min(*failure.retry_after, options_.retry_after_max));
  return delay;
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int failed_attempts,
                                                                 const Failure& failure) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return next_delay(failed_attempts, failure, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

}  // namespace hookd::dispatch
