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

#include "bench_server.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using hookd_bench::Stream;
using hookd_bench::tcp;

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hookd-bench-bare PORT [THREADS]\n");
    return 2;
  }
  int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  return hookd_bench::serve("hookd-bench-bare", static_cast<unsigned short>(std::atoi(argv[1])), threads,
                            session);
}
