// hookd-demo-sink: a stand-in for a customer's backends, for `tools/run`. It prints every delivery it
// receives and checks its X-Truto-Signature with the endpoint's secret, as a receiver should.
//
//   hookd-demo-sink PORT [SECRET]     (SECRET also from HOOKD_SINK_SECRET; it may be set later: see below)
//
// The secrets are only known once the endpoints are registered, so the sink also re-reads them from the file
// named by HOOKD_SINK_SECRET_FILE (one secret per line; a signature by any of them verifies) before each
// request.
//
// Paths under /down/ play a backend that is down: they answer 503 until someone POSTs to /down/recover (and
// again after a POST to /down/fail). tools/run registers such an endpoint to show retries, the dead letter
// and a replay.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/asio.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "hookd/json.h"

namespace {

namespace bhttp = boost::beast::http;

std::atomic<bool> down_is_up{false};
std::mutex print_mutex;

std::vector<std::string> current_secrets(const std::string& fixed) {
  if (!fixed.empty()) return {fixed};
  std::vector<std::string> out;
  const char* file = std::getenv("HOOKD_SINK_SECRET_FILE");
  if (!file) return out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

bool verified(const bhttp::request<bhttp::string_body>& req, const std::string& fixed_secret) {
  std::string got(req["X-Truto-Signature"]);
  for (const auto& secret : current_secrets(fixed_secret)) {
    std::string expected = "format=sha256,v=" + hookd::crypto::hex(hookd::crypto::hmac(
                                                    hookd::crypto::Digest::sha256, secret, req.body()));
    // With a rotation in progress the header carries two signatures: either one is good.
    if (got == expected || got.rfind(expected + ",", 0) == 0) return true;
  }
  return false;
}

// The demo's control requests: POST /down/recover and POST /down/fail. Returns the answer's text, or empty.
std::string control(const bhttp::request<bhttp::string_body>& req) {
  if (req.method() != bhttp::verb::post) return {};
  if (req.target() == "/down/recover") {
    down_is_up = true;
    return "the /down/ endpoint answers 200 from now on\n";
  }
  if (req.target() == "/down/fail") {
    down_is_up = false;
    return "the /down/ endpoint answers 503 from now on\n";
  }
  return {};
}

bhttp::response<bhttp::string_body> answer(const bhttp::request<bhttp::string_body>& req,
                                           const std::string& fixed_secret) {
  bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "text/plain");
  res.keep_alive(req.keep_alive());
  if (std::string said = control(req); !said.empty()) {
    std::lock_guard lock(print_mutex);
    std::printf("\n[%s] %s", hookd::clock::now_iso8601().c_str(), said.c_str());
    std::fflush(stdout);
    res.body() = said;
    return res;
  }
  bool down = std::string_view(req.target()).rfind("/down/", 0) == 0 && !down_is_up;
  hookd::json::Value event;
  bool parsed = hookd::json::parse(req.body(), event);
  {
    std::lock_guard lock(print_mutex);
    std::printf("\n[%s] %s %s  signature %s%s%s\n", hookd::clock::now_iso8601().c_str(),
                std::string(req.method_string()).c_str(), std::string(req.target()).c_str(),
                verified(req, fixed_secret) ? "verified" : "DOES NOT VERIFY",
                req["X-Hookd-Replay"] == "true" ? "  (replay)" : "", down ? "  -> answered 503 (down)" : "");
    if (!down) std::printf("%s\n", parsed ? hookd::json::dump_pretty(event).c_str() : req.body().c_str());
    std::fflush(stdout);
  }
  res.result(down ? bhttp::status::service_unavailable : bhttp::status::ok);
  res.body() = down ? "down" : "ok";
  return res;
}

// One thread per connection: hookd keeps connections alive and opens several at once.
void serve(hookd::tcp::socket socket, std::string fixed_secret) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    boost::beast::error_code ec;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(socket, buffer, req, ec);
    if (ec) return;
    auto res = answer(req, fixed_secret);
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
    if (!ec) std::thread(serve, std::move(socket), secret).detach();
  }
}
