#include "http/client/url.h"

#include <gtest/gtest.h>

namespace hookd::http {
namespace {

TEST(ParseUrl, AcceptsAbsoluteHttpAndHttpsUrls) {
  struct Case {
    const char* in;
    const char* scheme;
    const char* host;
    unsigned port;
    const char* target;
    const char* host_header;
    bool ip;
  } cases[] = {
      {"https://example.com", "https", "example.com", 443, "/", "example.com", false},
      {"HTTPS://Example.COM./a/b?x=1&y=2", "https", "example.com", 443, "/a/b?x=1&y=2", "example.com", false},
      {"http://example.com:8080/hook", "http", "example.com", 8080, "/hook", "example.com:8080", false},
      {"https://example.com:443/", "https", "example.com", 443, "/", "example.com", false},
      {"http://example.com:443/", "http", "example.com", 443, "/", "example.com:443", false},
      {"https://example.com?x=1", "https", "example.com", 443, "/?x=1", "example.com", false},
      {"https://hooks.example.com/a%20b/%2F?q=%7E", "https", "hooks.example.com", 443, "/a%20b/%2F?q=%7E",
       "hooks.example.com", false},
      {"https://my_host-1.example/", "https", "my_host-1.example", 443, "/", "my_host-1.example", false},
      {"http://192.0.2.1/", "http", "192.0.2.1", 80, "/", "192.0.2.1", true},
      {"https://[2001:DB8::1]:8443/p", "https", "2001:db8::1", 8443, "/p", "[2001:db8::1]:8443", true},
      {"https://[::FFFF:127.0.0.1]/", "https", "::ffff:127.0.0.1", 443, "/", "[::ffff:127.0.0.1]", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto parsed = parse_url(c.in);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    const Url& url = *parsed;
    EXPECT_EQ(url.scheme, c.scheme);
    EXPECT_EQ(url.host, c.host);
    EXPECT_EQ(url.port, c.port);
    EXPECT_EQ(url.target, c.target);
    EXPECT_EQ(url.host_header(), c.host_header);
    EXPECT_EQ(url.ip.has_value(), c.ip);
  }
}

TEST(ParseUrl, OriginAlwaysCarriesThePort) {
  auto url = parse_url("HTTPS://Example.com/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->origin(), "https://example.com:443");
  EXPECT_EQ(url->str(), "https://example.com/x");
  url = parse_url("http://[::1]:8080/x?y");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->origin(), "http://[::1]:8080");
  EXPECT_EQ(url->str(), "http://[::1]:8080/x?y");
}

TEST(ParseUrl, RejectsWithAMessageThatSaysWhy) {
  const std::string long_label(64, 'a');
  struct Case {
    std::string in;
    const char* error;
  } cases[] = {
      {"", "URL is empty"},
      {"example.com/hook", "must start with https:// or http://"},
      {"://example.com/", "must start with https:// or http://"},
      {"ftp://example.com/", "unsupported scheme 'ftp'"},
      {"file:///etc/passwd", "unsupported scheme 'file'"},
      {"gopher://127.0.0.1:6379/_", "unsupported scheme 'gopher'"},
      {"https://user:pass@example.com/", "credentials in the URL"},
      {"https://example.com@evil.example/", "credentials in the URL"},
      {"https://example.com/#frag", "fragment"},
      {"https:///path", "URL has no host"},
      {"https://?x", "URL has no host"},
      {"https://exa mple.com/", "space or control character"},
      {"https://example.com/\t", "space or control character"},
      {" https://example.com/", "space or control character"},
      {"https://ex\xc3\xa4mple.com/", "non-ASCII"},
      {"https://example.com\\@evil.example/", "backslash"},
      {"https://127.1/", "not a canonical IPv4 address"},
      {"https://2130706433/", "not a canonical IPv4 address"},
      {"https://0x7f.0.0.1/", "not a canonical IPv4 address"},
      {"https://0x7f000001/", "not a canonical IPv4 address"},
      {"https://0177.0.0.1/", "not a canonical IPv4 address"},
      {"https://1.2.3.256/", "not a canonical IPv4 address"},
      {"https://1.2.3.4.5/", "not a canonical IPv4 address"},
      {"https://[fe80::1%25eth0]/", "zone identifiers"},
      {"https://[::1/", "closing ']'"},
      {"https://[::1]x/", "unexpected text after ']'"},
      {"https://::1/", "IPv6 addresses must be written in brackets"},
      {"https://[zz::1]/", "is not a valid IPv6 address"},
      {"https://example.com:0/", "out of range"},
      {"https://example.com:65536/", "out of range"},
      {"https://example.com:/", "no port number"},
      {"https://example.com:8o/", "is not a number"},
      {"https://exa%6dple.com/", "percent-encoded host names"},
      {"https://a..b/", "empty label"},
      {"https://.example.com/", "empty label"},
      {"https://" + long_label + ".com/", "longer than 63"},
      {"https://exa!mple.com/", "character '!' is not allowed"},
      {"https://example.com/%zz", "invalid percent-encoding"},
      {"https://example.com/a%2", "invalid percent-encoding"},
      {"https://example.com/<script>", "must be percent-encoded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto r = parse_url(c.in);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ClientErrc::invalid_url);
    EXPECT_TRUE(r.error().is(Fault::invalid_input));
    EXPECT_NE(r.error().message.find(c.error), std::string::npos) << "error was: " << r.error().message;
  }
}

}  // namespace
}  // namespace hookd::http
