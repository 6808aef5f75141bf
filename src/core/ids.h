// Identifiers. Entities get random UUIDs (v4); events and deliveries get time-ordered UUIDs (v7) so that
// sorting by id is sorting by creation time, which keeps Redis indexes and logs readable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hookd::ids {

std::string uuid_v4();
std::string uuid_v7();
std::string uuid_v7(int64_t unix_millis);  // for tests and replays of a known time
bool is_uuid(std::string_view s) noexcept;
// A UUID (version 8) derived from `name` by SHA-256: the same name always gives the same id. A delivery's id
// is derived from its event and endpoint, so consuming an event twice cannot create its deliveries twice.
std::string uuid_from_name(std::string_view name);

// An API token: a recognizable prefix plus 32 random bytes, URL-safe. Only its SHA-256 is ever stored.
std::string api_token();
// An endpoint signing secret (Standard Webhooks style: "whsec_" + base64 of 32 random bytes).
std::string signing_secret();

}  // namespace hookd::ids
