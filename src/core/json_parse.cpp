// JSON text in: simdjson's DOM parser, an exact slow reader for what it refuses, and on-demand member lookup.
// (Writing is in json_write.cpp.)
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <simdjson.h>

#include "json_utf8.h"
#include "hookd/json.h"

namespace hookd::json {

namespace {

using detail::utf8_sequence_at;
using detail::Utf8Sequence;

// 2^53: every integer up to here is exact in a double
constexpr double kMaxExactInteger = 9007199254740992.0;

template <typename Int>
Value integer_value(Int i) {
  double d = static_cast<double>(i);
  if (d > -kMaxExactInteger && d < kMaxExactInteger) return Value(d);  // strict: 2^53 + 1 rounds to 2^53
  return Value::number_with_text(d, std::to_string(i));
}

// RFC 8259 reader for the documents simdjson refuses for a number it cannot represent (NUMBER_ERROR), and
// for saying what is wrong with a document simdjson refused (its messages describe its own internals, e.g.
// "Problem while parsing an atom"). Rare, so it favours being small and exact over speed.
class SlowReader {
 public:
  explicit SlowReader(std::string_view text) : s_(text) {}
  bool read(Value& out, ParseError& error) {
    if (!value(out, 0)) {
      error = ParseError{error_.empty() ? "malformed JSON" : error_, error_at_};
      return false;
    }
    skip_ws();
    if (pos_ != s_.size()) {
      error = ParseError{"unexpected text after the JSON value", pos_};
      return false;
    }
    return true;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  // A malformed number is reported where it starts.
  bool fail_at(size_t at, const char* why) {
    pos_ = at;
    return fail(why);
  }
  bool fail(const char* why) {
    if (error_.empty()) {
      error_ = why;
      error_at_ = std::min(pos_, s_.size());
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }
  bool value(Value& out, int depth) {
    if (depth > 1024) return fail("document too deep");
    skip_ws();
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      std::string str;
      if (!string(str)) return false;
      out = Value(str);
      return true;
    }
    if (c == 't') return literal("true") && (out = Value(true), true);
    if (c == 'f') return literal("false") && (out = Value(false), true);
    if (c == 'n') return literal("null") && (out = Value(nullptr), true);
    if (c != '-' && (c < '0' || c > '9')) return fail("unexpected character");
    return number(out);
  }
  bool object(Value& out, int depth) {
    ++pos_;
    ObjectBuilder b;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      out = std::move(b).build();
      return true;
    }
    for (;;) {
      skip_ws();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !string(key)) return fail("expected a key");
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      Value v;
      if (!value(v, depth + 1)) return false;
      b.set(Value(key), std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        out = std::move(b).build();
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }
  bool array(Value& out, int depth) {
    ++pos_;
    std::vector<Value> items;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out = Value::array(std::move(items));
      return true;
    }
    for (;;) {
      Value v;
      if (!value(v, depth + 1)) return false;
      items.push_back(std::move(v));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        out = Value::array(std::move(items));
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }
  bool hex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return fail("invalid \\u escape");
    }
    return true;
  }
  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              return fail("lone surrogate");
            pos_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return fail("lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("lone surrogate");
          }
          append_utf8(out, static_cast<char32_t>(cp));
          break;
        }
        default:
          return fail_at(pos_ - 2, "invalid escape");
      }
    }
    return fail("unterminated string");
  }
  bool number(Value& out) {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    size_t int_start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
      ++pos_;
    if (pos_ == int_start || (s_[int_start] == '0' && pos_ - int_start > 1))
      return fail_at(start, "invalid number");
    bool integer = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integer = false;
      size_t f = ++pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
        ++pos_;
      if (pos_ == f) return fail_at(start, "invalid number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      size_t e = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
        ++pos_;
      if (pos_ == e) return fail_at(start, "invalid number");
    }
    std::string_view lexeme = s_.substr(start, pos_ - start);
    double d = std::strtod(std::string(lexeme).c_str(), nullptr);
    // The literal is kept where a double would change it: integers beyond 2^53, and numbers beyond a double's
    // range (1e400 would become null when written). simdjson reads an underflow (1e-400) as 0 without
    // telling, so that one keeps its text only when this reader runs for another number of the document.
    bool beyond_range =
        !std::isfinite(d) ||
        (d == 0 && lexeme.find_first_of("123456789") < std::min(lexeme.find_first_of("eE"), lexeme.size()));
    out = beyond_range || (integer && (d <= -kMaxExactInteger || d >= kMaxExactInteger))
              ? Value::number_with_text(d, lexeme)
              : Value(d);
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_at_ = 0;
};

// The offset of the first byte that is not part of well-formed UTF-8, or npos.
size_t first_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Utf8Sequence seq = utf8_sequence_at(s, i);
    if (!seq.well_formed) return i;
    i += seq.length;
  }
  return std::string_view::npos;
}

// What is wrong with a document simdjson refused, in words about the document, with the byte offset.
ParseError describe_error(std::string_view text, simdjson::error_code ec) {
  if (ec == simdjson::UTF8_ERROR) {
    size_t at = first_invalid_utf8(text);
    return ParseError{"invalid UTF-8", at == std::string_view::npos ? 0 : at};
  }
  if (ec == simdjson::DEPTH_ERROR) return ParseError{"nested too deeply", 0};
  if (ec == simdjson::EMPTY) return ParseError{"empty document", 0};
  Value ignored;
  ParseError error;
  if (!SlowReader(text).read(ignored, error)) return error;
  // The reader accepted what simdjson did not (simdjson is stricter about some inputs, such as a NUL byte
  // after the document): say no more than that it is malformed.
  return ParseError{"malformed JSON", 0};
}

Value from_element(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj = e.get_object().value_unsafe();
      ObjectBuilder b(obj.size());
      for (auto field : obj)
        b.set(Value(field.key), from_element(field.value));
      return std::move(b).build();
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr = e.get_array().value_unsafe();
      std::vector<Value> items;
      items.reserve(arr.size());
      for (auto item : arr)
        items.push_back(from_element(item));
      return Value::array(std::move(items));
    }
    case element_type::STRING:
      return Value(e.get_string().value_unsafe());
    case element_type::INT64:
      return integer_value(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return integer_value(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Value(e.get_double().value_unsafe());
    case element_type::BOOL:
      return Value(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Value(nullptr);
  }
  return Value();
}

}  // namespace

bool parse(std::string_view text, Value& out, ParseError* error) {
  // One parser per thread: it keeps its buffers between documents, so steady-state parsing does not allocate
  // them.
  thread_local simdjson::dom::parser parser;
  // An empty view may have no data at all, which simdjson would copy from (found by fuzz_signature: a null
  // pointer into memcpy, undefined even for zero bytes).
  if (text.empty()) {
    if (error) *error = ParseError{"empty document", 0};
    return false;
  }
  simdjson::dom::element root;
  auto ec = parser.parse(text.data(), text.size(), true).get(root);
  if (ec == simdjson::NUMBER_ERROR) {
    // simdjson 3.0 refuses integers beyond 64 bits and exponents beyond double range, both valid JSON: read
    // such a document the slow way (keeping the digits). Malformed numbers fail there too.
    ParseError why;
    Value v;
    if (SlowReader(text).read(v, why)) {
      out = std::move(v);
      return true;
    }
    if (error) *error = std::move(why);
    return false;
  }
  if (ec) {
    if (error) *error = describe_error(text, ec);
    return false;
  }
  out = from_element(root);
  return true;
}

bool raw_members(std::string_view text, std::span<const std::string_view> names,
                 std::span<std::string_view> out) {
  for (auto& o : out)
    o = {};
  // On-demand: members are skipped over, not built. It needs padding past the text's end, so it reads a copy
  // and answers with views at the same offsets in `text`.
  thread_local simdjson::ondemand::parser parser;
  if (text.empty()) return false;  // see parse(): a view without data
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return false;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    size_t i = 0;
    while (i < names.size() && names[i] != key)
      ++i;
    if (i >= names.size() || i >= out.size()) continue;  // not asked for: skipped unread
    simdjson::ondemand::value value;
    simdjson::ondemand::json_type type;
    if (field.value().get(value) || value.type().get(type)) return false;
    std::string_view raw;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      if (value.get_object().get(o) || o.raw_json().get(raw)) return false;
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      if (value.get_array().get(a) || a.raw_json().get(raw)) return false;
    } else {
      raw = value.raw_json_token();
    }
    // A scalar's token keeps the whitespace after it: trim it.
    size_t at = static_cast<size_t>(raw.data() - padded.data());
    std::string_view text_value = text.substr(at, raw.size());
    while (!text_value.empty() && (text_value.back() == ' ' || text_value.back() == '\n' ||
                                   text_value.back() == '\r' || text_value.back() == '\t'))
      text_value.remove_suffix(1);
    out[i] = text_value;
  }
  return true;
}

}  // namespace hookd::json
