// UTF-8 sequences, for both directions of JSON text (json_parse.cpp says where a document's bytes stop being
// UTF-8; json_write.cpp writes ill-formed sequences as U+FFFD). Private to hookd_json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hookd::json::detail {

// The UTF-8 sequence starting at s[i]: its length and code point, and whether it is well formed (not
// overlong, not past U+10FFFF, not truncated). Surrogates (U+D800-U+DFFF, which JavaScript strings may hold
// alone) are decoded but not well formed. An ill-formed lead byte has length 1.
struct Utf8Sequence {
  size_t length = 1;
  uint32_t code_point = 0;
  bool well_formed = false;
};
inline Utf8Sequence utf8_sequence_at(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + n > s.size()) return {};
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return {};
  return {n, cp, cp < 0xD800 || cp > 0xDFFF};
}

}  // namespace hookd::json::detail
