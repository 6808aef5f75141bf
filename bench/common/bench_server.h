// What the benchmarks' two servers share (the bare baseline and the counting sink): a listener on loopback,
// an accept loop that gives each connection a strand of its own and a coroutine, as hookd's server does, and
// an io_context run by THREADS threads. Plain Boost, so the baseline owes nothing to hookd's code.
#pragma once

#include <utility>  // Boost 1.74's asio uses std::exchange without including it (see src/core/asio.h)

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <cstdio>
#include <thread>
#include <vector>

namespace hookd_bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;

inline bool listen_on_loopback(tcp::acceptor& acceptor, unsigned short port, const char* program) {
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  boost::system::error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) std::fprintf(stderr, "%s: cannot listen on %u: %s\n", program, port, ec.message().c_str());
  return !ec;
}

// Each connection gets a strand of its own, as in hookd, so that its steps never run on two threads at once.
template <typename Session>
asio::awaitable<void> accept_loop(asio::io_context& io, tcp::acceptor& acceptor, Session session) {
  for (;;) {
    boost::system::error_code ec;
    auto socket =
        co_await acceptor.async_accept(asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) continue;
    Stream stream(std::move(socket));
    auto executor = stream.get_executor();
    asio::co_spawn(executor, session(std::move(stream)), asio::detached);
  }
}

// Listens on 127.0.0.1:port and serves with `session` (Stream -> awaitable<void>) on `threads` threads until
// the process is killed. Returns 1 if it cannot listen.
template <typename Session>
int serve(const char* program, unsigned short port, int threads, Session session) {
  asio::io_context io(threads);
  tcp::acceptor acceptor(io);
  if (!listen_on_loopback(acceptor, port, program)) return 1;
  asio::co_spawn(io, accept_loop(io, acceptor, session), asio::detached);
  std::printf("%s: listening on http://127.0.0.1:%u with %d threads\n", program, port, threads);
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool)
    t.join();
  return 0;
}

}  // namespace hookd_bench
