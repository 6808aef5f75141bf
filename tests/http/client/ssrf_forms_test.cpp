// Issue 15's SSRF list, for what ssrf_test.cpp, url_test.cpp and client_tls_test.cpp do not already show:
// every other way of writing an internal address is refused by the check the admin API runs when an endpoint is
// stored (decimal, octal, hex and short IPv4 forms, IPv4-mapped and -compatible IPv6 in every spelling, zone
// ids, the unspecified addresses, a trailing dot), and a delivery answered with a redirect is not followed.
// (Covered elsewhere: the ranges themselves, names resolving to private addresses at connect time, bounded
// response bytes, TLS verified against the system CA store.)
#include "client_test_util.h"
#include "http/client/ssrf.h"
#include "test_http_server.h"

namespace hookd::http {
namespace {

using test::Reply;
using test::TestHttpServer;

TEST(SsrfForms, EveryWayOfWritingAnInternalAddressIsRefused) {
  const char* urls[] = {
      "https://2130706433/",                       // 127.0.0.1 as one decimal number
      "https://0x7f000001/",                       // ... in hex
      "https://0x7f.0x0.0x0.0x1/",                 // hex per part
      "https://0177.0.0.01/",                      // octal per part
      "https://017700000001/",                     // one octal number
      "https://127.1/",                            // short form
      "https://0/",                                // 0.0.0.0
      "https://0.0.0.0/",                          // 'this network'
      "https://[::]/",                             // unspecified IPv6
      "https://2852039166/latest/meta-data/",      // 169.254.169.254 in decimal
      "https://0xa9fea9fe/latest/meta-data/",      // ... in hex
      "https://0251.0376.0251.0376/",              // ... in octal
      "https://169.254.169.254./latest/",          // ... with a trailing dot
      "https://[::ffff:169.254.169.254]/",         // IPv4-mapped
      "https://[::ffff:a9fe:a9fe]/",               // IPv4-mapped, hex
      "https://[0:0:0:0:0:ffff:a9fe:a9fe]/",       // IPv4-mapped, written out
      "https://[::ffff:0:a9fe:a9fe]/",             // IPv4-translated
      "https://[64:ff9b::a9fe:a9fe]/",             // NAT64
      "https://[::169.254.169.254]/",              // IPv4-compatible
      "https://[fd00:ec2::254]/latest/meta-data",  // AWS metadata over IPv6
      "https://[FD00:EC2:0:0:0:0:0:254]/",         // ... in capitals, written out
      "https://[fe80::1%25eth0]/",                 // link-local with a zone id
      "https://[::ffff:127.0.0.1]:6379/",          // mapped loopback, another port
      "https://169.254.0.1/",                      // link-local
      "https://[fe80::a9fe:a9fe]/",                // IPv6 link-local
  };
  SsrfPolicy policy;
  for (const char* url : urls) {
    SCOPED_TRACE(url);
    SsrfVerdict verdict = policy.check_target(url);
    EXPECT_FALSE(verdict.allowed);
    EXPECT_FALSE(verdict.reason.empty());
  }
  // Public addresses in the same spellings are not refused by accident of the form alone when canonical.
  EXPECT_TRUE(policy.check_target("https://[::ffff:8.8.8.8]/").allowed) << "mapped public address";
  EXPECT_TRUE(policy.check_target("https://8.8.8.8/").allowed);
}

using SsrfDelivery = ClientFixture;

// A redirect is an answer, not an instruction: following it would let an endpoint send deliveries (signed,
// with the customer's payload) to an address the SSRF check never saw, such as the metadata service.
TEST_F(SsrfDelivery, RedirectsAreNotFollowed) {
  TestHttpServer target, redirecting;
  for (unsigned status : {301u, 302u, 303u, 307u, 308u}) {
    SCOPED_TRACE(status);
    Reply reply = Reply::with_status(status, "");
    reply.headers.emplace_back("Location", target.url("/stolen"));
    redirecting.enqueue(reply);
    ClientOptions options;
    ASSERT_TRUE(options.ssrf.allow("127.0.0.1").ok());
    auto pool = make_pool(options);
    ClientResult result = post(*pool, redirecting.url("/hook"));
    EXPECT_TRUE(result.ok()) << result.error_message;
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.header("location").value_or(""), target.url("/stolen"));
  }
  EXPECT_EQ(redirecting.request_count(), 5u);
  EXPECT_EQ(target.request_count(), 0u) << "a redirect was followed";
}

}  // namespace
}  // namespace hookd::http
