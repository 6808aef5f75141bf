// hookd-demo-sink: a stand-in for a customer's backend, for `tools/run`. It prints every delivery it receives
// and checks its X-Truto-Signature with the endpoint's secret, as a receiver should.
//
//   hookd-demo-sink PORT [SECRET]     (SECRET also from HOOKD_SINK_SECRET; it may be set later: see below)
//
// The secret is only known once the endpoint is registered, so the sink also re-reads it from the file named
// by HOOKD_SINK_SECRET_FILE before each request.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/asio.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "hookd/json.h"

namespace {

std::string current_secret(const std::string& fixed) {
  if (!fixed.empty()) return fixed;
  const char* file = std::getenv("HOOKD_SINK_SECRET_FILE");
  if (!file) return {};
  std::ifstream in(file);
  std::string s;
  std::getline(in, s);
  return s;
}

void handle(hookd::tcp::socket socket, const std::string& fixed_secret) {
  namespace bhttp = boost::beast::http;
  boost::beast::flat_buffer buffer;
  for (;;) {
    boost::beast::error_code ec;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(socket, buffer, req, ec);
    if (ec) return;
    std::string secret = current_secret(fixed_secret);
    std::string expected = "format=sha256,v=" + hookd::crypto::hex(hookd::crypto::hmac(
                                                    hookd::crypto::Digest::sha256, secret, req.body()));
    std::string got(req["X-Truto-Signature"]);
    // With a rotation in progress the header carries two signatures: either one is good.
    bool ok = !secret.empty() && (got == expected || got.rfind(expected + ",", 0) == 0);
    hookd::json::Value event;
    bool parsed = hookd::json::parse(req.body(), event);
    std::printf("\n[%s] %s %s  signature %s%s\n", hookd::clock::now_iso8601().c_str(),
                std::string(req.method_string()).c_str(), std::string(req.target()).c_str(),
                ok ? "verified" : "DOES NOT VERIFY", req["X-Hookd-Replay"] == "true" ? "  (replay)" : "");
    std::printf("%s\n", parsed ? hookd::json::dump_pretty(event).c_str() : req.body().c_str());
    std::fflush(stdout);
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "text/plain");
    res.body() = "ok";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    bhttp::write(socket, res, ec);
    if (ec || !req.keep_alive()) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: hookd-demo-sink PORT [SECRET]\n");
    return 2;
  }
  std::string secret =
      argc > 2 ? argv[2] : (std::getenv("HOOKD_SINK_SECRET") ? std::getenv("HOOKD_SINK_SECRET") : "");
  hookd::asio::io_context io;
  boost::system::error_code ec;
  hookd::tcp::acceptor acceptor(io);
  hookd::tcp::endpoint ep(hookd::asio::ip::make_address("127.0.0.1"),
                          static_cast<uint16_t>(std::atoi(argv[1])));
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(hookd::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(hookd::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "hookd-demo-sink: cannot listen on %s: %s\n", argv[1], ec.message().c_str());
    return 1;
  }
  std::printf("hookd-demo-sink: listening on http://127.0.0.1:%s\n", argv[1]);
  std::fflush(stdout);
  for (;;) {
    hookd::tcp::socket socket(io);
    acceptor.accept(socket, ec);
    if (!ec) handle(std::move(socket), secret);
  }
}
