// ClientPool over TLS against a local HTTPS server whose certificates come from a CA generated for the test
// run.
#include <sys/socket.h>

#include "client_test_util.h"
#include "test_http_server.h"
#include "test_pki.h"

namespace hookd::http {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::TestHttpServer;
using Action = test::Reply::Action;

class ClientTls : public ClientFixture {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    pki_ = test::TestPki::create(&error).release();
    ASSERT_NE(pki_, nullptr) << error;
    sink_ = pki_->issue("sink", {"sink.test"}, {"127.0.0.1"}, &error);
    ASSERT_FALSE(sink_.cert_file.empty()) << error;
    other_ = pki_->issue("other", {"other.test"}, {}, &error);
    ASSERT_FALSE(other_.cert_file.empty()) << error;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static test::TestHttpServerOptions serving(const test::TestCertificate& cert) {
    test::TestHttpServerOptions options;
    options.cert_chain_file = cert.cert_file;
    options.private_key_file = cert.key_file;
    return options;
  }

  // Trusts the test CA; sink.test and other.test are names for 127.0.0.1, which is allowlisted.
  static ClientOptions trusting_options() {
    ClientOptions options;
    options.extra_ca_file = pki_->ca_file();
    EXPECT_TRUE(options.ssrf.allow("127.0.0.1").ok());
    for (const char* name : {"sink.test", "other.test"})
      options.static_hosts[name] = {asio::ip::make_address("127.0.0.1")};
    return options;
  }

  static inline test::TestPki* pki_ = nullptr;
  static inline test::TestCertificate sink_;
  static inline test::TestCertificate other_;
};

TEST_F(ClientTls, VerifiesTheCertificateAndSendsSni) {
  TestHttpServer server(serving(sink_));
  auto pool = make_pool(trusting_options());

  ClientResult result = post(*pool, server.url("/hook", "sink.test"));

  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.status, 200u);
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].tls_server_name, "sink.test");
  EXPECT_EQ(server.requests()[0].header("host"), "sink.test:" + std::to_string(server.port()));
}

TEST_F(ClientTls, IpLiteralIsVerifiedAgainstIpSubjectAltNameWithoutSni) {
  TestHttpServer server(serving(sink_));
  auto pool = make_pool(trusting_options());

  ClientResult result = post(*pool, server.url("/hook"));

  ASSERT_TRUE(result.ok()) << result.error_message;
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].tls_server_name, "");
}

TEST_F(ClientTls, RejectsCertificatesThatDoNotMatch) {
  TestHttpServer server(serving(other_));  // valid, trusted, but for other.test only
  auto pool = make_pool(trusting_options());
  struct Case {
    const char* host;
    const char* error;
  } cases[] = {
      {"sink.test", "certificate verification failed: hostname mismatch"},
      {"127.0.0.1", "certificate verification failed: IP address mismatch"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.host);
    ClientResult result = post(*pool, server.url("/", c.host));
    EXPECT_EQ(result.error, ClientErrorKind::tls) << result.error_message;
    EXPECT_NE(result.error_message.find(c.error), std::string::npos) << result.error_message;
  }
  EXPECT_EQ(server.request_count(), 0u);
  // The same server is fine under the name its certificate carries.
  EXPECT_TRUE(post(*pool, server.url("/", "other.test")).ok());
}

TEST_F(ClientTls, RejectsAnUntrustedCa) {
  TestHttpServer server(serving(sink_));
  ClientOptions options = trusting_options();
  options.extra_ca_file.clear();  // system store only
  auto pool = make_pool(options);

  ClientResult result = post(*pool, server.url("/", "sink.test"));

  EXPECT_EQ(result.error, ClientErrorKind::tls) << result.error_message;
  EXPECT_NE(
      result.error_message.find("certificate verification failed: unable to get local issuer certificate"),
      std::string::npos)
      << result.error_message;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(ClientTls, KeepAliveReusesTheTlsConnection) {
  TestHttpServer server(serving(sink_));
  auto pool = make_pool(trusting_options());

  ASSERT_TRUE(post(*pool, server.url("/a", "sink.test")).ok());
  ClientResult second = post(*pool, server.url("/b", "sink.test"));

  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_TRUE(second.reused_connection);
  EXPECT_EQ(server.connection_count(), 1u);
}

TEST_F(ClientTls, StaleTlsConnectionIsRetriedOnce) {
  TestHttpServer server(serving(sink_));
  server.enqueue({Reply{}, Reply::of(Action::drop), Reply::with_status(202)});
  auto pool = make_pool(trusting_options());

  ASSERT_TRUE(post(*pool, server.url("/1", "sink.test")).ok());
  ClientResult result = post(*pool, server.url("/2", "sink.test"));

  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.status, 202u);
  EXPECT_TRUE(result.retried);
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.connection_count(), 2u);
}

TEST_F(ClientTls, HandshakeTimeoutWhenThePeerNeverSpeaks) {
  // The kernel accepts the TCP connection into the backlog; nobody ever reads the ClientHello.
  asio::io_context scratch;
  tcp::acceptor silent(scratch, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = silent.local_endpoint().port();
  ClientOptions options = trusting_options();
  options.tls_handshake_timeout = 300ms;
  auto pool = make_pool(options);

  ClientResult result = post(*pool, "https://sink.test:" + std::to_string(port) + "/");

  EXPECT_EQ(result.error, ClientErrorKind::timeout) << result.error_message;
  EXPECT_NE(result.error_message.find("TLS handshake with sink.test:" + std::to_string(port) +
                                      " timed out after 300 ms"),
            std::string::npos)
      << result.error_message;
  EXPECT_GE(result.latency, 300ms);
  EXPECT_LT(result.latency, 5s);
}

TEST_F(ClientTls, PlainHttpServerIsATlsError) {
  TestHttpServer plain;  // answers the ClientHello with an HTTP parse failure, i.e. closes
  auto pool = make_pool(trusting_options());

  ClientResult result = post(*pool, "https://sink.test:" + std::to_string(plain.port()) + "/");

  EXPECT_EQ(result.error, ClientErrorKind::tls) << result.error_message;
}

}  // namespace
}  // namespace hookd::http
