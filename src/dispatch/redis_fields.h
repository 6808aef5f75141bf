// Reading the fields of the dispatcher's Redis hashes and replies, one way for every file of the module.
#pragma once

#include <cstdint>
#include <string_view>

namespace hookd::dispatch {

// A decimal integer as Redis stores it ("-12"); digits up to the first other character; 0 for none.
inline int64_t field_int(std::string_view s) noexcept {
  int64_t v = 0;
  bool neg = !s.empty() && s[0] == '-';
  for (char c : s.substr(neg ? 1 : 0)) {
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

}  // namespace hookd::dispatch
