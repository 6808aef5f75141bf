// JSON text out: a writer that serializes as JavaScript's JSON.stringify does, and the per-thread buffer texts
// are made in. (Reading is in json_parse.cpp.)
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "json_utf8.h"
#include "hookd/json.h"

namespace hookd::json {

using detail::utf8_sequence_at;
using detail::Utf8Sequence;

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      // Bytes from outside (a form value decoded from %FF, a text body) may not be UTF-8: the text written
      // must still be JSON that hookd (and any receiver) reads back. As JavaScript does when it encodes a
      // string as UTF-8 (TextEncoder, a request body): every ill-formed sequence, a lone surrogate included,
      // becomes U+FFFD.
      Utf8Sequence seq = utf8_sequence_at(s, i);
      if (seq.well_formed) {
        i += seq.length - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      out += "\xEF\xBF\xBD";
      i += seq.length - 1;
      run = i + 1;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// ECMAScript Number::toString(10): the shortest digits that round-trip, laid out in fixed notation when the
// decimal exponent is in [-6, 21) and in exponential notation ("1.5e+21", "1e-7") otherwise.
void write_number(std::string& out, double d) {
  if (d == 0) {  // also -0, which JavaScript prints as "0"
    out.push_back('0');
    return;
  }
  // JSONata results can be infinite (`-4/-0`) and reach here through templates and delivery ids; to_chars
  // writes "inf" without an exponent, which the layout below would read out of bounds (found by fuzz_template).
  if (!std::isfinite(d)) {
    out += std::isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // e.g. "-1.2345e+02"
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t epos = sci.find('e');
  std::string_view mantissa = sci.substr(0, epos);
  int exp10 = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+'), sci.data() + sci.size(), exp10);
  char digits[24];
  int k = 0;
  for (char c : mantissa)
    if (c != '.') digits[k++] = c;
  int n = exp10 + 1;  // value = 0.d1d2...dk * 10^n

  if (negative) out.push_back('-');
  if (k <= n && n <= 21) {
    out.append(digits, static_cast<size_t>(k));
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, static_cast<size_t>(k));
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    char eb[8];
    auto er = std::to_chars(eb, eb + sizeof eb, std::abs(n - 1));
    out.append(eb, er.ptr);
  }
}

namespace {

void write_value(std::string& out, const Value& v, int indent, int level);

void newline(std::string& out, int indent, int level) {
  if (indent <= 0) return;
  out.push_back('\n');
  out.append(static_cast<size_t>(indent * level), ' ');
}

void write_value(std::string& out, const Value& v, int indent, int level) {
  switch (v.type()) {
    case Type::undefined:
    case Type::function:
    case Type::null:
      out += "null";
      return;
    case Type::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::number:
      if (!v.number_text().empty())
        out += v.number_text();
      else if (std::isfinite(v.as_number()))
        write_number(out, v.as_number());
      else
        out += "null";
      return;
    case Type::string:
      write_string(out, v.as_string());
      return;
    case Type::array: {
      const auto& items = v.as_array();
      out.push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        newline(out, indent, level + 1);
        write_value(out, items[i], indent, level + 1);
      }
      if (!items.empty()) newline(out, indent, level);
      out.push_back(']');
      return;
    }
    case Type::object: {
      out.push_back('{');
      bool first = true;
      for (const Member& m : v.members()) {
        if (m.value.is_undefined() || m.value.is_function()) continue;
        if (!first) out.push_back(',');
        first = false;
        newline(out, indent, level + 1);
        write_string(out, m.name());
        out.push_back(':');
        if (indent > 0) out.push_back(' ');
        write_value(out, m.value, indent, level + 1);
      }
      if (!first) newline(out, indent, level);
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

void write(std::string& out, const Value& v) {
  if (v.is_undefined()) return;
  write_value(out, v, 0, 0);
}

namespace {

// A buffer per thread for the texts made here: written into a string that grows by doubling, a 2 KB document
// was allocated and copied about eight times; written here, it is copied once, into a string of its size. A
// buffer that a large document grew is let go afterwards rather than kept for the thread's life.
struct Scratch {
  static constexpr size_t kKeep = 256 * 1024;
  std::string text;
  bool busy = false;
};
thread_local Scratch scratch;

}  // namespace

namespace detail {

std::string* borrow_scratch() noexcept {
  if (scratch.busy) return nullptr;  // a text made while another is (build_text's writer called dump)
  scratch.busy = true;
  scratch.text.clear();
  return &scratch.text;
}

void release_scratch() noexcept {
  if (scratch.text.capacity() > Scratch::kKeep) std::string().swap(scratch.text);
  scratch.busy = false;
}

}  // namespace detail

std::string dump(const Value& v) {
  return build_text([&v](std::string& out) { write(out, v); });
}

size_t dumped_size(const Value& v) {
  size_t n = 0;
  build_text([&](std::string& out) {
    write(out, v);
    n = out.size();
    out.clear();
  });
  return n;
}

std::string dump_pretty(const Value& v, int indent) {
  std::string out;
  if (!v.is_undefined()) write_value(out, v, indent, 0);
  return out;
}

}  // namespace hookd::json
