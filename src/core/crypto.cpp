#include "core/crypto.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <cstdio>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace hookd::crypto {

namespace {

constexpr size_t kDigests = 5;

size_t index_of(Digest d) noexcept {
  switch (d) {
    case Digest::md5:
      return 0;
    case Digest::sha1:
      return 1;
    case Digest::sha256:
      return 2;
    case Digest::sha384:
      return 3;
    case Digest::sha512:
      return 4;
  }
  return 2;
}

// Fetched once. EVP_sha256() and the like are OpenSSL 3's legacy handles: every EVP_Digest with one fetches the
// implementation again (provider tables, locks), which cost about half of hashing a webhook's body.
const EVP_MD* evp(Digest d) noexcept {
  static const std::array<EVP_MD*, kDigests> fetched = [] {
    constexpr const char* kNames[kDigests] = {"MD5", "SHA1", "SHA256", "SHA384", "SHA512"};
    std::array<EVP_MD*, kDigests> out{};
    for (size_t i = 0; i < kDigests; ++i)
      out[i] = EVP_MD_fetch(nullptr, kNames[i], nullptr);
    return out;
  }();
  static const std::array<const EVP_MD*, kDigests> legacy = {EVP_md5(), EVP_sha1(), EVP_sha256(),
                                                             EVP_sha384(), EVP_sha512()};
  size_t i = index_of(d);
  return fetched[i] ? fetched[i] : legacy[i];  // (a provider without MD5: the legacy path reports it)
}

// Fetched once: EVP_MAC_fetch walks OpenSSL's provider tables, which is too slow to do per request.
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

[[noreturn]] void openssl_failed(const char* what) {
  // OpenSSL only fails here on allocation failure or a broken installation: nothing a request can cause.
  std::fprintf(stderr, "hookd: OpenSSL %s failed\n", what);
  std::abort();
}

}  // namespace

std::optional<Digest> digest_from_name(std::string_view name) noexcept {
  std::string n;
  for (char c : name)
    if (c != '-' && c != '_') n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n == "sha256") return Digest::sha256;
  if (n == "sha1") return Digest::sha1;
  if (n == "sha512") return Digest::sha512;
  if (n == "sha384") return Digest::sha384;
  if (n == "md5") return Digest::md5;
  return std::nullopt;
}

std::string_view digest_name(Digest d) noexcept {
  switch (d) {
    case Digest::md5:
      return "md5";
    case Digest::sha1:
      return "sha1";
    case Digest::sha256:
      return "sha256";
    case Digest::sha384:
      return "sha384";
    case Digest::sha512:
      return "sha512";
  }
  return "sha256";
}

std::string hash(Digest d, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, evp(d), nullptr)) openssl_failed("EVP_Digest");
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

namespace {

// One HMAC context per thread and digest, its digest set once: setting the digest by name fetches it again
// on every EVP_MAC_init, and a context made per call is allocations besides. EVP_MAC_init with the next key
// starts afresh (OpenSSL documents re-initialisation); the previous key's pads stay in the thread's context
// until then, as the keys themselves stay in the config cache.
EVP_MAC_CTX* hmac_context(Digest d) {
  thread_local std::array<std::unique_ptr<EVP_MAC_CTX, MacCtxFree>, kDigests> contexts;
  auto& ctx = contexts[index_of(d)];
  if (!ctx) {
    ctx.reset(EVP_MAC_CTX_new(hmac_algorithm()));
    if (!ctx) openssl_failed("EVP_MAC_CTX_new");
    std::string md_name(EVP_MD_get0_name(evp(d)));
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md_name.data(), 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_CTX_set_params(ctx.get(), params)) openssl_failed("EVP_MAC_CTX_set_params");
  }
  return ctx.get();
}

}  // namespace

std::string hmac(Digest d, std::string_view key, const std::string_view* parts, size_t count) {
  EVP_MAC_CTX* ctx = hmac_context(d);
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (!EVP_MAC_init(ctx, k, key.size(), nullptr)) openssl_failed("EVP_MAC_init");
  for (size_t i = 0; i < count; ++i)
    if (!parts[i].empty() &&
        !EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(parts[i].data()), parts[i].size()))
      openssl_failed("EVP_MAC_update");
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  size_t len = 0;
  if (!EVP_MAC_final(ctx, out.data(), &len, out.size())) openssl_failed("EVP_MAC_final");
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string hmac(Digest d, std::string_view key, std::initializer_list<std::string_view> parts) {
  return hmac(d, key, parts.begin(), parts.size());
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string base64(std::string_view bytes, bool url_safe, bool pad) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_safe ? kUrl : kStd;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out.push_back(alphabet[v >> 18]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(alphabet[v >> 18]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // The length of a signature is public (it follows from the algorithm); only the bytes must not leak.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    openssl_failed("RAND_bytes");
  return out;
}

void random_fill(std::span<unsigned char> out) {
  if (!out.empty() && RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) openssl_failed("RAND_bytes");
}

std::string sha256_hex(std::string_view data) {
  return hex(hash(Digest::sha256, data));
}

}  // namespace hookd::crypto
