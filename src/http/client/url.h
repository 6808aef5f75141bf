// Target URLs of customer endpoints. Deliberately stricter than a browser: a webhook target is typed once by
// a person and then used millions of times by a machine, so anything ambiguous (userinfo, fragments, short or
// hex IPv4 forms, IPv6 zone ids, backslashes, raw spaces) is refused with a message that says how to fix it,
// instead of being "repaired" into something the customer did not mean — or into an address the SSRF policy
// did not see.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/asio.h"
#include "core/result.h"
#include "http/client/errc.h"

namespace hookd::http {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case name without trailing dot, dotted quad, or canonical IPv6
  std::optional<asio::ip::address> ip;  // set when `host` is an IP literal
  std::uint16_t port = 0;               // explicit or the scheme's default
  std::string target;  // path and optional "?query", as sent on the request line; never empty

  bool https() const { return scheme == "https"; }
  bool default_port() const { return port == (https() ? 443 : 80); }
  // What goes in the Host header: host, IPv6 in brackets, ":port" unless it is the default.
  std::string host_header() const;
  // "scheme://host:port", port always present: the key of the connection pool.
  std::string origin() const;
  // Canonical text form (lower-case scheme and host, default port omitted).
  std::string str() const;
};

// Parses an absolute http(s) URL. When the text is not one, the error (ClientErrc::invalid_url) is a sentence
// a customer can act on.
Result<Url> parse_url(std::string_view text);

}  // namespace hookd::http
