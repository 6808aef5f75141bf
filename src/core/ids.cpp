#include "core/ids.h"

#include <array>
#include <cstring>

#include "core/clock.h"
#include "core/crypto.h"

namespace hookd::ids {

namespace {

std::string format_uuid(unsigned char b[16]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 0xf]);
  }
  return out;
}

// The random bits of an id, from a per-thread pool that RAND_bytes refills 4 KiB at a time. One RAND_bytes
// call costs a few microseconds in OpenSSL 3 (provider lookups, locks): a profile of ingest put the one per
// request (the inbound record's id) at 3.5 % of hookd's CPU. Ids need to be unique and unguessable, and a
// CSPRNG's output does not get weaker for being drawn ahead; tokens and secrets still take RAND_bytes each.
void random_id_bytes(unsigned char (&out)[16]) {
  thread_local std::array<unsigned char, 4096> pool;
  thread_local size_t used = pool.size();
  if (used + sizeof out > pool.size()) {
    crypto::random_fill(pool);
    used = 0;
  }
  std::memcpy(out, pool.data() + used, sizeof out);
  std::memset(pool.data() + used, 0, sizeof out);  // handed out once: not left behind in the pool
  used += sizeof out;
}

}  // namespace

std::string uuid_v4() {
  unsigned char b[16];
  random_id_bytes(b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

std::string uuid_v7(int64_t unix_millis) {
  unsigned char b[16];
  random_id_bytes(b);
  auto ms = static_cast<uint64_t>(unix_millis);
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

std::string uuid_from_name(std::string_view name) {
  unsigned char b[16];
  std::memcpy(b, crypto::hash(crypto::Digest::sha256, name).data(), 16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x80);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

std::string uuid_v7() {
  return uuid_v7(clock::now_millis());
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string api_token() {
  return "hkd_" + crypto::base64(crypto::random_bytes(32), true, false);
}

std::string signing_secret() {
  return "whsec_" + crypto::base64(crypto::random_bytes(32));
}

}  // namespace hookd::ids
