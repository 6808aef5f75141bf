// UTF-8 helpers with JavaScript's view of strings.
//
// Values hold UTF-8. jsonata-js works on UTF-16 strings: `$length` and `$substring` count code points,
// `$match` reports UTF-16 indices, `<` on strings compares UTF-16 code units. A lone surrogate (possible in
// JavaScript, e.g. "\ud800" in an expression) is kept as its 3-byte generalized UTF-8 form (WTF-8) so it
// survives round trips.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hookd::jsonata::detail {

// Decodes the code point at s[i] into cp and returns its length in bytes (>= 1). Malformed bytes decode one
// at a time as U+FFFD.
size_t utf8_decode(std::string_view s, size_t i, char32_t& cp) noexcept;
void utf8_append(std::string& out, char32_t cp);

size_t code_point_count(std::string_view s) noexcept;
size_t utf16_length(std::string_view s) noexcept;
// Byte offset of the code point with index `cp_index` (s.size() if past the end).
size_t byte_offset_of_code_point(std::string_view s, size_t cp_index) noexcept;
// Byte offset of UTF-16 index `u16_index` (clamped to s.size()).
size_t byte_offset_of_utf16(std::string_view s, size_t u16_index) noexcept;
// UTF-16 index of byte offset `byte` (which must be on a code point boundary).
size_t utf16_index_of_byte(std::string_view s, size_t byte) noexcept;

bool is_ascii(std::string_view s) noexcept;
bool has_lone_surrogate(std::string_view s) noexcept;

// String.prototype.toUpperCase / toLowerCase (Unicode simple mappings plus the special cases that change
// length).
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

// JSON.stringify's quoting of a string (a lone surrogate is written as an escape).
void write_js_string(std::string& out, std::string_view s);

// JavaScript's `a < b` on strings: by UTF-16 code units. Returns <0, 0, >0.
int compare_utf16(std::string_view a, std::string_view b) noexcept;

}  // namespace hookd::jsonata::detail
