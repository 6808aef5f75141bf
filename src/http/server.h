// The HTTP/1.1 listener every role shares (vendor webhooks, admin API, health and metrics).
//
// One coroutine per connection, in the order the steps run (Beast's awaitable server example): arm the timer,
// read the header, check limits, answer `Expect: 100-continue`, read the body, route, run the handler, write,
// loop while keep-alive. Requests on one connection are handled one at a time (no pipelining queue), so a
// slow handler holds only its own connection. Limits answer with JSON errors before the body is read where
// they can: an oversized Content-Length gets 413 without a byte of its body being buffered.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/errc.h"
#include "http/router.h"

namespace hookd::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;                            // 0: any free port (tests)
  size_t body_limit = 1024 * 1024;                 // bytes; larger bodies get 413
  uint32_t header_limit = 16 * 1024;               // bytes; larger headers get 431
  std::chrono::milliseconds read_timeout{30'000};  // whole request, header and body
  std::chrono::milliseconds idle_timeout{75'000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 10'000;  // beyond this, new connections get 503 and close

  // Refuses values the server cannot work with; the error's field names the member.
  hookd::Status validate() const;
};

class Server : public std::enable_shared_from_this<Server> {
 public:
  Server(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router);
  // Binds and listens. On failure returns the error (port in use, bad address).
  error_code listen();
  uint16_t port() const noexcept { return port_; }
  void start();
  // Stops accepting; open connections finish their current request and close.
  void stop();
  size_t connections() const noexcept { return connections_.load(std::memory_order_relaxed); }

 private:
  awaitable<void> accept_loop();
  // A concrete strand type rather than a strand inside any_io_executor: with Boost 1.74, Beast's timeout
  // handler held a copy of a type-erased strand that did not keep it alive (heap-use-after-free under ASan
  // once a session ended with its timer still queued).
  using Strand = asio::strand<asio::io_context::executor_type>;
  using Socket = asio::basic_stream_socket<tcp, Strand>;
  using Stream = beast::basic_stream<tcp, Strand>;
  awaitable<void> session(Socket socket);
  awaitable<Response> handle(Request& request, const std::string& remote);

  asio::io_context& io_;
  ServerOptions options_;
  std::shared_ptr<const Router> router_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<size_t> connections_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace hookd::http
