// A scriptable HTTP/1.1 server on 127.0.0.1 for tests: the upstream of client tests and the "customer sink"
// of end-to-end tests. It records every request (method, target, headers, body, which connection carried it)
// and answers from a script (statuses, delays, connection drops, hangs), then from a handler, then with 200
// "ok".
//
// It runs its own io_context on one thread of its own (explicit: tests need a server that answers while the
// test thread blocks in the code under test). The port is bound in the constructor, so url() works at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookd::test {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RecordedRequest {
  std::string method;
  std::string target;
  HeaderList headers;  // names as received
  std::string body;
  std::size_t connection = 0;   // 1-based number of the accepted connection that carried it
  std::string tls_server_name;  // SNI the client sent (TLS only; empty when none)
  std::chrono::steady_clock::time_point received_at;

  // First header with this name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

struct Reply {
  enum class Action {
    respond,            // answer; keep the connection if the request allows it
    respond_and_close,  // answer with "Connection: close", then close
    respond_then_drop,  // answer as keep-alive, then close without saying so (a server's idle timeout, early)
    drop,               // read the request, close without answering
    hang,               // read the request, never answer (until the server stops)
    partial_then_drop,  // send the status line, headers and half of the body, then close
  };

  unsigned status = 200;
  std::string body = "ok";
  HeaderList headers;                  // Content-Type defaults to text/plain
  std::chrono::milliseconds delay{0};  // wait this long before acting
  Action action = Action::respond;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length

  static Reply with_status(unsigned status, std::string body = "");
  static Reply of(Action action);
};

struct TestHttpServerOptions {
  // Both set: serve HTTPS with this certificate chain and key (PEM files).
  std::string cert_chain_file;
  std::string private_key_file;
  std::size_t body_limit = 16 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30'000};
};

class TestHttpServer {
 public:
  explicit TestHttpServer(TestHttpServerOptions options = {});
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const;
  bool tls() const;
  // "http(s)://127.0.0.1:<port><path>"; `host` replaces 127.0.0.1 (e.g. a name mapped to it in the client).
  std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;

  // Replies consumed one per request, in order, before the handler is asked.
  void enqueue(Reply reply);
  void enqueue(std::initializer_list<Reply> replies);
  // Decides the reply when the script is empty (called on the server thread).
  void set_handler(std::function<Reply(const RecordedRequest&)> handler);

  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;
  std::size_t connection_count() const;         // accepted so far
  std::size_t closed_connection_count() const;  // closed by either side so far
  bool wait_for_closed_connections(std::size_t count, std::chrono::milliseconds timeout) const;
  // Blocks until at least `count` requests were recorded; false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

  // Closes the listener and every connection, and joins the server thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookd::test
