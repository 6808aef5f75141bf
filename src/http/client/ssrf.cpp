#include "http/client/ssrf.h"

#include <algorithm>
#include <charconv>

namespace hookd::http {
namespace {

Error fail(std::string message) {
  return make_error(ClientErrc::invalid_config, std::move(message));
}

std::array<std::uint8_t, 16> to_bytes16(const asio::ip::address& a) {
  if (a.is_v6()) return a.to_v6().to_bytes();
  std::array<std::uint8_t, 16> out{};
  out[10] = out[11] = 0xff;
  auto v4 = a.to_v4().to_bytes();
  std::copy(v4.begin(), v4.end(), out.begin() + 12);
  return out;
}

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& net,
                    unsigned prefix) {
  unsigned full = prefix / 8, rest = prefix % 8;
  if (!std::equal(a.begin(), a.begin() + full, net.begin())) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (net[full] & mask);
}

asio::ip::address v4_at(const std::array<std::uint8_t, 16>& b, size_t offset) {
  return asio::ip::address_v4({b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
}

// IPv4-mapped addresses (::ffff:a.b.c.d) are shown and judged as the IPv4 address they are.
asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return v4_at(a.to_v6().to_bytes(), 12);
  return a;
}

struct NamedRange {
  Cidr cidr;
  std::string name;
};

// Order matters only for naming: the first match names the range (broadcast before reserved 240/4, :: and ::1
// before the rest of ::/96).
const std::vector<NamedRange>& special_ranges() {
  static const std::vector<NamedRange> ranges = [] {
    const std::pair<const char*, const char*> table[] = {
        {"0.0.0.0/8", "'this network' 0.0.0.0/8"},
        {"10.0.0.0/8", "private 10.0.0.0/8"},
        {"100.64.0.0/10", "carrier-grade NAT 100.64.0.0/10"},
        {"127.0.0.0/8", "loopback 127.0.0.0/8"},
        {"169.254.0.0/16", "link-local 169.254.0.0/16 (includes cloud metadata 169.254.169.254)"},
        {"172.16.0.0/12", "private 172.16.0.0/12"},
        {"192.0.0.0/24", "IETF protocol assignments 192.0.0.0/24"},
        {"192.0.2.0/24", "documentation 192.0.2.0/24"},
        {"192.88.99.0/24", "6to4 relay anycast 192.88.99.0/24"},
        {"192.168.0.0/16", "private 192.168.0.0/16"},
        {"198.18.0.0/15", "benchmarking 198.18.0.0/15"},
        {"198.51.100.0/24", "documentation 198.51.100.0/24"},
        {"203.0.113.0/24", "documentation 203.0.113.0/24"},
        {"224.0.0.0/4", "multicast 224.0.0.0/4"},
        {"255.255.255.255/32", "broadcast 255.255.255.255"},
        {"240.0.0.0/4", "reserved 240.0.0.0/4"},
        {"::/128", "unspecified ::"},
        {"::1/128", "loopback ::1"},
        {"::/96", "IPv4-compatible ::/96 (deprecated)"},
        {"100::/64", "discard-only 100::/64"},
        {"64:ff9b:1::/48", "local-use NAT64 64:ff9b:1::/48"},
        {"2001::/32", "Teredo 2001::/32"},
        {"2001:db8::/32", "documentation 2001:db8::/32"},
        {"3fff::/20", "documentation 3fff::/20"},
        {"fc00::/7", "unique-local fc00::/7"},
        {"fe80::/10", "link-local fe80::/10"},
        {"fec0::/10", "site-local fec0::/10 (deprecated)"},
        {"ff00::/8", "multicast ff00::/8"},
    };
    std::vector<NamedRange> out;
    for (const auto& [text, name] : table) {
      out.push_back(NamedRange{Cidr::parse(text).value(), name});
    }
    return out;
  }();
  return ranges;
}

// IPv6 prefixes that carry an IPv4 address a translator or tunnel will deliver to: judged by the IPv4 inside.
struct Embedding {
  Cidr cidr;
  size_t offset;  // byte offset of the IPv4 address
  const char* name;
};

const std::vector<Embedding>& embeddings() {
  static const std::vector<Embedding> list = [] {
    const std::tuple<const char*, size_t, const char*> table[] = {
        {"::ffff:0:0:0/96", 12, "IPv4-translated ::ffff:0:0:0/96"},
        {"64:ff9b::/96", 12, "NAT64 64:ff9b::/96"},
        {"2002::/16", 2, "6to4 2002::/16"},
    };
    std::vector<Embedding> out;
    for (const auto& [text, offset, name] : table) {
      out.push_back(Embedding{Cidr::parse(text).value(), offset, name});
    }
    return out;
  }();
  return list;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

SsrfVerdict deny(std::string reason) {
  return SsrfVerdict{false, std::move(reason)};
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  size_t slash = text.find('/');
  std::string addr_text(text.substr(0, slash));
  error_code ec;
  auto address = asio::ip::make_address(addr_text, ec);
  if (ec) return fail("'" + addr_text + "' is not an IP address");
  unsigned max = address.is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, perr] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || perr != std::errc() || end != p.data() + p.size() || prefix > max)
      return fail("'" + std::string(text) + "' has an invalid prefix length (0-" + std::to_string(max) + ")");
  }
  Cidr c;
  c.bytes = to_bytes16(address);
  c.prefix = address.is_v4() ? prefix + 96 : prefix;
  for (unsigned bit = c.prefix; bit < 128; ++bit) {
    if (c.bytes[bit / 8] & (0x80 >> (bit % 8)))
      return fail("'" + std::string(text) + "' has bits set after the prefix length");
  }
  return c;
}

bool Cidr::contains(const asio::ip::address& address) const {
  return prefix_matches(to_bytes16(address), bytes, prefix);
}

hookd::Status SsrfPolicy::allow(std::string_view entry) {
  if (entry.empty()) return fail("empty allowlist entry");
  if (entry.find("://") != std::string_view::npos)
    return fail("'" + std::string(entry) + "' is a URL; list a host name or an address/CIDR");
  bool address_like =
      entry.find('/') != std::string_view::npos || entry.find(':') != std::string_view::npos ||
      std::all_of(entry.begin(), entry.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (address_like) {
    auto c = Cidr::parse(entry);
    if (!c.ok()) return c.error();
    cidrs_.push_back(*c);
    return {};
  }
  auto probe = parse_url("https://" + std::string(entry) + "/");
  if (!probe.ok() || probe->ip || probe->target != "/" || probe->port != 443)
    return fail("'" + std::string(entry) + "' is neither a host name nor an address/CIDR" +
                (probe.ok() ? "" : ": " + probe.error().message));
  hosts_.push_back(probe->host);
  return {};
}

bool SsrfPolicy::allowlisted_host(std::string_view host) const {
  std::string h = lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return std::find(hosts_.begin(), hosts_.end(), h) != hosts_.end();
}

bool SsrfPolicy::allowlisted_address(const asio::ip::address& address) const {
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) { return c.contains(address); });
}

std::optional<std::string> SsrfPolicy::special_range(const asio::ip::address& address) {
  auto bytes = to_bytes16(address);
  for (const auto& r : special_ranges())
    if (prefix_matches(bytes, r.cidr.bytes, r.cidr.prefix)) return r.name;
  for (const auto& e : embeddings()) {
    if (!prefix_matches(bytes, e.cidr.bytes, e.cidr.prefix)) continue;
    auto inner = v4_at(bytes, e.offset);
    if (auto range = special_range(inner)) return std::string(e.name) + " embedding " + *range;
  }
  return std::nullopt;
}

bool SsrfPolicy::is_loopback_name(std::string_view host) {
  std::string h = lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  constexpr std::string_view suffix = ".localhost";
  return h == "localhost" ||
         (h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0) ||
         h == "localhost.localdomain" || h == "ip6-localhost" || h == "ip6-loopback";
}

SsrfVerdict SsrfPolicy::check_url(const Url& url) const {
  bool listed = url.ip ? allowlisted_address(*url.ip) : allowlisted_host(url.host);
  if (url.ip && !listed) {
    if (auto range = special_range(*url.ip))
      return deny("address " + unmapped(*url.ip).to_string() + " is in " + *range + " and not allowlisted");
  }
  if (!url.ip && !listed && is_loopback_name(url.host))
    return deny("host '" + url.host + "' is a loopback name and not allowlisted");
  if (!url.https() && !allow_plain_http_ && !listed)
    return deny("plain http is not allowed for '" + url.host + "'; use https");
  return {};
}

SsrfVerdict SsrfPolicy::check_target(std::string_view text) const {
  auto url = parse_url(text);
  if (!url.ok()) return deny("invalid URL: " + url.error().message);
  return check_url(*url);
}

SsrfVerdict SsrfPolicy::check_resolved(const Url& url,
                                       const std::vector<asio::ip::address>& addresses) const {
  if (auto verdict = check_url(url); !verdict) return verdict;
  if (addresses.empty()) return deny("host '" + url.host + "' resolved to no address");
  if (!url.ip && allowlisted_host(url.host)) return {};
  for (const auto& a : addresses) {
    if (allowlisted_address(a)) continue;
    if (auto range = special_range(a)) {
      return deny("host '" + url.host + "' resolved to " + unmapped(a).to_string() + ", which is in " +
                  *range + " and not allowlisted");
    }
  }
  return {};
}

}  // namespace hookd::http
