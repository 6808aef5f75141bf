// hookd's outbound HTTP/1.1 client: how dispatch POSTs signed events to customer endpoints.
//
// `ClientPool::send(request)` resolves, checks, connects, writes and reads one request, and reports every
// failure as a value (ClientResult::error), never as an exception.
//
// Thread model
//   A pool may be shared by coroutines running on any number of threads of one io_context. Each send() runs
//   its I/O on a strand of its own (co_spawn onto make_strand), so a connection's handlers, including Beast's
//   timeout handlers, never run concurrently. A connection belongs to exactly one send() at a time: it is
//   taken out of the idle pool for the exchange and put back afterwards. The only shared state, the idle pool
//   and counters, is guarded by a mutex that is never held across a suspension point. The pool starts no
//   threads; Asio's resolver runs getaddrinfo on its own internal thread, which is why resolution has its own
//   deadline (below).
//
// Timeouts (ClientOptions), each explicit and each reported as ClientErrorKind::timeout naming its phase:
//   resolve_timeout        DNS resolution. getaddrinfo cannot be interrupted: on timeout send() returns,
//                          the lookup finishes in the background and its answer is discarded.
//   connect_timeout        TCP connect, across all checked addresses of the name.
//   tls_handshake_timeout  TLS handshake, including certificate verification.
//   request_timeout        writing the request and reading the whole response, per attempt on a connection.
//
// Connection pool
//   Idle keep-alive connections are kept per origin (scheme, host, port), most recently used first, at most
//   max_idle_per_origin per origin and max_idle_total in all (the longest idle is evicted first). A
//   connection idle longer than idle_timeout is closed the next time the pool is used (no timer runs;
//   close_idle() empties the pool). The pool bounds idle connections only: how many requests run at once, and
//   so how many connections are open, is the caller's concurrency limit. Before a pooled connection is reused
//   it is polled: one the server has closed (FIN, RST, or bytes nobody asked for) is dropped without sending
//   anything. A connection is pooled again only after a complete response that allows keep-alive and left no
//   extra bytes behind.
//
// Retry policy (one retry, never more)
//   A pooled connection can still be closed by the server between the poll and our write. If the exchange on
//   a REUSED connection fails while writing, or while reading before ANY byte of the response arrived (EOF,
//   reset, TLS truncation), the request is sent once more on a fresh connection. The server may in rare cases
//   have received and processed the first copy (it read it, then closed without answering): we accept that,
//   as HTTP clients commonly do for idle-connection races, because webhook delivery is at-least-once anyway
//   and receivers de-duplicate by the event id / `webhook-id` header. Never retried: fresh connections,
//   timeouts (the server may still be working on it), and any failure after a response byte was received.
//
// SSRF (see ssrf.h)
//   check_url runs before anything else; check_resolved runs on every resolved address, and the connection is
//   made only to those addresses, never to a second resolution. Pooled connections were checked when they
//   were opened.
//
// TLS
//   Peer verification against the system CA store (set_default_verify_paths), hostname verification (names
//   and IP literals, no partial wildcards), SNI for names (never for IP literals), TLS 1.2 minimum.
//   `extra_ca_file` adds a CA for tests and development; nothing turns verification off.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "core/asio.h"
#include "core/result.h"
#include "http/client/errc.h"
#include "http/client/ssrf.h"
#include "http/client/url.h"

namespace hookd::http {

using ClientHeaders = std::vector<std::pair<std::string, std::string>>;

enum class ClientErrorKind : std::uint8_t {
  none,
  invalid_request,  // malformed URL, or a header name/value that would break the request framing
  dns,              // the name did not resolve
  ssrf_blocked,     // the policy denied the URL or a resolved address
  connect,          // TCP connect failed (refused, unreachable) on every checked address
  tls,              // handshake or certificate verification failed
  timeout,          // one of the four deadlines expired; the message names it
  protocol,         // the connection broke or the response was not valid HTTP/1.1
  too_large,        // response header or body above its hard limit
};
std::string_view to_string(ClientErrorKind kind);

struct ClientOptions {
  std::string user_agent = "hookd/0.1";
  std::chrono::milliseconds resolve_timeout{5'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds tls_handshake_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};

  std::size_t max_body_bytes = 64 * 1024;  // kept in ClientResult::body; the rest is read and dropped
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // hard limit on the body read; above it: too_large
  std::size_t max_header_bytes = 32 * 1024;

  std::size_t max_idle_per_origin = 8;
  std::size_t max_idle_total = 256;
  std::chrono::milliseconds idle_timeout{30'000};

  SsrfPolicy ssrf;
  std::string extra_ca_file;  // PEM CA to trust besides the system store (tests, development)
  // Host name -> addresses, consulted before DNS like /etc/hosts (tests, development). The addresses still go
  // through check_resolved.
  std::map<std::string, std::vector<asio::ip::address>> static_hosts;
};

struct ClientRequest {
  bhttp::verb method = bhttp::verb::post;
  std::string url;
  ClientHeaders headers;  // Host, Content-Length, Transfer-Encoding and Connection are set by the client
  std::string body;
};

struct ClientResult {
  ClientErrorKind error = ClientErrorKind::none;
  std::string error_message;  // empty when ok(); safe to show the endpoint's owner
  // More than the owner may see, for the operator's log: where a blocked name resolved to (internal DNS).
  std::string error_detail;

  unsigned status = 0;  // 0 unless a response header was read
  ClientHeaders headers;
  std::string body;             // at most max_body_bytes
  std::size_t body_bytes = 0;   // bytes of body received in total
  bool body_truncated = false;  // body_bytes > body.size()

  std::chrono::microseconds latency{0};  // from send() to the end of the response or the error
  bool reused_connection = false;        // the last attempt used a pooled connection
  bool retried = false;         // the first attempt on a pooled connection was stale (see Retry policy)
  std::string remote_endpoint;  // "address:port" of the connection used, when one was made

  bool ok() const { return error == ClientErrorKind::none; }
  // First header with this name (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
};

class ClientConnection;

class ClientPool : public std::enable_shared_from_this<ClientPool> {
 public:
  struct Stats {
    std::uint64_t connections_opened = 0;  // connects that succeeded (and TLS handshakes, for https)
    std::uint64_t connections_reused = 0;  // requests sent on a pooled connection, stale attempts not counted
    std::uint64_t stale_retries = 0;       // pooled connections found closed mid-request, request sent again
    std::size_t idle = 0;                  // idle connections now
  };

  // Validates the options and builds the TLS context. Fails (ClientErrc::invalid_config) when the CA store or
  // `extra_ca_file` cannot be loaded or a limit is zero.
  static Result<std::shared_ptr<ClientPool>> create(asio::any_io_executor executor, ClientOptions options);
  ~ClientPool();

  awaitable<ClientResult> send(ClientRequest request);

  Stats stats() const;
  const ClientOptions& options() const { return options_; }
  // Closes all idle connections (shutdown, tests).
  void close_idle();

 private:
  ClientPool(asio::any_io_executor executor, ClientOptions options);

  awaitable<ClientResult> do_send(ClientRequest request);
  awaitable<std::unique_ptr<ClientConnection>> open(const Url& url, ClientResult& result);
  std::unique_ptr<ClientConnection> take_idle(const std::string& origin);
  void put_idle(std::unique_ptr<ClientConnection> connection);

  struct Idle {
    std::unique_ptr<ClientConnection> connection;
    std::chrono::steady_clock::time_point since;
  };

  asio::any_io_executor executor_;
  ClientOptions options_;
  asio::ssl::context tls_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;  // per origin, most recently used last
  std::size_t idle_count_ = 0;

  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> reused_{0};
  std::atomic<std::uint64_t> retries_{0};
};

}  // namespace hookd::http
