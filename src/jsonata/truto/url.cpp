#include "jsonata/truto/url.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/url_internal.h"

namespace hookd::jsonata::truto::url {

namespace detail {

namespace {

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

}  // namespace

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

}  // namespace detail

namespace {

using namespace detail;

int default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return -1;
}

bool is_special(std::string_view scheme) {
  return default_port(scheme) != -1 || scheme == "file";
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
