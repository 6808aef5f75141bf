// The listener against raw sockets: what a vendor's HTTP client sees for good, bad and oversized requests.
#include "http/server.h"

#include <thread>

#include <gtest/gtest.h>

namespace hookd::http {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  // Long, so that no pause of a busy machine between a test's writes looks like a slow client; the timeout
  // test shortens it.
  virtual std::chrono::milliseconds timeout() const { return std::chrono::seconds(30); }

  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add(Verb::post, "/echo/{id}", [](RequestContext& ctx) -> awaitable<Response> {
      json::ObjectBuilder b;
      b.set("id", json::Value(ctx.param("id")));
      b.set("body", json::Value(ctx.request.body()));
      const std::string* q = ctx.query_value("q");
      b.set("q", q ? json::Value(*q) : json::Value());
      co_return json_response(Status::ok, std::move(b).build());
    });
    router->add(Verb::get, "/echo/{id}", [](RequestContext&) -> awaitable<Response> {
      co_return text_response(Status::ok, "get", "text/plain");
    });
    router->add(Verb::get, "/echo/fixed", [](RequestContext&) -> awaitable<Response> {
      co_return text_response(Status::ok, "fixed", "text/plain");
    });
    router->add(Verb::get, "/throws", [](RequestContext&) -> awaitable<Response> {
      throw std::runtime_error("boom");
      co_return Response{};
    });
    ServerOptions opts;
    opts.address = "127.0.0.1";
    opts.port = 0;
    opts.body_limit = 1000;
    opts.header_limit = 2000;
    opts.read_timeout = timeout();
    opts.idle_timeout = timeout();
    server_ = std::make_shared<Server>(io_, opts, router);
    ASSERT_FALSE(server_->listen());
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop();
    io_.stop();
    thread_.join();
  }

  // Sends raw bytes and reads until the server closes or `responses` responses arrived.
  std::string exchange(const std::string& raw, int responses = 1) {
    asio::io_context cio;
    tcp::socket s(cio);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    asio::write(s, asio::buffer(raw));
    std::string out;
    beast::flat_buffer buf;
    for (int i = 0; i < responses; ++i) {
      bhttp::response<bhttp::string_body> res;
      error_code ec;
      bhttp::read(s, buf, res, ec);
      if (ec) break;
      out += std::to_string(res.result_int()) + " " + res.body() + "\n";
    }
    return out;
  }

  asio::io_context io_{1};
  std::shared_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, RoutesWithParamsAndQuery) {
  EXPECT_EQ(exchange("POST /echo/a%20b?q=x%2By HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"),
            "200 {\"id\":\"a b\",\"body\":\"abc\",\"q\":\"x+y\"}\n");
}

TEST_F(ServerTest, LiteralSegmentBeatsParameter) {
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.1\r\nHost: t\r\n\r\n"), "200 fixed\n");
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  EXPECT_EQ(exchange("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"),
            "404 {\"error\":\"not_found\",\"message\":\"no route for /nope\"}\n");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  EXPECT_EQ(exchange("DELETE /echo/1 HTTP/1.1\r\nHost: t\r\n\r\n"),
            "405 {\"error\":\"method_not_allowed\",\"message\":\"DELETE is not allowed here; allowed: POST, "
            "GET\"}\n");
}

TEST_F(ServerTest, OversizedContentLengthIs413WithoutReadingTheBody) {
  EXPECT_EQ(exchange("POST /echo/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n"),
            "413 {\"error\":\"payload_too_large\",\"message\":\"request body exceeds 1000 bytes\"}\n");
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  std::string chunk(800, 'x');
  std::string raw = "POST /echo/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i)
    raw += "320\r\n" + chunk + "\r\n";
  raw += "0\r\n\r\n";
  EXPECT_EQ(exchange(raw),
            "413 {\"error\":\"payload_too_large\",\"message\":\"request body exceeds 1000 bytes\"}\n");
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  std::string raw = "GET /echo/1 HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(3000, 'a') + "\r\n\r\n";
  EXPECT_EQ(exchange(raw),
            "431 {\"error\":\"request_header_fields_too_large\",\"message\":\"request headers exceed "
            "2000 bytes\"}\n");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  EXPECT_EQ(exchange("BLAH\r\n\r\n").substr(0, 27), "400 {\"error\":\"bad_request\",");
}

// Found by probing: a Transfer-Encoding whose last coding is not chunked left the body to be read as the next
// pipelined request (request smuggling). RFC 9112 §6.3: such a request is a 400, and the connection is
// closed, so the smuggled request behind it is never served.
TEST_F(ServerTest, TransferEncodingNotEndingInChunkedIs400AndClosesTheConnection) {
  const std::string smuggled = "GET /echo/fixed HTTP/1.1\r\nHost: t\r\n\r\n";
  for (const char* te : {"xchunked", "gzip", "identity", "chunked, identity", "chunked, chunked"}) {
    SCOPED_TRACE(te);
    std::string raw =
        std::string("POST /echo/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ") + te + "\r\n\r\n";
    std::string out = exchange(raw + smuggled, 2);
    EXPECT_EQ(out.substr(0, 27), "400 {\"error\":\"bad_request\",") << out;
    EXPECT_EQ(out.find("200 fixed"), std::string::npos) << "the smuggled request was served: " << out;
  }
}

TEST_F(ServerTest, TransferEncodingWithContentLengthIs400) {
  std::string raw =
      "POST /echo/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(exchange(raw, 2).substr(0, 27), "400 {\"error\":\"bad_request\",");
}

TEST_F(ServerTest, ACodingOtherThanChunkedIs501) {
  std::string raw = "POST /echo/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(exchange(raw).substr(0, 42), "501 {\"error\":\"unsupported_transfer_coding\"");
}

TEST_F(ServerTest, ChunkedBodiesStillWork) {
  std::string raw =
      "POST /echo/1 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(exchange(raw), "200 {\"id\":\"1\",\"body\":\"abc\"}\n");
}

TEST_F(ServerTest, ObsoleteLineFoldingIs400) {
  for (const char* fold : {"\r\n  continued", "\r\n\tcontinued"}) {
    std::string raw = std::string("GET /echo/fixed HTTP/1.1\r\nHost: t\r\nX-Long: start") + fold + "\r\n\r\n";
    EXPECT_EQ(exchange(raw).substr(0, 27), "400 {\"error\":\"bad_request\",") << fold;
  }
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.1\r\nHost: t\r\nX-Spaces: a  b\t c\r\n\r\n"), "200 fixed\n")
      << "spaces inside a value are not folding";
}

TEST_F(ServerTest, AHeaderArrivingByteByByteIsStillRead) {
  asio::io_context cio;
  tcp::socket s(cio);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  for (char c : std::string("GET /echo/fixed HTTP/1.1\r\nHost: t\r\n\r\n"))
    asio::write(s, asio::buffer(&c, 1));
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res);
  EXPECT_EQ(res.body(), "fixed");
}

TEST_F(ServerTest, HostIsRequiredOnceInHttp11) {
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.1\r\n\r\n").substr(0, 27), "400 {\"error\":\"bad_request\",");
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").substr(0, 27),
            "400 {\"error\":\"bad_request\",");
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.0\r\n\r\n"), "200 fixed\n") << "HTTP/1.0 has no Host";
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string one = "POST /echo/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\na";
  std::string two = "POST /echo/2 HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nb";
  EXPECT_EQ(exchange(one + two, 2), "200 {\"id\":\"1\",\"body\":\"a\"}\n200 {\"id\":\"2\",\"body\":\"b\"}\n");
}

TEST_F(ServerTest, AnswersExpectContinue) {
  asio::io_context cio;
  tcp::socket s(cio);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  asio::write(s, asio::buffer(std::string("POST /echo/9 HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                                          "Content-Length: 2\r\n\r\n")));
  beast::flat_buffer buf;
  bhttp::response<bhttp::empty_body> cont;
  bhttp::read(s, buf, cont);
  EXPECT_EQ(cont.result_int(), 100);
  asio::write(s, asio::buffer(std::string("hi")));
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res);
  EXPECT_EQ(res.body(), "{\"id\":\"9\",\"body\":\"hi\"}");
}

TEST_F(ServerTest, HandlerExceptionIs500AndTheServerLives) {
  EXPECT_EQ(exchange("GET /throws HTTP/1.1\r\nHost: t\r\n\r\n"),
            "500 {\"error\":\"internal_error\",\"message\":\"internal error\"}\n");
  EXPECT_EQ(exchange("GET /echo/fixed HTTP/1.1\r\nHost: t\r\n\r\n"), "200 fixed\n");
}

class ServerWithShortTimeouts : public ServerTest {
 protected:
  std::chrono::milliseconds timeout() const override { return std::chrono::milliseconds(500); }
};

TEST_F(ServerWithShortTimeouts, SlowBodyIsCutOffAtTheReadTimeout) {
  asio::io_context cio;
  tcp::socket s(cio);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  asio::write(s,
              asio::buffer(std::string("POST /echo/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab")));
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  error_code ec;
  auto started = std::chrono::steady_clock::now();
  bhttp::read(s, buf, res, ec);  // the server closes after read_timeout (500 ms)
  EXPECT_EQ(ec, bhttp::error::end_of_stream);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace hookd::http
