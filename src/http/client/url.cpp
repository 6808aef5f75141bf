#include "http/client/url.h"

#include <algorithm>
#include <charconv>

namespace hookd::http {
namespace {

Error fail(std::string message) {
  return make_error(ClientErrc::invalid_url, std::move(message));
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// getaddrinfo() accepts "127.1", "2130706433", "0x7f.0.0.1" and "0177.0.0.1" as IPv4 addresses, and WHATWG
// URL parsers do too. A host whose last label looks numeric is therefore an IPv4 address to every resolver;
// we accept it only in the one unambiguous form (four decimal octets, no leading zeros) so the SSRF policy
// judges what will be connected to.
bool looks_numeric(std::string_view host) {
  auto dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (all_digits(last)) return true;
  return last.size() >= 2 && last[0] == '0' && lower(last[1]) == 'x' &&
         std::all_of(last.begin() + 2, last.end(), is_hex);
}

bool canonical_ipv4(std::string_view host) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t dot = host.find('.', pos);
    std::string_view part =
        host.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (!all_digits(part) || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int value = 0;
    std::from_chars(part.data(), part.data() + part.size(), value);
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return parts == 4;
}

hookd::Status parse_host_name(std::string_view raw, Url& out) {
  std::string host = to_lower(raw);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return fail("URL has no host");
  if (host.size() > 253) return fail("host name is longer than 253 characters");
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.' || c == '_';
    if (!ok) {
      if (c == '%') return fail("percent-encoded host names are not allowed");
      return fail(std::string("character '") + c + "' is not allowed in a host name");
    }
  }
  size_t pos = 0;
  while (pos <= host.size()) {
    size_t dot = host.find('.', pos);
    size_t len = (dot == std::string::npos ? host.size() : dot) - pos;
    if (len == 0) return fail("host name '" + host + "' has an empty label");
    if (len > 63) return fail("host name '" + host + "' has a label longer than 63 characters");
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  if (looks_numeric(host)) {
    if (!canonical_ipv4(host))
      return fail("'" + host +
                  "' is not a canonical IPv4 address (write four decimal numbers, e.g. 192.0.2.1)");
    error_code ec;
    auto v4 = asio::ip::make_address_v4(host, ec);
    if (ec) return fail("'" + host + "' is not a valid IPv4 address");
    out.ip = asio::ip::address(v4);
  }
  out.host = std::move(host);
  return {};
}

hookd::Status parse_ipv6_literal(std::string_view inside, Url& out) {
  if (inside.find('%') != std::string_view::npos)
    return fail("IPv6 zone identifiers ('%...') are not allowed in URLs");
  error_code ec;
  auto v6 = asio::ip::make_address_v6(std::string(inside), ec);
  if (ec) return fail("'[" + std::string(inside) + "]' is not a valid IPv6 address");
  out.ip = asio::ip::address(v6);
  out.host = v6.to_string();
  return {};
}

hookd::Status parse_port(std::string_view text, Url& out) {
  if (text.empty()) return fail("URL has ':' but no port number after it");
  if (!all_digits(text) || text.size() > 5) return fail("port '" + std::string(text) + "' is not a number");
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value == 0 || value > 65535) return fail("port " + std::string(text) + " is out of range (1-65535)");
  out.port = static_cast<std::uint16_t>(value);
  return {};
}

hookd::Status parse_authority(std::string_view authority, Url& out) {
  if (authority.find('@') != std::string_view::npos)
    return fail("credentials in the URL (user:password@host) are not allowed; send them in a header");
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("IPv6 address is missing its closing ']'");
    if (auto s = parse_ipv6_literal(authority.substr(1, close - 1), out); !s.ok()) return s;
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("unexpected text after ']' in the host");
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
      return fail("IPv6 addresses must be written in brackets, e.g. https://[2001:db8::1]/");
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (auto s = parse_host_name(host, out); !s.ok()) return s;
  }
  if (has_port) return parse_port(port_text, out);
  out.port = out.https() ? 443 : 80;
  return {};
}

hookd::Status valid_target(std::string_view target) {
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size() || !is_hex(target[i + 1]) || !is_hex(target[i + 2]))
        return fail("invalid percent-encoding in the URL path or query");
      continue;
    }
    if (std::string_view("<>\"{}|^`").find(c) != std::string_view::npos)
      return fail(std::string("character '") + c + "' must be percent-encoded in the URL path or query");
  }
  return {};
}

}  // namespace

std::string Url::host_header() const {
  std::string out = (ip && ip->is_v6()) ? "[" + host + "]" : host;
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

std::string Url::origin() const {
  std::string h = (ip && ip->is_v6()) ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

std::string Url::str() const {
  return scheme + "://" + host_header() + target;
}

Result<Url> parse_url(std::string_view text) {
  Url out;
  if (text.empty()) return fail("URL is empty");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return fail("URL contains a space or control character");
    if (c >= 0x80)
      return fail("URL contains a non-ASCII character; percent-encode it (use the xn-- form for host names)");
    if (c == '\\') return fail("URL contains a backslash; use '/'");
  }
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return fail("URL must start with https:// or http://");
  out.scheme = to_lower(text.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https")
    return fail("unsupported scheme '" + out.scheme + "' (only https and http)");
  if (text.find('#') != std::string_view::npos)
    return fail("URL has a fragment ('#...'); fragments are never sent to the server, remove it");

  std::string_view rest = text.substr(sep + 3);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty()) return fail("URL has no host");
  if (auto s = parse_authority(authority, out); !s.ok()) return s.error();

  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (auto s = valid_target(target); !s.ok()) return s.error();
  if (target.empty() || target.front() == '?') out.target = "/";
  out.target += target;
  return out;
}

}  // namespace hookd::http
