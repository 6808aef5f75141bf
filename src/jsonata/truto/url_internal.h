// What url.cpp and url_host.cpp share: WHATWG URL percent-encoding and host parsing. Private to the Truto
// function set.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookd::jsonata::truto::url::detail {

// The percent-encode sets of the URL standard.
enum class EncodeSet { c0, fragment, query, special_query, path, userinfo };

std::string encode(std::string_view s, EncodeSet set);
// Percent-decoding of bytes: a '%' not followed by two hex digits stays.
std::string percent_decode(std::string_view s);
// The host parser: an IPv6 literal in brackets, an opaque host for a non-special scheme, else a domain made
// ASCII (IDNA, punycode) or an IPv4 address; nullopt for a host the standard refuses.
std::optional<std::string> parse_host(std::string_view input, bool special);

}  // namespace hookd::jsonata::truto::url::detail
