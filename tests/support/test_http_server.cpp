#include "test_http_server.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "core/asio.h"

namespace hookd::test {

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (beast::iequals(n, name)) return v;
  return std::nullopt;
}

Reply Reply::with_status(unsigned status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply Reply::of(Action action) {
  Reply r;
  r.action = action;
  return r;
}

struct TestHttpServer::Impl {
  explicit Impl(TestHttpServerOptions o) : options(std::move(o)), acceptor(ioc) {}

  // --- state shared with the test thread, under `mutex` ---
  mutable std::mutex mutex;
  mutable std::condition_variable recorded;
  std::vector<RecordedRequest> requests;
  std::deque<Reply> script;
  std::function<Reply(const RecordedRequest&)> handler;
  std::size_t connections = 0;
  std::size_t closed_connections = 0;

  // --- server thread only ---
  // Declared before `ioc`: sessions still pending when the server stops are destroyed with `ioc`, and their
  // destructors touch `closers` and the TLS context.
  TestHttpServerOptions options;
  std::unordered_map<std::size_t, std::function<void()>> closers;  // per live connection: close it now
  std::optional<asio::ssl::context> tls;
  asio::io_context ioc{1};
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::thread thread;
  bool stopped = false;

  Reply record(RecordedRequest request) {
    std::function<Reply(const RecordedRequest&)> decide;
    {
      std::lock_guard lock(mutex);
      requests.push_back(request);
      recorded.notify_all();
      if (!script.empty()) {
        Reply r = std::move(script.front());
        script.pop_front();
        return r;
      }
      decide = handler;
    }
    // Outside the lock: a handler may look at the server (request_count(), requests()).
    return decide ? decide(request) : Reply{};
  }

  awaitable<void> accept_loop() {
    while (true) {
      error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(redirect(ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      std::size_t id;
      {
        std::lock_guard lock(mutex);
        id = ++connections;
      }
      asio::co_spawn(ioc, session(std::move(socket), id), asio::detached);
    }
  }

  awaitable<void> session(tcp::socket socket, std::size_t id) {
    asio::steady_timer timer(ioc);
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
      auto& tcp_layer = beast::get_lowest_layer(stream);
      Registration reg(*this, id, [&] { close_now(tcp_layer, timer); });
      error_code ec;
      tcp_layer.expires_after(std::chrono::seconds(10));
      co_await stream.async_handshake(asio::ssl::stream_base::server, redirect(ec));
      if (!ec) {
        const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        co_await serve(stream, tcp_layer, timer, id, sni ? sni : "");
      }
      close_now(tcp_layer, timer);
    } else {
      beast::tcp_stream stream(std::move(socket));
      Registration reg(*this, id, [&] { close_now(stream, timer); });
      co_await serve(stream, stream, timer, id, "");
      close_now(stream, timer);
    }
  }

  // Keeps `closers` in step with the live connections of this thread, and counts closed ones (the socket is
  // closed before the registration ends).
  struct Registration {
    Registration(Impl& impl, std::size_t id, std::function<void()> closer) : impl(impl), id(id) {
      impl.closers.emplace(id, std::move(closer));
    }
    ~Registration() {
      impl.closers.erase(id);
      std::lock_guard lock(impl.mutex);
      ++impl.closed_connections;
      impl.recorded.notify_all();
    }
    Impl& impl;
    std::size_t id;
  };

  static void close_now(beast::tcp_stream& stream, asio::steady_timer& timer) {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    timer.cancel();
  }

  template <class Stream>
  awaitable<void> serve(Stream& stream, beast::tcp_stream& tcp_layer, asio::steady_timer& timer,
                        std::size_t id, std::string sni) {
    beast::flat_buffer buffer;
    while (true) {
      error_code ec;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(options.body_limit);
      tcp_layer.expires_after(options.idle_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser, redirect(ec));
      if (ec) co_return;
      if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
        co_await bhttp::async_write(stream, go_on, redirect(ec));
        if (ec) co_return;
      }
      co_await bhttp::async_read(stream, buffer, parser, redirect(ec));
      if (ec) co_return;
      tcp_layer.expires_never();

      const auto& req = parser.get();
      RecordedRequest recorded_request;
      recorded_request.method = std::string(req.method_string());
      recorded_request.target = std::string(req.target());
      for (const auto& field : req)
        recorded_request.headers.emplace_back(field.name_string(), field.value());
      recorded_request.body = req.body();
      recorded_request.connection = id;
      recorded_request.tls_server_name = sni;
      recorded_request.received_at = std::chrono::steady_clock::now();
      Reply reply = record(std::move(recorded_request));

      if (reply.delay.count() > 0) {
        timer.expires_after(reply.delay);
        co_await timer.async_wait(redirect(ec));
        if (ec) co_return;  // stopping
      }
      using Action = Reply::Action;
      switch (reply.action) {
        case Action::drop:
          co_return;  // the stream closes as the frame unwinds
        case Action::hang:
          timer.expires_at(asio::steady_timer::time_point::max());
          co_await timer.async_wait(redirect(ec));
          co_return;
        case Action::partial_then_drop: {
          std::string raw = "HTTP/1.1 " + std::to_string(reply.status) +
                            " Partial\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" +
                            reply.body.substr(0, reply.body.size() / 2);
          tcp_layer.expires_after(std::chrono::seconds(10));
          co_await asio::async_write(stream, asio::buffer(raw), redirect(ec));
          co_return;
        }
        default:
          break;
      }

      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), req.version()};
      res.set(bhttp::field::server, "hookd-test-server");
      res.set(bhttp::field::content_type, "text/plain");
      for (const auto& [name, value] : reply.headers)
        res.set(name, value);
      res.body() = std::move(reply.body);
      if (reply.chunked)
        res.chunked(true);
      else
        res.prepare_payload();
      const bool keep =
          reply.action == Action::respond_then_drop || (reply.action == Action::respond && req.keep_alive());
      res.keep_alive(keep);
      tcp_layer.expires_after(std::chrono::seconds(30));
      co_await bhttp::async_write(stream, res, redirect(ec));
      if (ec || !keep || reply.action == Action::respond_then_drop) co_return;
    }
  }
};

TestHttpServer::TestHttpServer(TestHttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& o = impl_->options;
  if (!o.cert_chain_file.empty() || !o.private_key_file.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    // Test setup: a bad certificate path is a broken test, so exceptions are fine here.
    impl_->tls->use_certificate_chain_file(o.cert_chain_file);
    impl_->tls->use_private_key_file(o.private_key_file, asio::ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TestHttpServer::~TestHttpServer() {
  stop();
}

void TestHttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    error_code ignored;
    impl->acceptor.close(ignored);
    auto closers = impl->closers;  // closing may end sessions, which erase themselves
    for (auto& [id, close] : closers)
      close();
  });
  // Sessions still pending after their sockets closed are destroyed with the io_context.
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->ioc.stop(); });
  impl_->thread.join();
}

std::uint16_t TestHttpServer::port() const {
  return impl_->port;
}
bool TestHttpServer::tls() const {
  return impl_->tls.has_value();
}

std::string TestHttpServer::url(std::string_view path, std::string_view host) const {
  return std::string(tls() ? "https://" : "http://") + std::string(host) + ":" + std::to_string(port()) +
         std::string(path);
}

void TestHttpServer::enqueue(Reply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->script.push_back(std::move(reply));
}

void TestHttpServer::enqueue(std::initializer_list<Reply> replies) {
  for (const auto& r : replies)
    enqueue(r);
}

void TestHttpServer::set_handler(std::function<Reply(const RecordedRequest&)> handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handler = std::move(handler);
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t TestHttpServer::request_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests.size();
}

std::size_t TestHttpServer::connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

std::size_t TestHttpServer::closed_connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->closed_connections;
}

bool TestHttpServer::wait_for_closed_connections(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->recorded.wait_for(lock, timeout, [&] { return impl_->closed_connections >= count; });
}

bool TestHttpServer::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->recorded.wait_for(lock, timeout, [&] { return impl_->requests.size() >= count; });
}

}  // namespace hookd::test
