#include "lenient_json.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hookd::jsonata::testing {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
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

class Reader {
 public:
  explicit Reader(std::string_view t) : t_(t) {}

  std::optional<json::Value> document(std::string* error) {
    auto v = value();
    ws();
    if (v && i_ != t_.size()) v.reset(), err_ = "trailing characters";
    if (!v && error) *error = err_ + " at offset " + std::to_string(i_);
    return v;
  }

 private:
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
      ++i_;
  }
  bool literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  std::optional<uint32_t> hex4() {
    if (i_ + 4 > t_.size()) return std::nullopt;
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[i_++];
      int d = c >= '0' && c <= '9'                     ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                       : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }
  std::optional<std::string> string() {
    if (t_[i_] != '"') return std::nullopt;
    ++i_;
    std::string out;
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= t_.size()) break;
      char e = t_[i_++];
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
          auto u = hex4();
          if (!u) return std::nullopt;
          uint32_t cp = *u;
          if (cp >= 0xD800 && cp <= 0xDBFF && t_.substr(i_, 2) == "\\u") {
            size_t save = i_;
            i_ += 2;
            auto lo = hex4();
            if (lo && *lo >= 0xDC00 && *lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
            } else {
              i_ = save;  // a lone high surrogate
            }
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    err_ = "unterminated string";
    return std::nullopt;
  }
  std::optional<json::Value> value() {
    if (++depth_ > 1000) return std::nullopt;
    ws();
    if (i_ >= t_.size()) {
      err_ = "unexpected end";
      return std::nullopt;
    }
    char c = t_[i_];
    std::optional<json::Value> out;
    if (c == '{') {
      ++i_;
      json::ObjectBuilder b;
      ws();
      if (i_ < t_.size() && t_[i_] == '}') {
        ++i_;
        out = std::move(b).build();
      } else {
        for (;;) {
          ws();
          auto k = i_ < t_.size() ? string() : std::nullopt;
          ws();
          if (!k || i_ >= t_.size() || t_[i_++] != ':') return std::nullopt;
          auto v = value();
          if (!v) return std::nullopt;
          b.set(*k, std::move(*v));
          ws();
          if (i_ < t_.size() && t_[i_] == ',') {
            ++i_;
            continue;
          }
          if (i_ < t_.size() && t_[i_] == '}') {
            ++i_;
            break;
          }
          err_ = "expected , or }";
          return std::nullopt;
        }
        out = std::move(b).build();
      }
    } else if (c == '[') {
      ++i_;
      std::vector<json::Value> items;
      ws();
      if (i_ < t_.size() && t_[i_] == ']') {
        ++i_;
      } else {
        for (;;) {
          auto v = value();
          if (!v) return std::nullopt;
          items.push_back(std::move(*v));
          ws();
          if (i_ < t_.size() && t_[i_] == ',') {
            ++i_;
            continue;
          }
          if (i_ < t_.size() && t_[i_] == ']') {
            ++i_;
            break;
          }
          err_ = "expected , or ]";
          return std::nullopt;
        }
      }
      out = json::Value::array(std::move(items));
    } else if (c == '"') {
      auto s = string();
      if (s) out = json::Value(*s);
    } else if (literal("true")) {
      out = json::Value(true);
    } else if (literal("false")) {
      out = json::Value(false);
    } else if (literal("null")) {
      out = json::Value(nullptr);
    } else {
      const char* begin = t_.data() + i_;
      char* end = nullptr;
      std::string copy(t_.substr(i_, 64));
      double d = std::strtod(copy.c_str(), &end);
      if (end == copy.c_str()) {
        err_ = "unexpected character";
        return std::nullopt;
      }
      (void)begin;
      i_ += static_cast<size_t>(end - copy.c_str());
      out = json::Value(d);
    }
    --depth_;
    return out;
  }

  std::string_view t_;
  size_t i_ = 0;
  int depth_ = 0;
  std::string err_ = "malformed JSON";
};

}  // namespace

std::optional<json::Value> parse_lenient(std::string_view text, std::string* error) {
  return Reader(text).document(error);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hookd::jsonata::testing
