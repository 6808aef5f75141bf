#include "http/client/resolve.h"

#include <algorithm>

namespace hookd::http {
namespace {

// Resolves `host` or times out, whichever comes first. getaddrinfo runs on Asio's resolver thread and cannot
// be interrupted, so on timeout the caller is completed at once and the lookup's late answer is dropped. Both
// completions hold the race state; an atomic flag picks the single winner even on a multi-threaded executor.
template <typename Token>
auto async_resolve_within(std::string host, std::string service, std::chrono::milliseconds timeout,
                          Token&& token) {
  using Results = tcp::resolver::results_type;
  return asio::async_initiate<Token, void(error_code, Results)>(
      [host = std::move(host), service = std::move(service), timeout](auto handler) mutable {
        using Handler = decltype(handler);
        // The caller's executor, from its handler (not `co_await this_coro::executor`: see
        // src/bus/producer.cpp).
        asio::any_io_executor executor = asio::get_associated_executor(handler);
        struct Race {
          Race(asio::any_io_executor ex, Handler h) : resolver(ex), timer(ex), handler(std::move(h)) {}
          tcp::resolver resolver;
          asio::steady_timer timer;
          Handler handler;
          std::atomic<bool> done{false};
        };
        auto race = std::make_shared<Race>(executor, std::move(handler));
        auto finish = [](const std::shared_ptr<Race>& r, error_code ec, Results results) {
          auto target = asio::get_associated_executor(r->handler, r->resolver.get_executor());
          asio::dispatch(target, [r, ec, results = std::move(results)]() mutable {
            std::move(r->handler)(ec, std::move(results));
          });
        };
        race->timer.expires_after(timeout);
        race->timer.async_wait([race, finish](error_code ec) {
          if (ec || race->done.exchange(true)) return;
          race->resolver.cancel();
          finish(race, asio::error::timed_out, {});
        });
        race->resolver.async_resolve(host, service, [race, finish](error_code ec, Results results) {
          if (race->done.exchange(true)) return;
          race->timer.cancel();
          finish(race, ec, std::move(results));
        });
      },
      token);
}

}  // namespace

awaitable<Resolved> resolve_host(const Url& url, const ClientOptions& options) {
  Resolved out;
  if (url.ip) {
    out.addresses.push_back(*url.ip);
    co_return out;
  }
  if (auto it = options.static_hosts.find(url.host); it != options.static_hosts.end()) {
    out.addresses = it->second;
    co_return out;
  }
  error_code ec;
  auto results = co_await async_resolve_within(url.host, std::to_string(url.port), options.resolve_timeout,
                                               redirect(ec));
  if (ec == asio::error::timed_out) {
    out.error = ClientErrorKind::timeout;
    out.message = "resolving '" + url.host + "' timed out after " +
                  std::to_string(options.resolve_timeout.count()) + " ms";
    co_return out;
  }
  if (ec) {
    out.error = ClientErrorKind::dns;
    out.message = "cannot resolve '" + url.host + "': " + ec.message();
    co_return out;
  }
  for (const auto& entry : results) {
    auto address = entry.endpoint().address();
    if (std::find(out.addresses.begin(), out.addresses.end(), address) == out.addresses.end())
      out.addresses.push_back(address);
  }
  if (out.addresses.empty()) {
    out.error = ClientErrorKind::dns;
    out.message = "'" + url.host + "' resolved to no address";
  }
  co_return out;
}

}  // namespace hookd::http
