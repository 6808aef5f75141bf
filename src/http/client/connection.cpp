#include "http/client/connection.h"

#include <poll.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace hookd::http {
namespace {

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

void set_error(ClientResult& result, ClientErrorKind kind, std::string message) {
  result.error = kind;
  result.error_message = std::move(message);
}

std::string endpoint_text(const tcp::endpoint& ep) {
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

// A reused connection the server had already closed fails in one of these ways before any response byte
// arrives.
bool closed_by_peer(error_code ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

ClientConnection::ClientConnection(asio::any_io_executor executor, asio::ssl::context* tls,
                                   std::string origin)
    : origin_(std::move(origin)) {
  if (tls)
    tls_.emplace(executor, *tls);
  else
    plain_.emplace(executor);
}

awaitable<bool> ClientConnection::connect(const Url& url, const std::vector<tcp::endpoint>& endpoints,
                                          const ClientOptions& options, ClientResult& result) {
  error_code ec;
  tcp().expires_after(options.connect_timeout);
  tcp::endpoint connected = co_await tcp().async_connect(endpoints, redirect(ec));
  if (ec == beast::error::timeout) {
    set_error(result, ClientErrorKind::timeout,
              "connect to " + url.host_header() + " timed out after " + ms(options.connect_timeout));
    co_return false;
  }
  if (ec) {
    set_error(result, ClientErrorKind::connect,
              "connect to " + url.host_header() + " failed: " + ec.message());
    co_return false;
  }
  remote_ = endpoint_text(connected);
  result.remote_endpoint = remote_;
  error_code ignored;
  tcp().socket().set_option(tcp::no_delay(true), ignored);
  if (tls_) co_return co_await do_handshake(url, options, result);
  co_return true;
}

awaitable<bool> ClientConnection::do_handshake(const Url& url, const ClientOptions& options,
                                               ClientResult& result) {
  SSL* ssl = tls_->native_handle();
  // SNI carries names only (RFC 6066 section 3); the certificate must match the name or the IP literal we
  // dialled.
  if (!url.ip) SSL_set_tlsext_host_name(ssl, url.host.c_str());
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  int set = url.ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                   : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
  if (set != 1) {
    set_error(result, ClientErrorKind::tls, "cannot set the expected certificate name '" + url.host + "'");
    co_return false;
  }

  error_code ec;
  tcp().expires_after(options.tls_handshake_timeout);
  co_await tls_->async_handshake(asio::ssl::stream_base::client, redirect(ec));
  if (ec == beast::error::timeout) {
    set_error(
        result, ClientErrorKind::timeout,
        "TLS handshake with " + url.host_header() + " timed out after " + ms(options.tls_handshake_timeout));
    co_return false;
  }
  if (ec) {
    long verify = SSL_get_verify_result(ssl);
    std::string why = verify != X509_V_OK ? std::string("certificate verification failed: ") +
                                                X509_verify_cert_error_string(verify)
                                          : ec.message();
    set_error(result, ClientErrorKind::tls, "TLS handshake with " + url.host_header() + " failed: " + why);
    co_return false;
  }
  co_return true;
}

awaitable<ClientConnection::Outcome> ClientConnection::exchange(
    const bhttp::request<bhttp::string_body>& request, const ClientOptions& options, ClientResult& result) {
  reusable_ = false;
  Outcome outcome = tls_ ? co_await do_exchange(*tls_, request, options, result)
                         : co_await do_exchange(*plain_, request, options, result);
  tcp().expires_never();
  if (!reusable_) close();
  co_return outcome;
}

template <class Stream>
awaitable<ClientConnection::Outcome> ClientConnection::do_exchange(
    Stream& stream, const bhttp::request<bhttp::string_body>& request, const ClientOptions& options,
    ClientResult& result) {
  error_code ec;
  // One deadline for the whole exchange: a server trickling bytes cannot stretch it.
  tcp().expires_after(options.request_timeout);
  co_await bhttp::async_write(stream, request, redirect(ec));
  if (ec) co_return on_error(ec, false, "writing the request", options, result);

  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
  // Interim 1xx responses (100 Continue, 103 Early Hints) may precede the final one; they are skipped.
  for (int interim = 0;; ++interim) {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser->body_limit(options.max_response_bytes);
    if (request.method() == bhttp::verb::head) parser->skip(true);
    co_await bhttp::async_read_header(stream, buffer_, *parser, redirect(ec));
    if (ec) {
      bool received = interim > 0 || parser->got_some() || buffer_.size() > 0;
      co_return on_error(ec, received, "waiting for the response", options, result);
    }
    unsigned status = parser->get().result_int();
    if (status == 101) {
      set_error(result, ClientErrorKind::protocol, "server switched protocols (101) without being asked to");
      co_return Outcome::failed;
    }
    if (status >= 200) break;
    if (interim == 8) {
      set_error(result, ClientErrorKind::protocol, "more than 8 interim (1xx) responses");
      co_return Outcome::failed;
    }
  }

  auto& message = parser->get();
  result.status = message.result_int();
  result.headers.clear();
  for (const auto& field : message)
    result.headers.emplace_back(field.name_string(), field.value());
  result.body.clear();
  result.body_bytes = 0;

  while (!parser->is_done()) {
    message.body().data = chunk_.data();
    message.body().size = chunk_.size();
    co_await bhttp::async_read(stream, buffer_, *parser, redirect(ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    std::size_t got = chunk_.size() - message.body().size;
    result.body_bytes += got;
    std::size_t keep = std::min(got, options.max_body_bytes - result.body.size());
    result.body.append(chunk_.data(), keep);
    if (ec) co_return on_error(ec, true, "reading the response body", options, result);
  }
  result.body_truncated = result.body_bytes > result.body.size();
  // Bytes after the response were never asked for; a connection carrying them cannot be trusted for the next
  // one.
  reusable_ = parser->keep_alive() && buffer_.size() == 0;
  co_return Outcome::complete;
}

ClientConnection::Outcome ClientConnection::on_error(error_code ec, bool received_any, const char* phase,
                                                     const ClientOptions& options, ClientResult& result) {
  if (ec == beast::error::timeout) {
    set_error(result, ClientErrorKind::timeout,
              "request timed out after " + ms(options.request_timeout) + " " + phase);
    return Outcome::failed;
  }
  if (ec == bhttp::error::body_limit) {
    set_error(result, ClientErrorKind::too_large,
              "response body exceeds " + std::to_string(options.max_response_bytes) + " bytes");
    return Outcome::failed;
  }
  if (ec == bhttp::error::header_limit) {
    set_error(result, ClientErrorKind::too_large,
              "response header exceeds " + std::to_string(options.max_header_bytes) + " bytes");
    return Outcome::failed;
  }
  if (!received_any && ec == bhttp::error::end_of_stream)
    set_error(result, ClientErrorKind::protocol, std::string("connection closed by the server ") + phase);
  else
    set_error(result, ClientErrorKind::protocol, std::string("error ") + phase + ": " + ec.message());
  bool writing = std::string_view(phase) == "writing the request";
  return !received_any && (writing || closed_by_peer(ec)) ? Outcome::stale : Outcome::failed;
}

bool ClientConnection::looks_alive() {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return false;
  if (tls_ && SSL_pending(tls_->native_handle()) > 0) return false;
  pollfd p{socket.native_handle(), POLLIN, 0};
  // Readable while idle means FIN, RST or bytes nobody asked for: in every case the connection is unusable.
  return ::poll(&p, 1, 0) == 0;
}

void ClientConnection::close() {
  reusable_ = false;
  error_code ignored;
  // No TLS close_notify: waiting for the peer's reply would need another deadline for no benefit to us;
  // servers treat a plain close after a complete exchange as normal.
  tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp().close();
}

}  // namespace hookd::http
