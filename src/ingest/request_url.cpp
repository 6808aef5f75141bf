#include "ingest/request_url.h"

#include <charconv>

#include "ingest/errc.h"

namespace hookd::ingest {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The first of a comma-separated header value (a proxy chain appends its own).
std::string_view first_value(std::string_view v) {
  return trim(v.substr(0, v.find(',')));
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned n = 0;
  auto r = std::from_chars(p.data(), p.data() + p.size(), n);
  return r.ec == std::errc() && r.ptr == p.data() + p.size() && n >= 1 && n <= 65535;
}

bool valid_dns_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  size_t label = 0;
  char prev = '.';
  for (char c : h) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok || (c == '-' && label == 0) || ++label > 63) return false;
    }
    prev = c;
  }
  return prev != '-' && prev != '.';
}

bool valid_ipv6_literal(std::string_view inner) {
  if (inner.empty() || inner.size() > 45) return false;
  error_code ec;
  auto a = asio::ip::make_address_v6(std::string(inner), ec);
  (void)a;
  return !ec;
}

Error bad_url(std::string_view problem) {
  return make_error(IngestErrc::invalid_config, std::string(problem));
}

}  // namespace

bool valid_forwarded_host(std::string_view host) noexcept {
  if (host.empty() || host.size() > 260) return false;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !valid_port(rest.substr(1)))) return false;
    return valid_ipv6_literal(host.substr(1, close - 1));
  }
  size_t colon = host.find(':');
  if (colon != std::string_view::npos && !valid_port(host.substr(colon + 1))) return false;
  return valid_dns_name(host.substr(0, colon));
}

Result<std::string> normalize_public_url(std::string_view url) {
  std::string_view rest;
  std::string scheme = lower(url.substr(0, url.find("://")));
  if (url.find("://") == std::string_view::npos || (scheme != "http" && scheme != "https"))
    return bad_url("must be an absolute http:// or https:// URL, e.g. https://hooks.example.com");
  rest = url.substr(scheme.size() + 3);
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad_url("must not contain spaces or control characters");
  if (rest.find('?') != std::string_view::npos) return bad_url("must not have a query string");
  if (rest.find('#') != std::string_view::npos) return bad_url("must not have a fragment");
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) return bad_url("must not carry user info");
  if (!valid_forwarded_host(authority))
    return bad_url("has no valid host[:port] (got '" + std::string(authority) + "')");
  std::string out = scheme + "://" + std::string(rest);
  while (out.size() > scheme.size() + 3 + authority.size() && out.back() == '/')
    out.pop_back();
  return out;
}

std::optional<std::string> request_url(const http::RequestContext& ctx, std::string_view public_url,
                                       const std::vector<http::Cidr>& trusted_proxies) {
  std::string_view target = ctx.request.target();
  if (!public_url.empty()) return std::string(public_url) + std::string(target);
  if (trusted_proxies.empty()) return std::nullopt;
  error_code ec;
  auto peer = asio::ip::make_address(ctx.remote_address, ec);
  if (ec) return std::nullopt;
  bool trusted = false;
  for (const auto& cidr : trusted_proxies)
    trusted = trusted || cidr.contains(peer);
  if (!trusted) return std::nullopt;
  std::string proto = lower(first_value(ctx.request["X-Forwarded-Proto"]));
  std::string_view host = first_value(ctx.request["X-Forwarded-Host"]);
  if ((proto != "http" && proto != "https") || !valid_forwarded_host(host)) return std::nullopt;
  return proto + "://" + std::string(host) + std::string(target);
}

}  // namespace hookd::ingest
