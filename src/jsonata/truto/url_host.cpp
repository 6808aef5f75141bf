// The URL standard's host parser (for $parseUrl): IPv6 and IPv4 addresses, IDNA's domain-to-ASCII with
// punycode, and the forbidden code points.
#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/url_internal.h"

namespace hookd::jsonata::truto::url::detail {

namespace {

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

}  // namespace

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

}  // namespace hookd::jsonata::truto::url::detail
