// Fuzzes what the listener does with a connection's bytes before any handler authenticates anything: the
// header-block read and its obsolete-line-folding check, Beast's request parser under the server's limits, the
// RFC 9112 framing checks, the body read, then Server::handle (target split, query parsing, routing over every
// route hookd serves, 404/405 answers) and, on an ingest route, the payload context a vendor's request
// becomes (lower-cased headers, query, body by content type, the public URL from X-Forwarded-*). The answer
// is serialized as the session writes it. Several requests may follow each other on one connection
// (keep-alive), as in the session loop.
//
// Server::session itself needs a TCP socket, so this target runs its steps in the same order over an in-memory
// stream (Beast's test::stream); the checks it calls are the session's own (server.cpp is compiled into this
// file for its internal helpers has_obs_fold and framing_error). Any input must end with an answer or a
// closed connection, never a crash, UB, leak or hang; every answer must be well formed and an error answer a
// JSON `{error, message}` object.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <boost/beast/_experimental/test/stream.hpp>

#include "core/result.h"
#include "http/errc.h"
#include "http/router.h"
// Server::handle is private: the target calls it directly, the session's own routing step, rather than a copy.
#define private public
#include "http/server.h"
#undef private

#include "http/server.cpp"  // NOLINT: its anonymous-namespace helpers are the session's checks
#include "ingest/payload_context.h"
#include "ingest/request_url.h"

namespace {

using hookd::awaitable;
namespace http = hookd::http;
namespace json = hookd::json;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

// The server's limits, scaled down (the minimum header limit validate() allows, a 2 KiB body) so that inputs
// of a few KiB reach both limit paths.
http::ServerOptions fuzz_options() {
  http::ServerOptions o;
  o.header_limit = 1024;
  o.body_limit = 2048;
  return o;
}

// What an ingest handler reads from a request before its signature is checked: the payload context.
awaitable<http::Response> ingest_handler(http::RequestContext& ctx) {
  static const std::vector<http::Cidr> trusted{*http::Cidr::parse("127.0.0.0/8")};
  hookd::ingest::BodyLimits limits{.max_form_fields = 64};
  auto body = hookd::ingest::parse_body(ctx.request[bhttp::field::content_type], ctx.request.body(), limits);
  if (!body.ok())
    co_return http::error_response(http::Status::bad_request, body.error().name(), body.error().message);
  hookd::ingest::ContextInputs in{ctx,
                                  hookd::ingest::headers_object(ctx.request),
                                  std::move(*body),
                                  json::Value(),
                                  json::Value(),
                                  ctx.param("integrated_account_id"),
                                  "env",
                                  hookd::ingest::request_url(ctx, "", trusted)};
  json::Value context = hookd::ingest::build_payload_context(in);
  co_return http::json_response(http::Status::ok, context);
}

// Every other route answers with its parameters, so that the decoded values are serialized too.
awaitable<http::Response> echo_handler(http::RequestContext& ctx) {
  json::ObjectBuilder b;
  for (const auto& [name, value] : ctx.params)
    b.set(name, value);
  co_return http::json_response(http::Status::ok, std::move(b).build());
}

// Every route of schemas/openapi.yaml (ingest, health, console, admin), each under the methods that make
// literal-vs-parameter precedence and 405 answers reachable.
std::shared_ptr<const http::Router> make_router() {
  auto router = std::make_shared<http::Router>();
  for (auto verb :
       {http::Verb::get, http::Verb::head, http::Verb::post, http::Verb::put, http::Verb::patch}) {
    router->add(verb, "/integrated-account-webhook/{integrated_account_id}", ingest_handler);
    router->add(verb, "/environment-integration-webhook/{environment_integration_id}", ingest_handler);
  }
  for (const char* path :
       {"/healthz", "/readyz", "/metrics", "/console", "/console/{file}", "/lineage", "/inbound"})
    router->add(http::Verb::get, path, echo_handler);
  for (const char* path : {"/environment",
                           "/environment/notices",
                           "/environment/{id}",
                           "/environment/{id}/api-token",
                           "/environment/{id}/api-token/{token_id}",
                           "/environment/{id}/api-token/{token_id}/rotate",
                           "/integration",
                           "/integration/{id}",
                           "/environment-integration",
                           "/environment-integration/{id}",
                           "/integrated-account",
                           "/integrated-account/{id}",
                           "/integrated-account/{id}/run-post-install-actions",
                           "/event",
                           "/webhook",
                           "/webhook/test",
                           "/webhook/{id}",
                           "/webhook/{id}/rotate-secret",
                           "/webhook/{id}/flow",
                           "/webhook/{id}/deliveries",
                           "/webhook/{id}/replay",
                           "/webhook/{id}/enable",
                           "/webhook/{id}/disable",
                           "/delivery",
                           "/delivery/replay",
                           "/delivery/{id}",
                           "/delivery/{id}/replay",
                           "/replay",
                           "/replay/{id}",
                           "/replay/{id}/cancel"}) {
    router->add(http::Verb::get, path, echo_handler);
    router->add(http::Verb::post, path, echo_handler);
  }
  for (const char* path : {"/webhook/{id}", "/integrated-account/{id}", "/environment/{id}"}) {
    router->add(http::Verb::patch, path, echo_handler);
    router->add(http::Verb::delete_, path, echo_handler);
  }
  return router;
}

struct Harness {
  asio::io_context io;
  http::ServerOptions options = fuzz_options();
  std::shared_ptr<http::Server> server = std::make_shared<http::Server>(io, options, make_router());
};

Harness& harness() {
  static Harness h;
  return h;
}

// Every JSON answer parses (hookd writes JSON even from bytes that are not UTF-8), and an error answer is an
// `{error, message}` object.
void check_answer(const http::Response& res) {
  if (res[bhttp::field::content_type] != "application/json") return;
  json::Value body;
  if (!json::parse(res.body(), body)) __builtin_trap();
  if (res.result_int() >= 400 &&
      (!body.is_object() || !body.get("error").is_string() || !body.get("message").is_string()))
    __builtin_trap();
}

// Server::handle, run to completion on the harness's io_context.
http::Response route(Harness& h, http::Request& req) {
  std::optional<http::Response> out;
  asio::co_spawn(
      h.io, [&]() -> awaitable<void> { out = co_await h.server->handle(req, std::string("127.0.0.1")); },
      asio::detached);
  h.io.restart();
  h.io.run();
  if (!out) __builtin_trap();  // handle always answers
  return std::move(*out);
}

// read_header_block: reads until the buffer holds a blank line or more than the header limit.
hookd::error_code read_header_block(beast::test::stream& stream, beast::flat_buffer& buffer, size_t limit) {
  for (;;) {
    std::string_view have(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (have.find("\r\n\r\n") != std::string_view::npos || have.size() > limit + 4) return {};
    hookd::error_code ec;
    size_t n = stream.read_some(buffer.prepare(4096), ec);
    if (ec) return ec;
    buffer.commit(n);
  }
}

// One request of the session loop; false when the session would close the connection.
bool one_request(Harness& h, beast::test::stream& stream, beast::test::stream& peer,
                 beast::flat_buffer& buffer) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(h.options.header_limit);
  parser.body_limit(h.options.body_limit);
  hookd::error_code ec = read_header_block(stream, buffer, h.options.header_limit);
  if (ec) return false;  // eof: the client left
  const bool folded = hookd::http::has_obs_fold(buffer);
  if (!folded) bhttp::read_header(stream, buffer, parser, ec);
  std::optional<http::Response> early;
  if (folded || ec) {
    early = http::error_response(http::Status::bad_request, "bad_request", "refused");
  } else {
    early = hookd::http::framing_error(parser.get());
  }
  if (!early) {
    bhttp::read(stream, buffer, parser, ec);
    if (ec == bhttp::error::body_limit)
      early = http::error_response(http::Status::payload_too_large, "payload_too_large", "too large");
    else if (ec)
      return false;  // the peer went away mid-body
  }
  http::Response res;
  bool keep_alive = false;
  if (early) {
    res = std::move(*early);
    res.keep_alive(false);
    check_answer(res);
  } else {
    http::Request req = parser.release();
    keep_alive = req.keep_alive();
    res = route(h, req);
    res.version(req.version());
    res.keep_alive(keep_alive && res.keep_alive());
    keep_alive = res.keep_alive();
    check_answer(res);
    if (req.method() == http::Verb::head && !res.body().empty()) {
      res.content_length(res.body().size());
      res.body().clear();
    }
  }
  if (std::getenv(
          "FUZZ_HTTP_PRINT"))  // to see what a corpus file gets: FUZZ_HTTP_PRINT=1 fuzz_http_request FILE
    std::fprintf(stderr, "%u %s\n", res.result_int(), res.body().c_str());
  res.set(bhttp::field::server, "hookd");
  bhttp::write(stream, res, ec);
  if (ec) __builtin_trap();
  peer.buffer().consume(peer.buffer().size());  // what was written: not kept across requests
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = harness();
  beast::test::stream stream(h.io);
  beast::test::stream peer(h.io);
  stream.connect(peer);
  stream.append(std::string_view(reinterpret_cast<const char*>(data), size));
  stream.close_remote();  // the client sends its bytes, then only reads
  beast::flat_buffer buffer;
  for (int requests = 0; requests < 16 && one_request(h, stream, peer, buffer); ++requests) {
  }
  return 0;
}
