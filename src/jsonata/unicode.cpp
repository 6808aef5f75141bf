#include "jsonata/unicode.h"

#include <locale.h>
#include <wctype.h>

#include <cstdio>
#include <cstring>

#include "hookd/json.h"

namespace hookd::jsonata::detail {

size_t utf8_decode(std::string_view s, size_t i, char32_t& cp) noexcept {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  char32_t v = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) {
      cp = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (cc & 0x3F);
  }
  // Overlong forms are malformed; surrogates (WTF-8) are accepted on purpose.
  if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF))) {
    cp = 0xFFFD;
    return 1;
  }
  cp = v;
  return n;
}

void utf8_append(std::string& out, char32_t cp) {
  json::append_utf8(out, cp);
}

size_t code_point_count(std::string_view s) noexcept {
  size_t n = 0;
  char32_t cp;
  for (size_t i = 0; i < s.size(); ++n)
    i += utf8_decode(s, i, cp);
  return n;
}

size_t utf16_length(std::string_view s) noexcept {
  size_t n = 0;
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    i += utf8_decode(s, i, cp);
    n += cp >= 0x10000 ? 2 : 1;
  }
  return n;
}

size_t byte_offset_of_code_point(std::string_view s, size_t cp_index) noexcept {
  size_t i = 0;
  char32_t cp;
  for (size_t k = 0; k < cp_index && i < s.size(); ++k)
    i += utf8_decode(s, i, cp);
  return i;
}

size_t byte_offset_of_utf16(std::string_view s, size_t u16_index) noexcept {
  size_t i = 0, u = 0;
  char32_t cp;
  while (i < s.size() && u < u16_index) {
    size_t n = utf8_decode(s, i, cp);
    u += cp >= 0x10000 ? 2 : 1;
    i += n;
  }
  return i;
}

size_t utf16_index_of_byte(std::string_view s, size_t byte) noexcept {
  size_t i = 0, u = 0;
  char32_t cp;
  while (i < byte && i < s.size()) {
    i += utf8_decode(s, i, cp);
    u += cp >= 0x10000 ? 2 : 1;
  }
  return u;
}

bool is_ascii(std::string_view s) noexcept {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool has_lone_surrogate(std::string_view s) noexcept {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    i += utf8_decode(s, i, cp);
    if (cp >= 0xD800 && cp <= 0xDFFF) return true;
  }
  return false;
}

namespace {

// The C.UTF-8 locale's wide-character tables give Unicode's simple case mappings; a private locale object
// keeps the process locale untouched.
locale_t utf8_locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    return l ? l : newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(0));
  }();
  return loc;
}

bool is_cased_letter(char32_t cp) {
  return cp < 0x80 ? ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                   : (towupper_l(static_cast<wint_t>(cp), utf8_locale()) != static_cast<wint_t>(cp) ||
                      towlower_l(static_cast<wint_t>(cp), utf8_locale()) != static_cast<wint_t>(cp));
}

}  // namespace

std::string to_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    i += utf8_decode(s, i, cp);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 32 : cp));
    } else if (cp == 0xDF) {  // ß -> SS (SpecialCasing)
      out += "SS";
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      utf8_append(out, cp);
    } else {
      utf8_append(out, static_cast<char32_t>(towupper_l(static_cast<wint_t>(cp), utf8_locale())));
    }
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    i += utf8_decode(s, i, cp);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    } else if (cp == 0x130) {  // İ -> i + combining dot above (SpecialCasing)
      out += "i\xCC\x87";
    } else if (cp == 0x3A3) {
      // Final sigma: Σ after a cased letter and not before one becomes ς.
      bool after_letter = false, before_letter = false;
      if (start > 0) {
        size_t j = start - 1;
        while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80)
          --j;
        char32_t prev;
        utf8_decode(s, j, prev);
        after_letter = is_cased_letter(prev);
      }
      if (i < s.size()) {
        char32_t next;
        utf8_decode(s, i, next);
        before_letter = is_cased_letter(next);
      }
      utf8_append(out, after_letter && !before_letter ? 0x3C2 : 0x3C3);
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      utf8_append(out, cp);
    } else {
      utf8_append(out, static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), utf8_locale())));
    }
  }
  return out;
}

int compare_utf16(std::string_view a, std::string_view b) noexcept {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  while (i < n && a[i] == b[i])
    ++i;
  if (i == n) return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  // Back up to the start of the differing code points and compare them as UTF-16 would: a supplementary code
  // point (a surrogate pair, D800..DBFF first) sorts before BMP code points from E000 up.
  while (i > 0 && (static_cast<unsigned char>(a[i]) & 0xC0) == 0x80)
    --i;
  char32_t ca, cb;
  utf8_decode(a, i, ca);
  utf8_decode(b, i, cb);
  auto unit = [](char32_t c) -> char32_t { return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : c; };
  char32_t ua = unit(ca), ub = unit(cb);
  if (ua != ub) return ua < ub ? -1 : 1;
  // both supplementary with the same high surrogate: low surrogates order as code points
  return ca < cb ? -1 : 1;
}

// JSON.stringify's string quoting, which writes a lone surrogate as \udXXX.
void write_js_string(std::string& out, std::string_view s) {
  if (s.find('\xED') == std::string_view::npos) {
    json::write_string(out, s);
    return;
  }
  std::string tmp;
  size_t run = 0;
  char32_t cp;
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_decode(s, i, cp);
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      tmp.clear();
      json::write_string(tmp, s.substr(run, i - run));
      out.append(tmp, 1, tmp.size() - 2);
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(cp));
      out += esc;
      run = i + n;
    }
    i += n;
  }
  tmp.clear();
  json::write_string(tmp, s.substr(run));
  out.append(tmp, 1, tmp.size() - 2);
  out.push_back('"');
}

}  // namespace hookd::jsonata::detail
