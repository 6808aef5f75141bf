// One outbound connection (plain or TLS): connect, handshake, then any number of request/response exchanges
// while the server keeps it alive. Used by one send() at a time (see client.h, Thread model); not thread-safe
// itself.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/ssl.hpp>

#include "http/client/client.h"

namespace hookd::http {

class ClientConnection {
 public:
  enum class Outcome {
    complete,  // a full response was read; result filled
    failed,    // result.error set
    stale,     // result.error set, and nothing of a response was received: safe to retry if the connection
               // was reused
  };

  // `tls` is null for http. The context must outlive the connection.
  ClientConnection(asio::any_io_executor executor, asio::ssl::context* tls, std::string origin);

  // Connects to the first reachable of `endpoints` (already SSRF-checked), then for https does the TLS
  // handshake with SNI and hostname verification. Returns false with result.error set.
  awaitable<bool> connect(const Url& url, const std::vector<tcp::endpoint>& endpoints,
                          const ClientOptions& options, ClientResult& result);

  // Writes `request` and reads the response into `result` under options.request_timeout.
  awaitable<Outcome> exchange(const bhttp::request<bhttp::string_body>& request, const ClientOptions& options,
                              ClientResult& result);

  // True after a complete response that allows keep-alive and left no unread bytes.
  bool reusable() const { return reusable_; }
  // Non-blocking check of an idle connection: false once the server closed it or sent anything unasked.
  bool looks_alive();
  void close();

  const std::string& origin() const { return origin_; }
  const std::string& remote_endpoint() const { return remote_; }

 private:
  beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }

  awaitable<bool> do_handshake(const Url& url, const ClientOptions& options, ClientResult& result);
  template <class Stream>
  awaitable<Outcome> do_exchange(Stream& stream, const bhttp::request<bhttp::string_body>& request,
                                 const ClientOptions& options, ClientResult& result);
  Outcome on_error(error_code ec, bool received_any, const char* phase, const ClientOptions& options,
                   ClientResult& result);

  std::string origin_;
  std::string remote_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  bool reusable_ = false;
  std::array<char, 16 * 1024> chunk_;  // body bytes land here before being kept or dropped
};

}  // namespace hookd::http
