// Server-side request forgery policy for customer endpoints.
//
// A customer chooses the URL hookd POSTs to, so without a policy anyone with an API token could make hookd
// reach its own Redis, a cloud metadata service (169.254.169.254), or any host on the internal network. The
// policy denies every special-purpose address range (loopback, RFC 1918 private, CGNAT, link-local,
// unique-local, multicast, broadcast, documentation, reserved; IPv4 embedded in IPv6 is judged as the IPv4 it
// carries) and, by default, plain http. An allowlist of host names and addresses/CIDRs bypasses the ranges,
// e.g. `127.0.0.1` or `localhost` for development; plain http is then allowed to exactly those hosts (or
// everywhere with set_allow_plain_http).
//
// Two checks, because names resolve differently over time:
//  - check_url: static, when an endpoint is registered (admin API). Judges the scheme, IP literals and
//    localhost-style names; it cannot judge other names.
//  - check_resolved: at connect time, on EVERY address the name resolved to. One denied address denies the
//    request (a name resolving to both public and private addresses is what a DNS rebinding attack looks
//    like). The client connects only to the addresses this check saw, never re-resolving, so the answer
//    checked is the answer used.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.h"
#include "core/result.h"
#include "http/client/errc.h"
#include "http/client/url.h"

namespace hookd::http {

struct SsrfVerdict {
  bool allowed = true;
  std::string reason;  // why it was denied, naming the host, address and range
  explicit operator bool() const { return allowed; }
};

// An IPv4 or IPv6 prefix. IPv4 is kept in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one comparison
// covers 127.0.0.1 and ::ffff:127.0.0.1 alike.
struct Cidr {
  std::array<std::uint8_t, 16> bytes{};
  unsigned prefix = 0;  // over the 128-bit form

  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). Host bits must be zero. Errors are
  // ClientErrc::invalid_config.
  static Result<Cidr> parse(std::string_view text);
  bool contains(const asio::ip::address& address) const;
};

class SsrfPolicy {
 public:
  // The default policy: deny all special ranges and localhost names, https only, empty allowlist.
  SsrfPolicy() = default;

  // Adds an allowlist entry: a host name ("localhost", "sink.internal"; exact, case-insensitive), an IP
  // address ("127.0.0.1", "::1") or a CIDR ("10.0.0.0/8"). A malformed entry is refused
  // (ClientErrc::invalid_config) and the policy is left as it was.
  hookd::Status allow(std::string_view entry);
  // Plain http to any host the ranges allow. Off by default: then http is allowed only to a URL whose host is
  // itself allowlisted (a listed name, or an IP literal inside a listed address/CIDR).
  void set_allow_plain_http(bool on) { allow_plain_http_ = on; }
  bool allow_plain_http() const { return allow_plain_http_; }

  SsrfVerdict check_url(const Url& url) const;
  // parse_url + check_url, for the admin API: the reason says what is wrong with the URL or why it is denied.
  SsrfVerdict check_target(std::string_view url) const;
  SsrfVerdict check_resolved(const Url& url, const std::vector<asio::ip::address>& addresses) const;

  bool allowlisted_host(std::string_view host) const;
  bool allowlisted_address(const asio::ip::address& address) const;

  // The special-purpose range `address` falls in, e.g. "loopback 127.0.0.0/8", or nullopt for a public
  // address.
  static std::optional<std::string> special_range(const asio::ip::address& address);
  // "localhost", "*.localhost" and the loopback names Debian puts in /etc/hosts.
  static bool is_loopback_name(std::string_view host);

 private:
  std::vector<std::string> hosts_;
  std::vector<Cidr> cidrs_;
  bool allow_plain_http_ = false;
};

}  // namespace hookd::http
