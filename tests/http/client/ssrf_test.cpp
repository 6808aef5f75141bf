#include "http/client/ssrf.h"

#include <gtest/gtest.h>

namespace hookd::http {
namespace {

asio::ip::address ip(const char* text) {
  return asio::ip::make_address(text);
}

Url url_of(const char* text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url.ok()) << text << ": " << (url.ok() ? "" : url.error().message);
  return url.ok() ? *url : Url{};
}

SsrfPolicy policy_with(std::initializer_list<const char*> allowlist, bool plain_http = false) {
  SsrfPolicy policy;
  for (const char* entry : allowlist) {
    hookd::Status allowed = policy.allow(entry);
    EXPECT_TRUE(allowed.ok()) << entry << ": " << allowed.error().message;
  }
  policy.set_allow_plain_http(plain_http);
  return policy;
}

// Each special-purpose range at and just outside its edges. `range` is a fragment of the name the policy
// reports;
// "" means a public address.
TEST(SsrfRanges, ClassifiesIpv4) {
  struct Case {
    const char* address;
    const char* range;
  } cases[] = {
      {"0.0.0.0", "'this network'"},
      {"0.255.255.255", "'this network'"},
      {"1.0.0.0", ""},
      {"9.255.255.255", ""},
      {"10.0.0.1", "private 10.0.0.0/8"},
      {"10.255.255.255", "private 10.0.0.0/8"},
      {"11.0.0.0", ""},
      {"100.63.255.255", ""},
      {"100.64.0.1", "carrier-grade NAT"},
      {"100.127.255.255", "carrier-grade NAT"},
      {"100.128.0.0", ""},
      {"126.255.255.255", ""},
      {"127.0.0.1", "loopback 127.0.0.0/8"},
      {"127.255.255.254", "loopback 127.0.0.0/8"},
      {"128.0.0.0", ""},
      {"169.253.255.255", ""},
      {"169.254.169.254", "link-local 169.254.0.0/16"},
      {"169.254.0.1", "link-local"},
      {"169.255.0.0", ""},
      {"172.15.255.255", ""},
      {"172.16.0.1", "private 172.16.0.0/12"},
      {"172.31.255.255", "private 172.16.0.0/12"},
      {"172.32.0.0", ""},
      {"192.0.0.8", "IETF protocol assignments"},
      {"192.0.1.1", ""},
      {"192.0.2.10", "documentation 192.0.2.0/24"},
      {"192.88.99.1", "6to4 relay anycast"},
      {"192.167.255.255", ""},
      {"192.168.1.1", "private 192.168.0.0/16"},
      {"192.169.0.0", ""},
      {"198.17.255.255", ""},
      {"198.18.0.1", "benchmarking"},
      {"198.19.255.255", "benchmarking"},
      {"198.20.0.0", ""},
      {"198.51.100.7", "documentation 198.51.100.0/24"},
      {"203.0.113.9", "documentation 203.0.113.0/24"},
      {"223.255.255.255", ""},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved 240.0.0.0/4"},
      {"255.255.255.254", "reserved"},
      {"255.255.255.255", "broadcast"},
      {"8.8.8.8", ""},
      {"93.184.216.34", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address);
    auto range = SsrfPolicy::special_range(ip(c.address));
    if (*c.range == '\0') {
      EXPECT_FALSE(range) << "denied as " << *range;
    } else {
      ASSERT_TRUE(range);
      EXPECT_NE(range->find(c.range), std::string::npos) << *range;
    }
  }
}

TEST(SsrfRanges, ClassifiesIpv6AndIpv4Embedded) {
  struct Case {
    const char* address;
    const char* range;
  } cases[] = {
      {"::", "unspecified"},
      {"::1", "loopback ::1"},
      {"::2", "IPv4-compatible"},
      {"::127.0.0.1", "IPv4-compatible"},
      {"::ffff:127.0.0.1", "loopback 127.0.0.0/8"},  // IPv4-mapped: judged as the IPv4 address
      {"::ffff:7f00:1", "loopback 127.0.0.0/8"},     // the same address written in hex
      {"::ffff:169.254.169.254", "link-local 169.254.0.0/16"},
      {"::ffff:10.1.2.3", "private 10.0.0.0/8"},
      {"::ffff:8.8.8.8", ""},
      {"::ffff:0:127.0.0.1", "IPv4-translated ::ffff:0:0:0/96 embedding loopback"},
      {"::ffff:0:8.8.8.8", ""},
      {"64:ff9b::10.0.0.1", "NAT64 64:ff9b::/96 embedding private"},
      {"64:ff9b::a9fe:a9fe", "NAT64 64:ff9b::/96 embedding link-local"},
      {"64:ff9b::8.8.8.8", ""},
      {"64:ff9b:1::1", "local-use NAT64"},
      {"2002:7f00:1::1", "6to4 2002::/16 embedding loopback"},
      {"2002:c0a8:101::1", "6to4 2002::/16 embedding private 192.168"},
      {"2002:808:808::1", ""},
      {"100::1", "discard-only"},
      {"2001::1", "Teredo"},
      {"2001:db8::1", "documentation 2001:db8::/32"},
      {"3fff::1", "documentation 3fff::/20"},
      {"fc00::1", "unique-local fc00::/7"},
      {"fd00:ec2::254", "unique-local fc00::/7"},  // AWS instance metadata over IPv6
      {"fdff:ffff::1", "unique-local"},
      {"fe80::1", "link-local fe80::/10"},
      {"febf::1", "link-local fe80::/10"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast ff00::/8"},
      {"fbff::1", ""},
      {"2001:4860:4860::8888", ""},
      {"2606:4700:4700::1111", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address);
    auto range = SsrfPolicy::special_range(ip(c.address));
    if (*c.range == '\0') {
      EXPECT_FALSE(range) << "denied as " << *range;
    } else {
      ASSERT_TRUE(range);
      EXPECT_NE(range->find(c.range), std::string::npos) << *range;
    }
  }
}

TEST(Cidr, ParsesPrefixesAndRejectsSloppyOnes) {
  struct Case {
    const char* in;
    const char* error;  // nullptr: valid
  } cases[] = {
      {"10.0.0.0/8", nullptr},
      {"127.0.0.1", nullptr},
      {"0.0.0.0/0", nullptr},
      {"::/0", nullptr},
      {"fd00::/8", nullptr},
      {"::1", nullptr},
      {"10.0.0.1/8", "bits set after the prefix"},
      {"10.0.0.0/33", "invalid prefix length"},
      {"fd00::/129", "invalid prefix length"},
      {"10.0.0.0/", "invalid prefix length"},
      {"10.0.0.0/8x", "invalid prefix length"},
      {"x/8", "is not an IP address"},
      {"1.2.3", "is not an IP address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto cidr = Cidr::parse(c.in);
    EXPECT_EQ(cidr.ok(), c.error == nullptr);
    if (c.error && !cidr.ok()) {
      EXPECT_EQ(cidr.error().code, ClientErrc::invalid_config);
      EXPECT_NE(cidr.error().message.find(c.error), std::string::npos) << cidr.error().message;
    }
  }
}

TEST(Cidr, MatchesIpv4InBothForms) {
  auto cidr = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(cidr.ok());
  EXPECT_TRUE(cidr->contains(ip("10.20.30.40")));
  EXPECT_TRUE(cidr->contains(ip("::ffff:10.20.30.40")));
  EXPECT_FALSE(cidr->contains(ip("11.0.0.0")));
  EXPECT_FALSE(cidr->contains(ip("::a14:1e28")));  // IPv4-compatible, not mapped
  cidr = Cidr::parse("fd00::/8");
  ASSERT_TRUE(cidr.ok());
  EXPECT_TRUE(cidr->contains(ip("fd12::1")));
  EXPECT_FALSE(cidr->contains(ip("fc00::1")));
}

TEST(SsrfPolicy, AllowlistEntries) {
  struct Case {
    const char* entry;
    const char* error;
  } cases[] = {
      {"localhost", nullptr},
      {"Sink.Internal", nullptr},
      {"127.0.0.1", nullptr},
      {"::1", nullptr},
      {"10.0.0.0/8", nullptr},
      {"", "empty"},
      {"10.0.0.1/8", "bits set"},
      {"1.2.3", "not an IP address"},
      {"http://x", "is a URL"},
      {"a b", "neither a host name nor"},
      {"host/path", "not an IP address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.entry);
    SsrfPolicy policy;
    hookd::Status allowed = policy.allow(c.entry);
    EXPECT_EQ(allowed.ok(), c.error == nullptr) << allowed.error().message;
    if (c.error && !allowed.ok()) {
      EXPECT_EQ(allowed.error().code, ClientErrc::invalid_config);
      EXPECT_NE(allowed.error().message.find(c.error), std::string::npos) << allowed.error().message;
    }
  }
  SsrfPolicy policy = policy_with({"Sink.Internal"});
  EXPECT_TRUE(policy.allowlisted_host("sink.internal"));
  EXPECT_TRUE(policy.allowlisted_host("SINK.internal."));
  EXPECT_FALSE(policy.allowlisted_host("other.internal"));
}

// The static check the admin API runs when an endpoint is registered.
TEST(SsrfPolicy, CheckUrl) {
  struct Case {
    const char* name;
    SsrfPolicy policy;
    const char* url;
    const char* denied;  // fragment of the reason; nullptr: allowed
  } cases[] = {
      {"default", {}, "https://hooks.example.com/x", nullptr},
      {"default", {}, "https://8.8.8.8/", nullptr},
      {"default", {}, "https://[2606:4700:4700::1111]/", nullptr},
      {"default", {}, "http://hooks.example.com/x", "plain http is not allowed for 'hooks.example.com'"},
      {"default", {}, "https://127.0.0.1/", "address 127.0.0.1 is in loopback"},
      {"default", {}, "https://127.0.0.1:6379/", "loopback"},
      {"default", {}, "https://[::1]/", "loopback ::1"},
      {"default", {}, "https://[::ffff:127.0.0.1]/", "address 127.0.0.1 is in loopback"},
      {"default", {}, "https://[::ffff:7f00:1]/", "address 127.0.0.1 is in loopback"},
      {"default", {}, "https://169.254.169.254/latest/meta-data/", "link-local"},
      {"default", {}, "https://10.0.0.5/", "private 10.0.0.0/8"},
      {"default", {}, "https://0.0.0.0/", "'this network'"},
      {"default", {}, "https://[fd00:ec2::254]/", "unique-local"},
      {"default", {}, "https://localhost/", "host 'localhost' is a loopback name"},
      {"default", {}, "https://LOCALHOST./", "loopback name"},
      {"default", {}, "https://api.localhost/", "loopback name"},
      {"default", {}, "https://ip6-localhost/", "loopback name"},
      {"default", {}, "https://notlocalhost.example/", nullptr},
      {"127.0.0.1 listed", policy_with({"127.0.0.1"}), "http://127.0.0.1:8080/", nullptr},
      {"127.0.0.1 listed", policy_with({"127.0.0.1"}), "https://127.0.0.2/", "loopback"},
      {"127.0.0.1 listed", policy_with({"127.0.0.1"}), "http://localhost:8080/", "loopback name"},
      {"127.0.0.1 listed", policy_with({"127.0.0.1"}), "http://hooks.example.com/", "plain http"},
      {"localhost listed", policy_with({"localhost"}), "http://localhost:3000/", nullptr},
      {"localhost listed", policy_with({"localhost"}), "https://127.0.0.1/", "loopback"},
      {"10/8 listed", policy_with({"10.0.0.0/8"}), "https://10.1.2.3/", nullptr},
      {"10/8 listed", policy_with({"10.0.0.0/8"}), "http://10.1.2.3/", nullptr},
      {"10/8 listed", policy_with({"10.0.0.0/8"}), "http://sink.internal/", "plain http"},
      {"plain http", policy_with({}, true), "http://hooks.example.com/", nullptr},
      {"plain http", policy_with({}, true), "http://127.0.0.1/", "loopback"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name) + ": " + c.url);
    auto verdict = c.policy.check_url(url_of(c.url));
    EXPECT_EQ(verdict.allowed, c.denied == nullptr) << verdict.reason;
    if (c.denied) {
      EXPECT_NE(verdict.reason.find(c.denied), std::string::npos) << verdict.reason;
    }
  }
}

TEST(SsrfPolicy, CheckTargetParsesThenChecks) {
  SsrfPolicy policy;
  EXPECT_TRUE(policy.check_target("https://hooks.example.com/in").allowed);
  EXPECT_EQ(
      policy.check_target("https://user@hooks.example.com/").reason,
      "invalid URL: credentials in the URL (user:password@host) are not allowed; send them in a header");
  EXPECT_EQ(
      policy.check_target("https://127.1/").reason,
      "invalid URL: '127.1' is not a canonical IPv4 address (write four decimal numbers, e.g. 192.0.2.1)");
  EXPECT_EQ(
      policy.check_target("https://169.254.169.254/").reason,
      "address 169.254.169.254 is in link-local 169.254.0.0/16 (includes cloud metadata 169.254.169.254) and "
      "not allowlisted");
}

// The connect-time check on what a name resolved to: every address must pass.
TEST(SsrfPolicy, CheckResolvedJudgesEveryAddress) {
  struct Case {
    const char* name;
    SsrfPolicy policy;
    const char* url;
    std::vector<const char*> addresses;
    const char* denied;
  } cases[] = {
      {"public", {}, "https://hooks.example.com/", {"93.184.216.34", "2606:2800:220:1::1"}, nullptr},
      {"one private among public (rebinding)",
       {},
       "https://hooks.example.com/",
       {"93.184.216.34", "10.0.0.1"},
       "host 'hooks.example.com' resolved to 10.0.0.1, which is in private 10.0.0.0/8"},
      {"metadata, IPv4-mapped",
       {},
       "https://hooks.example.com/",
       {"::ffff:169.254.169.254"},
       "169.254.169.254"},
      {"unique-local", {}, "https://hooks.example.com/", {"fd00::1"}, "unique-local"},
      {"nothing", {}, "https://hooks.example.com/", {}, "resolved to no address"},
      {"static check still applies", {}, "http://hooks.example.com/", {"93.184.216.34"}, "plain http"},
      {"cidr listed", policy_with({"10.0.0.0/8"}), "https://sink.internal/", {"10.0.0.1"}, nullptr},
      {"cidr listed, other range",
       policy_with({"10.0.0.0/8"}),
       "https://sink.internal/",
       {"10.0.0.1", "127.0.0.1"},
       "127.0.0.1"},
      {"name listed",
       policy_with({"sink.internal"}),
       "http://sink.internal/",
       {"10.0.0.1", "127.0.0.1"},
       nullptr},
      {"name listed, other name",
       policy_with({"sink.internal"}),
       "https://evil.example/",
       {"127.0.0.1"},
       "loopback"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<asio::ip::address> addresses;
    for (const char* a : c.addresses)
      addresses.push_back(ip(a));
    auto verdict = c.policy.check_resolved(url_of(c.url), addresses);
    EXPECT_EQ(verdict.allowed, c.denied == nullptr) << verdict.reason;
    if (c.denied) {
      EXPECT_NE(verdict.reason.find(c.denied), std::string::npos) << verdict.reason;
    }
  }
}

}  // namespace
}  // namespace hookd::http
