#include "store/redis/options.h"

#include <charconv>
#include <limits>
#include <optional>

namespace hookd::store {

namespace {

Error fail(std::string_view message) {
  std::string text = "redis URL: ";
  text += message;
  return make_error(RedisErrc::invalid_url, std::move(text));
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    int hi = i + 1 < in.size() ? hex_digit(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? hex_digit(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <typename T>
std::optional<T> parse_decimal(std::string_view text) {
  T value{};
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool valid_host(std::string_view host) {
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@' || c == '[' || c == ']' || c == '%')
      return false;
  }
  return true;
}

// `host[:port]` or `[IPv6][:port]`; the port defaults to 6379.
Result<RedisEndpoint> parse_endpoint(std::string_view authority) {
  std::string_view host;
  std::optional<std::string_view> port_text;
  if (authority.starts_with('[')) {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ]");
      port_text = after.substr(1);
    }
    if (host.empty()) return fail("missing host");
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (host.empty()) return fail("missing host");
    if (!valid_host(host)) return fail("invalid character in host");
  }
  RedisEndpoint endpoint{std::string(host), 6379};
  if (port_text) {
    auto port = parse_decimal<uint32_t>(*port_text);
    if (!port || *port == 0 || *port > 65535) return fail("port must be a number from 1 to 65535");
    endpoint.port = static_cast<uint16_t>(*port);
  }
  return endpoint;
}

}  // namespace

Result<RedisOptions> RedisOptions::from_url(std::string_view url) {
  return from_url(url, RedisOptions{});
}

Result<RedisOptions> RedisOptions::from_url(std::string_view url, RedisOptions base) {
  constexpr std::string_view scheme = "redis://";
  constexpr std::string_view cluster_scheme = "redis+cluster://";
  if (url.starts_with("rediss://")) return fail("TLS (rediss://) is not supported");
  const bool cluster = url.starts_with(cluster_scheme);
  if (!cluster && !url.starts_with(scheme)) return fail("must start with redis:// or redis+cluster://");
  std::string_view rest = url.substr(cluster ? cluster_scheme.size() : scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    return fail("query parameters and fragments are not supported");

  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());

  RedisOptions parsed = std::move(base);
  parsed.username.clear();
  parsed.password.clear();
  parsed.cluster = cluster;
  parsed.seeds.clear();

  // The last '@' ends the user info: an unescaped '@' in a password is common enough to allow.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      return fail("user info needs a password: redis://[user]:password@host");
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(userinfo.substr(colon + 1));
    if (!user || !password) return fail("bad percent-escape in user or password");
    if (password->empty()) return fail("empty password");
    parsed.username = std::move(*user);
    parsed.password = std::move(*password);
  }

  if (cluster) {
    // Seed nodes, comma-separated: any one that answers tells the client the whole slot map.
    while (true) {
      auto comma = authority.find(',');
      auto seed = parse_endpoint(authority.substr(0, comma));
      if (!seed.ok()) return seed.error();
      parsed.seeds.push_back(std::move(seed).value());
      if (comma == std::string_view::npos) break;
      authority.remove_prefix(comma + 1);
    }
    if (path.size() > 1 && path != "/0")
      return fail("Redis Cluster has only database 0: redis+cluster://host:port[,host:port...]");
    parsed.host = parsed.seeds.front().host;
    parsed.port = parsed.seeds.front().port;
    parsed.db = 0;
    return parsed;
  }

  auto endpoint = parse_endpoint(authority);
  if (!endpoint.ok()) return endpoint.error();
  parsed.host = std::move(endpoint->host);
  parsed.port = endpoint->port;

  parsed.db = 0;
  if (path.size() > 1) {  // "" and "/" both mean database 0
    auto db = parse_decimal<int>(path.substr(1));
    if (!db) return fail("database must be a non-negative number: redis://host:port/3");
    parsed.db = *db;
  }

  return parsed;
}

namespace {

void append_endpoint(std::string& url, std::string_view host, uint16_t port) {
  bool v6 = host.find(':') != std::string_view::npos;
  if (v6) url += '[';
  url += host;
  if (v6) url += ']';
  url += ':';
  url += std::to_string(port);
}

}  // namespace

std::string RedisOptions::redacted_url() const {
  if (cluster) {
    std::string url = "redis+cluster://";
    for (size_t i = 0; i < seeds.size(); ++i) {
      if (i) url += ',';
      append_endpoint(url, seeds[i].host, seeds[i].port);
    }
    return url;
  }
  std::string url = "redis://";
  append_endpoint(url, host, port);
  url += '/';
  url += std::to_string(db);
  return url;
}

}  // namespace hookd::store
