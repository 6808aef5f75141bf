// ClientPool against a real local server (tests/support/test_http_server.h) over plain HTTP.
#include <sys/socket.h>

#include <thread>

#include "client_test_util.h"
#include "test_http_server.h"

namespace hookd::http {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::TestHttpServer;
using Action = test::Reply::Action;

// The test server listens on 127.0.0.1: allowlisting it also allows plain http to it.
ClientOptions local_options() {
  ClientOptions options;
  options.user_agent = "hookd-test/1";
  EXPECT_TRUE(options.ssrf.allow("127.0.0.1").ok());
  return options;
}

using Client = ClientFixture;

TEST_F(Client, PostsTheRequestAndReturnsTheResponse) {
  TestHttpServer server;
  Reply reply = Reply::with_status(201, "created");
  reply.headers = {{"X-Reply", "yes"}};
  server.enqueue(reply);
  auto pool = make_pool(local_options());

  ClientRequest request;
  request.url = server.url("/hook?x=1");
  request.headers = {{"Content-Type", "application/json"}, {"X-Truto-Signature", "format=sha256,v=ab"}};
  request.body = R"({"event":"test"})";
  ClientResult result = send(*pool, request);

  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.status, 201u);
  EXPECT_EQ(result.body, "created");
  EXPECT_EQ(result.body_bytes, 7u);
  EXPECT_FALSE(result.body_truncated);
  EXPECT_EQ(result.header("x-reply"), "yes");
  EXPECT_FALSE(result.reused_connection);
  EXPECT_EQ(result.remote_endpoint, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_GT(result.latency.count(), 0);

  ASSERT_EQ(server.request_count(), 1u);
  auto seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/hook?x=1");
  EXPECT_EQ(seen.body, R"({"event":"test"})");
  EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("user-agent"), "hookd-test/1");
  EXPECT_EQ(seen.header("content-length"), "16");
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("x-truto-signature"), "format=sha256,v=ab");
}

TEST_F(Client, KeepAliveReusesTheConnection) {
  TestHttpServer server;
  auto pool = make_pool(local_options());

  ClientResult first = post(*pool, server.url("/a"));
  ClientResult second = post(*pool, server.url("/b"));

  ASSERT_TRUE(first.ok()) << first.error_message;
  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_FALSE(first.reused_connection);
  EXPECT_TRUE(second.reused_connection);
  EXPECT_EQ(server.connection_count(), 1u);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].connection, seen[1].connection);
  EXPECT_EQ(pool->stats().connections_opened, 1u);
  EXPECT_EQ(pool->stats().idle, 1u);
}

TEST_F(Client, ConnectionCloseIsHonoured) {
  TestHttpServer server;
  server.enqueue(Reply::of(Action::respond_and_close));
  auto pool = make_pool(local_options());

  ASSERT_TRUE(post(*pool, server.url()).ok());
  EXPECT_EQ(pool->stats().idle, 0u);
  ClientResult second = post(*pool, server.url());

  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(server.connection_count(), 2u);
}

TEST_F(Client, IdleConnectionClosedByTheServerIsNotUsed) {
  TestHttpServer server;
  server.enqueue(Reply::of(Action::respond_then_drop));  // says keep-alive, then closes anyway
  auto pool = make_pool(local_options());

  ASSERT_TRUE(post(*pool, server.url()).ok());
  ASSERT_TRUE(server.wait_for_closed_connections(1, 5s));
  ClientResult second = post(*pool, server.url());

  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_FALSE(second.retried) << "the closed connection should be dropped before anything is written to it";
  EXPECT_EQ(pool->stats().stale_retries, 0u);
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(server.connection_count(), 2u);
}

// The race the liveness check cannot see: the server takes the request on the pooled connection and closes it
// without a byte of response. The client retries once on a fresh connection; the server saw the request
// twice.
TEST_F(Client, StaleConnectionIsRetriedOnceOnAFreshConnection) {
  TestHttpServer server;
  server.enqueue({Reply{}, Reply::of(Action::drop), Reply::with_status(202, "second try")});
  auto pool = make_pool(local_options());

  ASSERT_TRUE(post(*pool, server.url("/1")).ok());
  ClientResult result = post(*pool, server.url("/2"));

  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.status, 202u);
  EXPECT_TRUE(result.retried);
  EXPECT_FALSE(result.reused_connection);
  EXPECT_EQ(pool->stats().stale_retries, 1u);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].target, "/2");
  EXPECT_EQ(seen[2].target, "/2");
  EXPECT_EQ(seen[1].connection, seen[0].connection);
  EXPECT_NE(seen[2].connection, seen[1].connection);
}

TEST_F(Client, StaleRetryHappensAtMostOnce) {
  TestHttpServer server;
  server.enqueue({Reply{}, Reply::of(Action::drop), Reply::of(Action::drop), Reply{}});
  auto pool = make_pool(local_options());

  ASSERT_TRUE(post(*pool, server.url()).ok());
  ClientResult result = post(*pool, server.url());

  EXPECT_EQ(result.error, ClientErrorKind::protocol) << result.error_message;
  EXPECT_NE(result.error_message.find("connection closed by the server"), std::string::npos)
      << result.error_message;
  EXPECT_TRUE(result.retried);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST_F(Client, DropOnAFreshConnectionIsNotRetried) {
  TestHttpServer server;
  server.enqueue(Reply::of(Action::drop));
  auto pool = make_pool(local_options());

  ClientResult result = post(*pool, server.url());

  EXPECT_EQ(result.error, ClientErrorKind::protocol) << result.error_message;
  EXPECT_FALSE(result.retried);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(Client, PartialResponseOnAReusedConnectionIsNotRetried) {
  TestHttpServer server;
  Reply partial = Reply::of(Action::partial_then_drop);
  partial.body = std::string(100, 'p');
  server.enqueue({Reply{}, partial});
  auto pool = make_pool(local_options());

  ASSERT_TRUE(post(*pool, server.url()).ok());
  ClientResult result = post(*pool, server.url());

  EXPECT_EQ(result.error, ClientErrorKind::protocol) << result.error_message;
  EXPECT_FALSE(result.retried);
  EXPECT_TRUE(result.reused_connection);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(Client, ConnectionRefused) {
  std::uint16_t port;
  {
    // A port that was free a moment ago and has no listener now.
    asio::io_context scratch;
    tcp::acceptor acceptor(scratch, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  auto pool = make_pool(local_options());

  ClientResult result = post(*pool, "http://127.0.0.1:" + std::to_string(port) + "/");

  EXPECT_EQ(result.error, ClientErrorKind::connect) << result.error_message;
  EXPECT_NE(result.error_message.find("refused"), std::string::npos) << result.error_message;
}

TEST_F(Client, ConnectTimeout) {
  // A listener with a backlog of one whose queue is already full: Linux drops further SYNs, so connect hangs.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto port = ntohs(addr.sin_port);
  asio::io_context scratch;
  tcp::socket filler(scratch);
  filler.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));

  ClientOptions options = local_options();
  options.connect_timeout = 300ms;
  auto pool = make_pool(options);
  ClientResult result = post(*pool, "http://127.0.0.1:" + std::to_string(port) + "/");
  ::close(listener);

  EXPECT_EQ(result.error, ClientErrorKind::timeout) << result.error_message;
  EXPECT_NE(
      result.error_message.find("connect to 127.0.0.1:" + std::to_string(port) + " timed out after 300 ms"),
      std::string::npos)
      << result.error_message;
  EXPECT_GE(result.latency, 300ms);
  EXPECT_LT(result.latency, 5s);
}

TEST_F(Client, RequestTimeoutWhenTheServerNeverAnswers) {
  TestHttpServer server;
  server.enqueue(Reply::of(Action::hang));
  ClientOptions options = local_options();
  options.request_timeout = 300ms;
  auto pool = make_pool(options);

  ClientResult result = post(*pool, server.url());

  EXPECT_EQ(result.error, ClientErrorKind::timeout) << result.error_message;
  EXPECT_NE(result.error_message.find("request timed out after 300 ms waiting for the response"),
            std::string::npos)
      << result.error_message;
  EXPECT_GE(result.latency, 300ms);
  EXPECT_LT(result.latency, 5s);
  EXPECT_FALSE(result.retried);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(Client, SlowAnswerWithinTheTimeoutSucceeds) {
  TestHttpServer server;
  Reply slow;
  slow.delay = 200ms;
  server.enqueue(slow);
  ClientOptions options = local_options();
  options.request_timeout = 5s;
  auto pool = make_pool(options);

  ClientResult result = post(*pool, server.url());

  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_GE(result.latency, 200ms);
}

TEST_F(Client, LargeResponseIsTruncatedButReadToTheEnd) {
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    TestHttpServer server;
    std::string big(1024 * 1024, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
      big[i] = static_cast<char>('a' + i % 26);
    Reply reply = Reply::with_status(200, big);
    reply.chunked = chunked;
    server.enqueue(reply);
    ClientOptions options = local_options();
    options.max_body_bytes = 64 * 1024;
    auto pool = make_pool(options);

    ClientResult result = post(*pool, server.url());
    ClientResult next = post(*pool, server.url());

    ASSERT_TRUE(result.ok()) << result.error_message;
    EXPECT_EQ(result.body.size(), 64u * 1024);
    EXPECT_EQ(result.body, big.substr(0, 64 * 1024));
    EXPECT_EQ(result.body_bytes, big.size());
    EXPECT_TRUE(result.body_truncated);
    ASSERT_TRUE(next.ok()) << next.error_message;
    EXPECT_TRUE(next.reused_connection) << "the rest of the body was read, so the connection stays usable";
  }
}

TEST_F(Client, ResponseAboveTheHardLimitIsTooLarge) {
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    TestHttpServer server;
    Reply reply = Reply::with_status(200, std::string(1024 * 1024, 'x'));
    reply.chunked = chunked;
    server.enqueue(reply);
    ClientOptions options = local_options();
    options.max_response_bytes = 100 * 1024;
    auto pool = make_pool(options);

    ClientResult result = post(*pool, server.url());
    ClientResult next = post(*pool, server.url());

    EXPECT_EQ(result.error, ClientErrorKind::too_large) << result.error_message;
    EXPECT_NE(result.error_message.find("exceeds 102400 bytes"), std::string::npos) << result.error_message;
    ASSERT_TRUE(next.ok()) << next.error_message;
    EXPECT_FALSE(next.reused_connection);
    EXPECT_EQ(server.connection_count(), 2u);
  }
}

TEST_F(Client, SsrfPolicyDecidesWhetherTheRequestIsMade) {
  TestHttpServer server;
  auto with = [](std::initializer_list<const char*> allowlist, bool plain_http) {
    ClientOptions options;
    for (const char* entry : allowlist)
      EXPECT_TRUE(options.ssrf.allow(entry).ok());
    options.ssrf.set_allow_plain_http(plain_http);
    options.static_hosts["sink.test"] = {asio::ip::make_address("127.0.0.1")};
    return options;
  };
  struct Case {
    const char* name;
    ClientOptions options;
    std::string url;
    const char* blocked;  // fragment of the reason; nullptr: the request reaches the server
  } cases[] = {
      {"default policy: https only", {}, server.url("/", "sink.test"), "plain http is not allowed"},
      {"plain http allowed, loopback still denied", with({}, true), server.url(), "127.0.0.1 is in loopback"},
      {"localhost name denied", with({}, true), server.url("/", "localhost"), "loopback name"},
      // Found by probing: the message (shown to the endpoint's owner as last_error) named the address, which
      // reveals internal DNS. The owner learns it is refused; the address is in error_detail, for the log.
      {"denied after resolution", with({}, true), server.url("/", "sink.test"),
       "host 'sink.test' resolves to an address deliveries may not reach"},
      {"address allowlisted", with({"127.0.0.1"}, false), server.url(), nullptr},
      {"CIDR allowlisted, name resolved into it", with({"127.0.0.0/8"}, true), server.url("/", "sink.test"),
       nullptr},
      {"name allowlisted", with({"sink.test"}, false), server.url("/", "sink.test"), nullptr},
  };
  std::size_t expected_requests = 0;
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto pool = make_pool(c.options);
    ClientResult result = post(*pool, c.url);
    if (c.blocked) {
      EXPECT_EQ(result.error, ClientErrorKind::ssrf_blocked) << result.error_message;
      EXPECT_NE(result.error_message.find(c.blocked), std::string::npos) << result.error_message;
      if (std::string_view(c.name) == "denied after resolution") {  // braces: EXPECT_EQ expands to an if/else
        EXPECT_EQ(result.error_detail,
                  "host 'sink.test' resolved to 127.0.0.1, which is in loopback 127.0.0.0/8 "
                  "and not allowlisted");
      }
    } else {
      EXPECT_TRUE(result.ok()) << result.error_message;
      ++expected_requests;
    }
    EXPECT_EQ(server.request_count(), expected_requests) << "a blocked request must never reach the server";
  }
  EXPECT_EQ(server.requests().back().header("host"), "sink.test:" + std::to_string(server.port()));
}

TEST_F(Client, InvalidRequestsAreRefusedBeforeAnyIo) {
  TestHttpServer server;
  auto pool = make_pool(local_options());
  struct Case {
    const char* name;
    std::string url;
    ClientHeaders headers;
    const char* error;
  } cases[] = {
      {"bad URL",
       "http://127.0.0.1:" + std::to_string(server.port()) + "/#x",
       {},
       "invalid URL: URL has a fragment"},
      {"header injection", server.url(), {{"X-A", "1\r\nX-B: 2"}}, "has CR, LF or NUL"},
      {"bad header name", server.url(), {{"X A", "1"}}, "not a valid token"},
      {"framing header", server.url(), {{"Content-Length", "5"}}, "is set by the client"},
      {"host header", server.url(), {{"host", "evil.example"}}, "is set by the client"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientRequest request;
    request.url = c.url;
    request.headers = c.headers;
    ClientResult result = send(*pool, request);
    EXPECT_EQ(result.error, ClientErrorKind::invalid_request);
    EXPECT_NE(result.error_message.find(c.error), std::string::npos) << result.error_message;
  }
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(Client, UnresolvableNameIsADnsError) {
  ClientOptions options;
  auto pool = make_pool(options);
  ClientResult result = post(*pool, "https://hookd-test.invalid/");  // .invalid never resolves (RFC 6761)
  EXPECT_EQ(result.error, ClientErrorKind::dns) << result.error_message;
  EXPECT_NE(result.error_message.find("cannot resolve 'hookd-test.invalid'"), std::string::npos)
      << result.error_message;
}

TEST_F(Client, RejectsUnusableOptions) {
  struct Case {
    const char* name;
    void (*change)(ClientOptions&);
    const char* error;
  } cases[] = {
      {"zero timeout", [](ClientOptions& o) { o.request_timeout = 0ms; }, "every timeout must be positive"},
      {"zero limit", [](ClientOptions& o) { o.max_response_bytes = 0; }, "must be positive"},
      {"user agent with CRLF", [](ClientOptions& o) { o.user_agent = "a\r\nb: c"; }, "user_agent"},
      {"missing CA file", [](ClientOptions& o) { o.extra_ca_file = "/nonexistent/ca.pem"; },
       "cannot load CA file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientOptions options;
    c.change(options);
    auto pool = ClientPool::create(ioc_.get_executor(), options);
    ASSERT_FALSE(pool.ok());
    EXPECT_EQ(pool.error().code, ClientErrc::invalid_config);
    EXPECT_NE(pool.error().message.find(c.error), std::string::npos) << pool.error().message;
  }
}

// Workers share one pool from two threads; each sends its requests one after another, so at most `workers`
// connections are ever open, and every request either opened a connection or reused one.
TEST_F(Client, ManyConcurrentRequestsOnTwoThreads) {
  constexpr int workers = 16;
  constexpr int per_worker = 25;
  TestHttpServer server;
  server.set_handler([](const test::RecordedRequest& r) { return Reply::with_status(200, r.target); });
  ClientOptions options = local_options();
  options.max_idle_per_origin = workers;
  auto pool = make_pool(options);

  std::mutex mutex;
  std::vector<ClientResult> failures;
  int ok = 0;
  for (int w = 0; w < workers; ++w) {
    asio::co_spawn(
        ioc_,
        [&, w]() -> awaitable<void> {
          for (int i = 0; i < per_worker; ++i) {
            const std::string target = "/w" + std::to_string(w) + "/" + std::to_string(i);
            ClientRequest request;
            request.url = server.url(target);
            request.body = target;
            ClientResult result = co_await pool->send(std::move(request));
            std::lock_guard lock(mutex);
            if (result.ok() && result.body == target)
              ++ok;
            else
              failures.push_back(std::move(result));
          }
        },
        asio::detached);
  }
  std::thread second([&] { ioc_.run(); });
  ioc_.run();
  second.join();

  for (const auto& f : failures)
    ADD_FAILURE() << to_string(f.error) << ": " << f.error_message << " / " << f.body;
  EXPECT_EQ(ok, workers * per_worker);
  EXPECT_EQ(server.request_count(), std::size_t{workers * per_worker});
  auto stats = pool->stats();
  EXPECT_LE(stats.connections_opened, std::uint64_t{workers});
  EXPECT_EQ(stats.connections_opened + stats.connections_reused, std::uint64_t{workers * per_worker});
  EXPECT_EQ(server.connection_count(), stats.connections_opened);
  EXPECT_LE(stats.idle, std::size_t{workers});
}

}  // namespace
}  // namespace hookd::http
