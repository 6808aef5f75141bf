// Hashes, HMACs and encodings on OpenSSL, plus the constant-time compare every signature check goes through.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookd::crypto {

enum class Digest { md5, sha1, sha256, sha384, sha512 };

// Accepts the spellings configs use: "sha256", "SHA256", "SHA-256", "sha-256" (and md5, sha1, sha384,
// sha512).
std::optional<Digest> digest_from_name(std::string_view name) noexcept;
std::string_view digest_name(Digest d) noexcept;  // "sha256"

// Raw (binary) digests.
std::string hash(Digest d, std::string_view data);
// HMAC over the concatenation of `parts`, without concatenating them first.
std::string hmac(Digest d, std::string_view key, std::initializer_list<std::string_view> parts);
std::string hmac(Digest d, std::string_view key, const std::string_view* parts, size_t count);
inline std::string hmac(Digest d, std::string_view key, std::string_view data) {
  return hmac(d, key, {data});
}

std::string hex(std::string_view bytes);  // lower-case
std::optional<std::string> from_hex(std::string_view text);
std::string base64(std::string_view bytes, bool url_safe = false, bool pad = true);
// Accepts standard and URL-safe alphabets, with or without padding.
std::optional<std::string> from_base64(std::string_view text);

// Compares in time that depends only on the lengths, never on where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

std::string random_bytes(size_t n);
// Fills `out` from the CSPRNG (RAND_bytes).
void random_fill(std::span<unsigned char> out);
std::string sha256_hex(std::string_view data);

}  // namespace hookd::crypto
