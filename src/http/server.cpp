#include "http/server.h"

#include <optional>
#include <unordered_map>

#include "core/log.h"
#include "core/metrics.h"

namespace hookd::http {

namespace {

struct ServerStats {
  metrics::Counter& connections =
      metrics::registry().counter("hookd_http_connections_total", "Accepted connections.");
  metrics::Counter& rejected_connections = metrics::registry().counter(
      "hookd_http_connections_rejected_total", "Connections refused because max_connections was reached.");
  metrics::Gauge& open = metrics::registry().gauge("hookd_http_connections_open", "Open connections.");
  metrics::Counter& body_too_large = metrics::registry().counter(
      "hookd_http_request_errors_total", "Requests refused before routing.", "reason=\"body_too_large\"");
  metrics::Counter& header_too_large = metrics::registry().counter(
      "hookd_http_request_errors_total", "Requests refused before routing.", "reason=\"header_too_large\"");
  metrics::Counter& malformed = metrics::registry().counter(
      "hookd_http_request_errors_total", "Requests refused before routing.", "reason=\"malformed\"");
};

ServerStats& stats() {
  static ServerStats s;
  return s;
}

// The two series of a (route, status): looked up in the registry (a lock, label text, map searches) the first
// time a thread sees the pair, then from that thread's own table, found by the route's text without building
// a string.
struct RouteSeries {
  unsigned status;
  metrics::Counter* requests;
  metrics::Histogram* seconds;
};

const RouteSeries& route_series(std::string_view pattern, unsigned status) {
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  thread_local std::unordered_map<std::string, std::vector<RouteSeries>, TextHash, std::equal_to<>> table;
  auto route = table.find(pattern);
  if (route == table.end()) route = table.emplace(std::string(pattern), std::vector<RouteSeries>{}).first;
  for (const RouteSeries& s : route->second)
    if (s.status == status) return s;
  std::string name(pattern.empty() ? "unmatched" : pattern);
  route->second.push_back(RouteSeries{
      status,
      &metrics::registry().counter("hookd_http_requests_total", "HTTP requests by route and status.",
                                   "route=\"" + name + "\",status=\"" + std::to_string(status) + "\""),
      &metrics::registry().histogram("hookd_http_request_seconds", "HTTP request handling time by route.",
                                     "route=\"" + name + "\"")});
  return route->second.back();
}

void count_response(std::string_view pattern, const Response& res, std::chrono::steady_clock::duration took) {
  const RouteSeries& series = route_series(pattern, res.result_int());
  series.requests->inc();
  series.seconds->observe(std::chrono::duration<double>(took).count());
}

// Reads until the buffer holds a whole header block (up to the blank line) or more than `limit` bytes,
// without parsing, so that the raw header can be checked for what Beast accepts silently (obsolete line
// folding). Beast then parses from the buffer. Returns async_read_some's error (eof, timeout, reset).
awaitable<error_code> read_header_block(
    beast::basic_stream<tcp, asio::strand<asio::io_context::executor_type>>& stream,
    beast::flat_buffer& buffer, size_t limit) {
  size_t searched = 0;
  for (;;) {
    std::string_view have(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (have.find("\r\n\r\n", searched) != std::string_view::npos || have.size() > limit + 4)
      co_return error_code{};
    searched = have.size() > 3 ? have.size() - 3 : 0;
    error_code ec;
    auto space = buffer.prepare(4096);
    size_t n = co_await stream.async_read_some(space, redirect(ec));
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

// RFC 9112 §5.2: a server refuses obsolete line folding (a header line starting with a space or a tab), which
// Beast would join into the previous field's value, where a proxy in front of us may have read it
// differently.
bool has_obs_fold(const beast::flat_buffer& buffer) {
  std::string_view have(static_cast<const char*>(buffer.data().data()), buffer.size());
  size_t end = have.find("\r\n\r\n");
  std::string_view header = have.substr(0, end == std::string_view::npos ? have.size() : end + 2);
  return header.find("\r\n ") != std::string_view::npos || header.find("\r\n\t") != std::string_view::npos;
}

// RFC 9112 framing rules Beast leaves to us, checked on the header before any body is read. A request that
// breaks them could be read differently by a proxy in front of us (request smuggling), so it is refused and
// the connection closed. Beast already refuses a Content-Length that is malformed or repeated with different
// values.
std::optional<Response> framing_error(const bhttp::request_parser<bhttp::string_body>::value_type& req) {
  auto bad = [](std::string message) {
    return error_response(Status::bad_request, "bad_request", "malformed HTTP request: " + message);
  };
  // §3.2: a client sends exactly one Host in HTTP/1.1.
  auto hosts = req.equal_range(bhttp::field::host);
  size_t host_count = static_cast<size_t>(std::distance(hosts.first, hosts.second));
  if (req.version() >= 11 && host_count != 1)
    return bad(host_count == 0 ? "missing Host header" : "more than one Host header");
  auto codings = req.equal_range(bhttp::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  // §6.1: Transfer-Encoding with Content-Length is a smuggling attempt or a broken client.
  if (req.find(bhttp::field::content_length) != req.end())
    return bad("both Transfer-Encoding and Content-Length");
  if (req.version() < 11) return bad("Transfer-Encoding in an HTTP/1.0 request");
  // §6.3: a request whose final transfer coding is not chunked has no reliable length. Every coding is in the
  // last Transfer-Encoding field's list, in order (`gzip, chunked`); the last one must be chunked, and only
  // it.
  std::string last;
  size_t chunked = 0, others = 0;
  for (auto it = codings.first; it != codings.second; ++it)
    for (auto coding : bhttp::token_list(it->value())) {
      last = std::string(coding);
      for (char& c : last)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ++(last == "chunked" ? chunked : others);
    }
  if (last != "chunked" || chunked != 1)
    return bad("the final transfer coding must be chunked, once (Transfer-Encoding: " +
               std::string(codings.first->value()) + ")");
  // §6.1: a coding we cannot decode (gzip, chunked) is 501; the body would be read, but not understood.
  if (others)
    return error_response(Status::not_implemented, "unsupported_transfer_coding",
                          "only the chunked transfer coding is supported");
  return std::nullopt;
}
}  // namespace

hookd::Status ServerOptions::validate() const {
  auto bad = [](const char* field, const char* problem) {
    return hookd::Status(make_error(HttpErrc::invalid_config, problem, field));
  };
  if (body_limit < 1) return bad("body_limit", "must be at least 1 byte");
  if (header_limit < 1024) return bad("header_limit", "must be at least 1024 bytes");
  if (read_timeout.count() <= 0) return bad("read_timeout", "must be positive");
  if (idle_timeout.count() <= 0) return bad("idle_timeout", "must be positive");
  if (write_timeout.count() <= 0) return bad("write_timeout", "must be positive");
  if (max_connections < 1) return bad("max_connections", "must be at least 1");
  return {};
}

Server::Server(asio::io_context& io, ServerOptions options, std::shared_ptr<const Router> router)
    : io_(io), options_(std::move(options)), router_(std::move(router)), acceptor_(io) {}

error_code Server::listen() {
  error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return ec;
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return ec;
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void Server::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void Server::stop() {
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
}

awaitable<void> Server::accept_loop() {
  auto self = shared_from_this();
  while (!stopping_) {
    error_code ec;
    // Each connection gets its own strand: its steps never run concurrently, and connections spread over
    // threads.
    Socket socket(asio::make_strand(io_.get_executor()));
    co_await acceptor_.async_accept(socket, redirect(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) break;
      log::warn("http.accept_failed", {{"error", ec.message()}});
      // Out of file descriptors and the like: back off instead of spinning on the error.
      asio::steady_timer backoff(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await backoff.async_wait(redirect(ec));
      continue;
    }
    stats().connections.inc();
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

awaitable<void> Server::session(Socket socket) {
  auto self = shared_from_this();
  connections_.fetch_add(1, std::memory_order_relaxed);
  stats().open.add(1);
  struct Leave {
    Server* s;
    ~Leave() {
      s->connections_.fetch_sub(1, std::memory_order_relaxed);
      stats().open.add(-1);
    }
  } leave{this};

  std::string remote;
  {
    error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  Stream stream(std::move(socket));
  beast::flat_buffer buffer;
  error_code ec;

  if (connections_.load(std::memory_order_relaxed) > options_.max_connections) {
    stats().rejected_connections.inc();
    auto res =
        error_response(Status::service_unavailable, "service_unavailable", "too many open connections");
    res.keep_alive(false);
    stream.expires_after(options_.write_timeout);
    co_await bhttp::async_write(stream, res, redirect(ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }

  bool first = true;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(options_.header_limit);
    parser.body_limit(options_.body_limit);

    // Waiting for the next request on a kept-alive connection uses the idle timeout; reading one, the read
    // timeout.
    stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
    ec = co_await read_header_block(stream, buffer, options_.header_limit);
    const bool folded = !ec && has_obs_fold(buffer);
    if (!ec && !folded) co_await bhttp::async_read_header(stream, buffer, parser, redirect(ec));
    first = false;
    std::optional<Response> early;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::connection_reset) {
      break;
    } else if (folded) {
      stats().malformed.inc();
      early = error_response(
          Status::bad_request, "bad_request",
          "malformed HTTP request: obsolete line folding in the header (RFC 9112 section 5.2)");
    } else if (ec == bhttp::error::header_limit) {
      stats().header_too_large.inc();
      early = error_response(Status::request_header_fields_too_large, "request_header_fields_too_large",
                             "request headers exceed " + std::to_string(options_.header_limit) + " bytes");
    } else if (ec == bhttp::error::body_limit) {
      // Content-Length already says the body is too large: refuse without reading it.
      stats().body_too_large.inc();
      early = error_response(Status::payload_too_large, "payload_too_large",
                             "request body exceeds " + std::to_string(options_.body_limit) + " bytes");
    } else if (ec) {
      stats().malformed.inc();
      early = error_response(Status::bad_request, "bad_request", "malformed HTTP request: " + ec.message());
    }

    if (!early) {
      early = framing_error(parser.get());
      if (early) stats().malformed.inc();
    }
    if (!early) {
      auto& req = parser.get();
      if (bhttp::token_list(req[bhttp::field::expect]).exists("100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version()};
        stream.expires_after(options_.write_timeout);
        co_await bhttp::async_write(stream, cont, redirect(ec));
        if (ec) break;
      }
      stream.expires_after(options_.read_timeout);
      co_await bhttp::async_read(stream, buffer, parser, redirect(ec));
      if (ec == bhttp::error::body_limit) {
        stats().body_too_large.inc();
        early = error_response(Status::payload_too_large, "payload_too_large",
                               "request body exceeds " + std::to_string(options_.body_limit) + " bytes");
      } else if (ec) {
        // The peer went away mid-body, or was too slow: Beast's stream closes the socket on timeout, so there
        // is no one left to answer.
        break;
      }
    }

    Response res;
    bool keep_alive = false;
    bool head_request = false;
    if (early) {
      // After a refused request the rest of its bytes are unread: the connection cannot be reused.
      res = std::move(*early);
      res.keep_alive(false);
    } else {
      Request req = parser.release();
      head_request = req.method() == Verb::head;
      keep_alive = req.keep_alive();
      res = co_await handle(req, remote);
      res.version(req.version());
      res.keep_alive(keep_alive && !stopping_ && res.keep_alive());
      keep_alive = res.keep_alive();
    }
    res.set(bhttp::field::server, "hookd");
    if (head_request && !res.body().empty()) {
      // RFC 9110 §9.3.2: a HEAD answer is a GET answer's status and headers (Content-Length included), no body.
      res.content_length(res.body().size());
      res.body().clear();
    }
    stream.expires_after(options_.write_timeout);
    co_await bhttp::async_write(stream, res, redirect(ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<Response> Server::handle(Request& request, const std::string& remote) {
  auto started = std::chrono::steady_clock::now();
  std::string_view target = request.target();
  size_t qpos = target.find('?');
  RequestContext ctx{request, target.substr(0, qpos), {}, {}, remote, started};
  if (qpos != std::string_view::npos) ctx.query = parse_query(target.substr(qpos + 1));

  auto match = router_->match(request.method(), ctx.path, ctx.params);
  Response res;
  if (match.status == Status::not_found) {
    res = error_response(Status::not_found, "not_found", "no route for " + std::string(ctx.path));
  } else if (match.status == Status::method_not_allowed) {
    res = error_response(
        Status::method_not_allowed, "method_not_allowed",
        std::string(request.method_string()) + " is not allowed here; allowed: " + match.allow);
    res.set(bhttp::field::allow, match.allow);
  } else {
    try {
      res = co_await (*match.handler)(ctx);
    } catch (const std::exception& e) {
      // Handlers return errors as responses; reaching this is a bug, but it must cost one request, not the
      // process.
      log::error("http.handler_threw", {{"route", std::string(match.pattern)}, {"what", e.what()}});
      res = error_response(Status::internal_server_error, "internal_error", "internal error");
    }
  }
  count_response(match.pattern, res, std::chrono::steady_clock::now() - started);
  co_return res;
}

}  // namespace hookd::http
