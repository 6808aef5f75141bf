// hookd-bench-bare: the baseline tools/bench-ingest compares hookd's ingest with. It does what hookd's HTTP layer
// does before any webhook work (src/http/server.cpp): one io_context run by N threads, one coroutine per
// connection on its own strand, Beast's basic_stream with a timeout, the whole body read into a string,
// keep-alive. It answers every request 200 with a small JSON body, so the ratio hookd/bare is what resolving,
// verifying, transforming and publishing an event costs on top of HTTP.
//
//   hookd-bench-bare PORT [THREADS]      (THREADS default: one per core, as hookd's HOOKD_THREADS)
#include <utility>  // Boost 1.74's asio uses std::exchange without including it (see src/core/asio.h)

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;

// hookd's defaults (HOOKD_BODY_LIMIT, HOOKD_READ_TIMEOUT), so both servers refuse and time out alike.
constexpr size_t kBodyLimit = 1024 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);

bhttp::response<bhttp::string_body> accepted(unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, version};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = R"({"status":"accepted"})";
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(Stream stream) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  auto on_error = asio::redirect_error(asio::use_awaitable, ec);
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kReadTimeout);
    co_await bhttp::async_read(stream, buffer, parser, on_error);
    if (ec) break;
    const auto& req = parser.get();
    auto res = accepted(req.version(), req.keep_alive());
    co_await bhttp::async_write(stream, res, on_error);
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Each connection gets a strand of its own, as in hookd, so that its steps never run on two threads at once.
asio::awaitable<void> accept_loop(asio::io_context& io, tcp::acceptor& acceptor) {
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

bool listen(tcp::acceptor& acceptor, unsigned short port) {
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  boost::system::error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) std::fprintf(stderr, "hookd-bench-bare: cannot listen on %u: %s\n", port, ec.message().c_str());
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hookd-bench-bare PORT [THREADS]\n");
    return 2;
  }
  int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  asio::io_context io(threads);
  tcp::acceptor acceptor(io);
  if (!listen(acceptor, static_cast<unsigned short>(std::atoi(argv[1])))) return 1;
  asio::co_spawn(io, accept_loop(io, acceptor), asio::detached);
  std::printf("hookd-bench-bare: listening on http://127.0.0.1:%s with %d threads\n", argv[1], threads);
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool)
    t.join();
}
