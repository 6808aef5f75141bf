// WHATWG URL parsing (what `new URL(text)` does in Truto's $parseUrl), for absolute URLs: scheme and host
// lower-cased, default ports dropped, dot segments resolved, percent-encoding per component, IPv4 and IPv6
// hosts normalised, URLSearchParams for the query. Internal.
//
// Not modelled: relative references (there is no base), full UTS #46 mapping of international domain names
// (non-ASCII labels are lower-cased and Punycode-encoded, which covers the usual cases), Windows drive
// letters in file: URLs.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hookd::jsonata::truto::url {

struct Url {
  std::string href, origin, protocol, username, password, host, hostname, port, pathname, search, hash;
  // The query as URLSearchParams reads it ('+' is a space, percent-decoded), in order, duplicates kept.
  std::vector<std::pair<std::string, std::string>> params;
};

// nullopt where `new URL(text)` throws "TypeError: Invalid URL".
std::optional<Url> parse(std::string_view text);

// URLSearchParams.toString(): application/x-www-form-urlencoded.
std::string serialize_params(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace hookd::jsonata::truto::url
