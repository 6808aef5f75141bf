#include "jsonata/truto/url.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::url {

namespace {

enum class EncodeSet { c0, fragment, query, special_query, path, userinfo };

bool in_set(unsigned char c, EncodeSet set) {
  if (c < 0x20 || c > 0x7E) return true;
  switch (set) {
    case EncodeSet::c0:
      return false;
    case EncodeSet::fragment:
      return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
    case EncodeSet::query:
      return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>';
    case EncodeSet::special_query:
      return in_set(c, EncodeSet::query) || c == '\'';
    case EncodeSet::path:
      return in_set(c, EncodeSet::query) || c == '?' || c == '`' || c == '{' || c == '}';
    case EncodeSet::userinfo:
      return in_set(c, EncodeSet::path) || c == '/' || c == ':' || c == ';' || c == '=' || c == '@' ||
             (c >= '[' && c <= '^') || c == '|';
  }
  return false;
}

std::string encode(std::string_view s, EncodeSet set) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (in_set(c, set)) {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Percent-decoding of bytes: a '%' not followed by two hex digits stays.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

int default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return -1;
}

bool is_special(std::string_view scheme) {
  return default_port(scheme) != -1 || scheme == "file";
}

bool forbidden_host(unsigned char c) {
  switch (c) {
    case 0:
    case '\t':
    case '\n':
    case '\r':
    case ' ':
    case '#':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
      return true;
    default:
      return false;
  }
}
bool forbidden_domain(unsigned char c) {
  return forbidden_host(c) || c < 0x20 || c == '%' || c == 0x7F;
}

// Punycode (RFC 3492) of one label's code points.
std::string punycode(const std::vector<char32_t>& cps) {
  constexpr uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
  std::string out;
  for (char32_t c : cps)
    if (c < 0x80) out.push_back(static_cast<char>(c));
  size_t b = out.size(), h = b;
  if (b > 0) out.push_back('-');
  uint32_t n = 128, delta = 0, bias = 72;
  auto adapt = [&](uint32_t d, uint32_t points, bool first) {
    d = first ? d / damp : d / 2;
    d += d / points;
    uint32_t k = 0;
    while (d > ((base - tmin) * tmax) / 2) {
      d /= base - tmin;
      k += base;
    }
    return k + (base - tmin + 1) * d / (d + skew);
  };
  auto digit = [](uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + d - 26); };
  while (h < cps.size()) {
    uint32_t m = UINT32_MAX;
    for (char32_t c : cps)
      if (c >= n && c < m) m = c;
    delta += (m - n) * static_cast<uint32_t>(h + 1);
    n = m;
    for (char32_t c : cps) {
      if (c < n) ++delta;
      if (c == n) {
        uint32_t q = delta;
        for (uint32_t k = base;; k += base) {
          uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
          if (q < t) break;
          out.push_back(digit(t + (q - t) % (base - t)));
          q = (q - t) / (base - t);
        }
        out.push_back(digit(q));
        bias = adapt(delta, static_cast<uint32_t>(h + 1), h == b);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return "xn--" + out;
}

// domain to ASCII: lower case, and Punycode for labels with non-ASCII letters (a subset of UTS #46).
std::optional<std::string> domain_to_ascii(const std::string& domain) {
  format::js::u16 lower = format::js::to_lower(format::js::to_utf16(domain));
  std::string out;
  size_t start = 0;
  std::string text = format::js::to_utf8(lower);
  while (true) {
    size_t dot = text.find('.', start);
    std::string label = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool ascii = true;
    for (unsigned char c : label)
      ascii = ascii && c < 0x80;
    out += ascii ? label : punycode(format::js::code_points(format::js::to_utf16(label)));
    if (dot == std::string::npos) break;
    out.push_back('.');
    start = dot + 1;
  }
  return out;
}

std::optional<uint64_t> ipv4_number(std::string_view part) {
  if (part.empty()) return std::nullopt;
  int radix = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    radix = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    radix = 8;
    part.remove_prefix(1);
  }
  if (part.empty()) return 0;
  uint64_t n = 0;
  for (char c : part) {
    int d = std::isdigit(static_cast<unsigned char>(c))    ? c - '0'
            : std::isxdigit(static_cast<unsigned char>(c)) ? (c | 0x20) - 'a' + 10
                                                           : 99;
    if (d >= radix) return std::nullopt;
    n = n * static_cast<uint64_t>(radix) + static_cast<uint64_t>(d);
    if (n > 0xFFFFFFFFFFull) n = 0xFFFFFFFFFFull;  // far past any valid value; avoid overflow
  }
  return n;
}

bool ends_in_number(const std::string& host) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  const std::string& last = parts.back();
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string::npos) return true;
  return last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
         last.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
}

std::optional<std::string> parse_ipv4(const std::string& host) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    parts.push_back(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<uint64_t> numbers;
  for (const auto& p : parts) {
    auto n = ipv4_number(p);
    if (!n) return std::nullopt;
    numbers.push_back(*n);
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i)
    if (numbers[i] > 255) return std::nullopt;
  uint64_t limit = 1;
  for (size_t i = 0; i < 5 - numbers.size(); ++i)
    limit *= 256;
  if (numbers.back() >= limit) return std::nullopt;
  uint64_t ipv4 = numbers.back();
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    uint64_t f = 1;
    for (size_t k = 0; k < 3 - i; ++k)
      f *= 256;
    ipv4 += numbers[i] * f;
  }
  return std::to_string((ipv4 >> 24) & 255) + "." + std::to_string((ipv4 >> 16) & 255) + "." +
         std::to_string((ipv4 >> 8) & 255) + "." + std::to_string(ipv4 & 255);
}

std::optional<std::string> parse_ipv6(std::string_view in) {
  std::array<uint16_t, 8> a{};
  size_t piece = 0, p = 0;
  std::optional<size_t> compress;
  auto c = [&](size_t i) -> char { return i < in.size() ? in[i] : '\0'; };
  if (c(p) == ':') {
    if (c(p + 1) != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (p < in.size()) {
    if (piece == 8) return std::nullopt;
    if (c(p) == ':') {
      if (compress) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    uint32_t value = 0;
    size_t length = 0;
    while (length < 4 && std::isxdigit(static_cast<unsigned char>(c(p)))) {
      value = value * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(c(p)))
                                                     ? c(p) - '0'
                                                     : (c(p) | 0x20) - 'a' + 10);
      ++p;
      ++length;
    }
    if (c(p) == '.') {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      size_t numbers_seen = 0;
      while (p < in.size()) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (c(p) == '.' && numbers_seen < 4) {
            ++p;
          } else {
            return std::nullopt;
          }
        }
        if (!std::isdigit(static_cast<unsigned char>(c(p)))) return std::nullopt;
        while (std::isdigit(static_cast<unsigned char>(c(p)))) {
          int n = c(p) - '0';
          if (ipv4_piece == -1) {
            ipv4_piece = n;
          } else if (ipv4_piece == 0) {
            return std::nullopt;
          } else {
            ipv4_piece = ipv4_piece * 10 + n;
          }
          if (ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        a[piece] = static_cast<uint16_t>(a[piece] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    }
    if (c(p) == ':') {
      ++p;
      if (p >= in.size()) return std::nullopt;
    } else if (p < in.size()) {
      return std::nullopt;
    }
    a[piece++] = static_cast<uint16_t>(value);
  }
  if (compress) {
    size_t swaps = piece - *compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(a[piece], a[*compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  // Serialise: the first longest run (of two or more) of zero pieces becomes "::".
  size_t best = 8, best_len = 1;
  for (size_t i = 0; i < 8;) {
    size_t j = i;
    while (j < 8 && a[j] == 0)
      ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out = "[";
  bool ignore0 = false;
  char buf[8];
  for (size_t i = 0; i < 8; ++i) {
    if (ignore0 && a[i] == 0) continue;
    ignore0 = false;
    if (best == i) {
      out += i == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    std::snprintf(buf, sizeof buf, "%x", a[i]);
    out += buf;
    if (i != 7) out.push_back(':');
  }
  return out + "]";
}

std::optional<std::string> parse_host(std::string_view input, bool special) {
  if (!input.empty() && input.front() == '[') {
    if (input.back() != ']') return std::nullopt;
    return parse_ipv6(input.substr(1, input.size() - 2));
  }
  if (!special) {
    for (unsigned char c : input)
      if (forbidden_host(c)) return std::nullopt;
    return encode(input, EncodeSet::c0);
  }
  std::string domain = percent_decode(input);
  auto ascii = domain_to_ascii(domain);
  if (!ascii || ascii->empty()) return std::nullopt;
  for (unsigned char c : *ascii)
    if (forbidden_domain(c)) return std::nullopt;
  if (ends_in_number(*ascii)) return parse_ipv4(*ascii);
  return ascii;
}

bool is_single_dot(std::string_view s) {
  return s == "." || s == "%2e" || s == "%2E";
}
bool is_double_dot(std::string_view s) {
  std::string l(s);
  for (auto& c : l)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e";
}

// application/x-www-form-urlencoded parsing, for URLSearchParams.
std::vector<std::pair<std::string, std::string>> parse_params(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  auto decode = [](std::string_view s) {
    std::string plus(s);
    for (auto& c : plus)
      if (c == '+') c = ' ';
    // Invalid UTF-8 after percent-decoding becomes U+FFFD.
    std::string bytes = percent_decode(plus);
    return format::js::to_utf8(format::js::to_utf16(bytes));
  };
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string_view part =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(decode(part), "");
      } else {
        out.emplace_back(decode(part.substr(0, eq)), decode(part.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace

std::string serialize_params(const std::vector<std::pair<std::string, std::string>>& params) {
  auto enc = [](const std::string& s) {
    std::string out;
    char buf[4];
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
        out.push_back(static_cast<char>(c));
      } else if (c == ' ') {
        out.push_back('+');
      } else {
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  };
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out.push_back('&');
    out += enc(params[i].first) + "=" + enc(params[i].second);
  }
  return out;
}

std::optional<Url> parse(std::string_view raw) {
  // Leading and trailing C0 controls and spaces go, and so do tabs and newlines anywhere.
  size_t b = 0, e = raw.size();
  while (b < e && static_cast<unsigned char>(raw[b]) <= 0x20)
    ++b;
  while (e > b && static_cast<unsigned char>(raw[e - 1]) <= 0x20)
    --e;
  std::string input;
  for (char c : raw.substr(b, e - b))
    if (c != '\t' && c != '\n' && c != '\r') input.push_back(c);

  size_t colon = 0;
  if (input.empty() || !std::isalpha(static_cast<unsigned char>(input[0]))) return std::nullopt;
  while (colon < input.size() && (std::isalnum(static_cast<unsigned char>(input[colon])) ||
                                  input[colon] == '+' || input[colon] == '-' || input[colon] == '.'))
    ++colon;
  if (colon >= input.size() || input[colon] != ':') return std::nullopt;
  std::string scheme = input.substr(0, colon);
  for (auto& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool special = is_special(scheme);
  std::string_view rest = std::string_view(input).substr(colon + 1);

  Url u;
  u.protocol = scheme + ":";
  std::optional<std::string> host;
  std::string port;
  auto is_slash = [&](char c) { return c == '/' || (special && c == '\\'); };

  bool has_authority = false;
  if (special) {
    // Special schemes skip any slashes (and backslashes) before the authority; file: keeps an empty host.
    size_t slashes = 0;
    while (slashes < rest.size() && is_slash(rest[slashes]))
      ++slashes;
    if (scheme == "file") {
      has_authority = slashes >= 2;
      rest.remove_prefix(has_authority ? 2 : 0);
    } else {
      has_authority = true;
      rest.remove_prefix(slashes);
    }
  } else if (rest.substr(0, 2) == "//") {
    has_authority = true;
    rest.remove_prefix(2);
  }

  if (has_authority) {
    size_t end = 0;
    while (end < rest.size() && !is_slash(rest[end]) && rest[end] != '?' && rest[end] != '#')
      ++end;
    std::string_view authority = rest.substr(0, end);
    rest.remove_prefix(end);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      size_t c = userinfo.find(':');
      u.username = encode(userinfo.substr(0, c), EncodeSet::userinfo);
      if (c != std::string_view::npos) u.password = encode(userinfo.substr(c + 1), EncodeSet::userinfo);
      authority.remove_prefix(at + 1);
    }
    // The port follows the last ':' outside brackets.
    size_t port_colon = std::string_view::npos;
    bool in_brackets = false;
    for (size_t i = 0; i < authority.size(); ++i) {
      if (authority[i] == '[') in_brackets = true;
      if (authority[i] == ']') in_brackets = false;
      if (authority[i] == ':' && !in_brackets) {
        port_colon = i;
        break;
      }
    }
    std::string_view host_text = authority.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      std::string_view p = authority.substr(port_colon + 1);
      if (!p.empty()) {
        if (p.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
        size_t nz = p.find_first_not_of('0');
        std::string digits(nz == std::string_view::npos ? "0" : p.substr(nz));
        if (digits.size() > 5 || std::stoul(digits) > 65535) return std::nullopt;
        if (static_cast<int>(std::stoul(digits)) != default_port(scheme)) port = digits;
      }
    }
    if (host_text.empty()) {
      if (special && scheme != "file") return std::nullopt;
      if (!u.username.empty() || !u.password.empty() || !port.empty()) return std::nullopt;
      host = "";
    } else {
      host = parse_host(host_text, special);
      if (!host) return std::nullopt;
      if (scheme == "file" && *host == "localhost") host = "";
    }
  }

  size_t q = rest.find('?'), h = rest.find('#');
  if (q != std::string_view::npos && h != std::string_view::npos && q > h) q = std::string_view::npos;
  std::string_view path_text = rest.substr(0, std::min(q, h));
  std::optional<std::string> query, fragment;
  if (q != std::string_view::npos)
    query = encode(rest.substr(q + 1, h == std::string_view::npos ? std::string_view::npos : h - q - 1),
                   special ? EncodeSet::special_query : EncodeSet::query);
  if (h != std::string_view::npos) fragment = encode(rest.substr(h + 1), EncodeSet::fragment);

  std::string pathname;
  if (!special && !has_authority && (path_text.empty() || path_text[0] != '/')) {
    // An opaque path ("mailto:x", "urn:a:b"): only controls are encoded.
    pathname = encode(path_text, EncodeSet::c0);
  } else {
    std::vector<std::string> segments;
    std::string_view p = path_text;
    if (!p.empty() && is_slash(p[0])) p.remove_prefix(1);
    bool any = has_authority || special || !path_text.empty();
    while (any) {
      size_t end = 0;
      while (end < p.size() && !is_slash(p[end]))
        ++end;
      std::string_view seg = p.substr(0, end);
      bool last = end >= p.size();
      if (is_double_dot(seg)) {
        if (!segments.empty()) segments.pop_back();
        if (last) segments.emplace_back();
      } else if (is_single_dot(seg)) {
        if (last) segments.emplace_back();
      } else {
        segments.push_back(encode(seg, EncodeSet::path));
      }
      if (last) break;
      p.remove_prefix(end + 1);
    }
    if (path_text.empty() && !special) segments.clear();
    for (const auto& s : segments)
      pathname += "/" + s;
    if (pathname.empty() && special) pathname = "/";
  }

  u.hostname = host.value_or("");
  u.host = u.hostname + (port.empty() ? "" : ":" + port);
  u.port = port;
  u.pathname = pathname;
  u.search = query && !query->empty() ? "?" + *query : "";
  u.hash = fragment && !fragment->empty() ? "#" + *fragment : "";
  u.href = u.protocol;
  if (host) {
    u.href += "//";
    if (!u.username.empty() || !u.password.empty())
      u.href += u.username + (u.password.empty() ? "" : ":" + u.password) + "@";
    u.href += u.host;
  } else if (pathname.size() > 1 && pathname[0] == '/' && pathname[1] == '/') {
    u.href += "/.";
  }
  u.href += pathname;
  if (query) u.href += "?" + *query;
  if (fragment) u.href += "#" + *fragment;
  u.origin = special && scheme != "file" ? u.protocol + "//" + u.host : "null";
  if (query) u.params = parse_params(*query);
  return u;
}

}  // namespace hookd::jsonata::truto::url
