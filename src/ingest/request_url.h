// The `url` of the payload context: the public URL the vendor called, with the query string exactly as sent
// (vendors such as Trello sign it). The scheme and host come from configuration, never from the Host header:
//
//  - HOOKD_PUBLIC_URL (IngestOptions::public_url), e.g. "https://hooks.example.com" or
//    "https://example.com/hookd": the base the request target is appended to. Takes precedence.
//  - else, when the TCP peer is a trusted proxy (HOOKD_TRUSTED_PROXIES, IngestOptions::trusted_proxies), the
//    first value of X-Forwarded-Proto (http or https) and of X-Forwarded-Host (a host name, IPv4 or [IPv6],
//    optional :port).
//
// Otherwise there is no url: a template reading it fails, which the signature stage answers with a 401.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/client/ssrf.h"
#include "http/message.h"

namespace hookd::ingest {

// Checks a public base URL (absolute http or https, a host, no query, fragment or user info) and returns it
// with trailing slashes trimmed. Errors (IngestErrc::invalid_config) say what is wrong.
Result<std::string> normalize_public_url(std::string_view url);

// True for a sane host[:port] as X-Forwarded-Host carries it: DNS name or IPv4 or [IPv6], port 1-65535.
bool valid_forwarded_host(std::string_view host) noexcept;

// The URL the vendor called, or nullopt when neither source applies (see above).
std::optional<std::string> request_url(const http::RequestContext& ctx, std::string_view public_url,
                                       const std::vector<http::Cidr>& trusted_proxies);

}  // namespace hookd::ingest
