#include "cases.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "jsonata/format/format.h"

namespace hookd::jsonata::format::testing {

namespace {

std::optional<std::string_view> opt_string(const std::vector<json::Value>& args, size_t i) {
  if (i < args.size() && args[i].is_string()) return args[i].as_string();
  return std::nullopt;
}

Outcome from_error(const Error& e) {
  Outcome o;
  o.kind = Outcome::Kind::error;
  o.code = e.code;
  o.message = e.message;
  return o;
}

template <class T>
Outcome from_result(const Result<T>& r) {
  if (!r.ok()) return from_error(r.error());
  Outcome o;
  o.kind = Outcome::Kind::value;
  o.value = json::Value(r.value());
  return o;
}

// A tiny reader for the literal arguments of a direct call.
class LiteralReader {
 public:
  explicit LiteralReader(std::string_view s) : s_(s) {}

  std::optional<DirectCall> call() {
    skip();
    if (!eat('$')) return std::nullopt;
    DirectCall c;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      c.function.push_back(s_[pos_++]);
    skip();
    if (c.function.empty() || !eat('(')) return std::nullopt;
    skip();
    if (!eat(')')) {
      while (true) {
        auto v = literal();
        if (!v) return std::nullopt;
        c.args.push_back(std::move(*v));
        skip();
        if (eat(')')) break;
        if (!eat(',')) return std::nullopt;
      }
    }
    skip();
    if (pos_ != s_.size()) return std::nullopt;
    return c;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<json::Value> literal() {
    skip();
    if (pos_ >= s_.size()) return std::nullopt;
    char c = s_[pos_];
    if (c == '"' || c == '\'') return string();
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number();
    if (c == '(') {
      ++pos_;
      skip();
      if (!eat(')')) return std::nullopt;
      return json::Value();
    }
    if (c == '{') return object();
    return std::nullopt;
  }

  std::optional<json::Value> number() {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
      ++pos_;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])))
        ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return std::nullopt;
    return json::Value(d);
  }

  // JSONata string literals use JSON's escapes; reuse the JSON parser on a double-quoted copy.
  std::optional<json::Value> string() {
    char quote = s_[pos_++];
    std::string body = "\"";
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        char n = s_[pos_++];
        if (n == '\'') {
          body.push_back('\'');
        } else {
          body.push_back('\\');
          body.push_back(n);
        }
      } else if (c == '"') {
        body += "\\\"";
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        body += buf;
      } else {
        body.push_back(c);
      }
    }
    if (!eat(quote)) return std::nullopt;
    body.push_back('"');
    json::Value v;
    if (!json::parse(body, v)) return std::nullopt;
    return v;
  }

  std::optional<json::Value> object() {
    ++pos_;
    json::ObjectBuilder b;
    skip();
    if (eat('}')) return std::move(b).build();
    while (true) {
      skip();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return std::nullopt;
      auto key = string();
      skip();
      if (!key || !eat(':')) return std::nullopt;
      auto value = literal();
      if (!value) return std::nullopt;
      b.set(key->as_string(), std::move(*value));
      skip();
      if (eat('}')) break;
      if (!eat(',')) return std::nullopt;
    }
    return std::move(b).build();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool same_number(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

std::string describe(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::value:
      if (o.value.is_number() && std::isnan(o.value.as_number())) return "NaN";
      return json::dump(o.value);
    case Outcome::Kind::undefined:
      return "undefined";
    case Outcome::Kind::error:
      return "error " + o.code + " (" + o.message + ")";
  }
  return "?";
}

}  // namespace

std::optional<Outcome> call(std::string_view fn, const std::vector<json::Value>& args, double now_millis) {
  auto arg = [&](size_t i) -> const json::Value& {
    static const json::Value undefined;
    return i < args.size() ? args[i] : undefined;
  };
  Outcome undefined;
  if (fn == "formatInteger") {
    if (arg(0).is_undefined()) return undefined;
    return from_result(format_integer(arg(0).as_number(), arg(1).as_string()));
  }
  if (fn == "parseInteger") {
    if (arg(0).is_undefined()) return undefined;
    return from_result(parse_integer(arg(0).as_string(), arg(1).as_string()));
  }
  if (fn == "formatNumber") {
    if (arg(0).is_undefined()) return undefined;
    return from_result(format_number(arg(0).as_number(), arg(1).as_string(), arg(2)));
  }
  if (fn == "fromMillis") {
    if (arg(0).is_undefined()) return undefined;
    return from_result(from_millis(arg(0).as_number(), opt_string(args, 1), opt_string(args, 2)));
  }
  if (fn == "toMillis") {
    if (arg(0).is_undefined()) return undefined;
    auto r = to_millis(arg(0).as_string(), opt_string(args, 1), now_millis);
    if (!r.ok()) return from_error(r.error());
    if (!r.value()) return undefined;
    Outcome o;
    o.kind = Outcome::Kind::value;
    o.value = json::Value(*r.value());
    return o;
  }
  return std::nullopt;
}

std::optional<DirectCall> parse_direct_call(std::string_view expression) {
  return LiteralReader(expression).call();
}

std::string suite_dir() {
  std::string dir;
  if (const char* env = std::getenv("HOOKD_JSONATA_SUITE"); env && *env) {
    dir = env;
  } else {
    dir = HOOKD_JSONATA_SUITE_DEFAULT;
  }
  if (!std::filesystem::is_directory(dir + "/groups")) return "";
  return dir;
}

std::string data_dir() {
  return HOOKD_FORMAT_TEST_DATA;
}

json::Value load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  json::Value v;
  json::ParseError err;
  if (!json::parse(ss.str(), v, &err)) return json::Value();
  return v;
}

std::vector<SuiteCase> load_group(const std::string& group) {
  std::vector<SuiteCase> out;
  std::string dir = suite_dir() + "/groups/" + group;
  if (!std::filesystem::is_directory(dir)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    json::Value v = load_json_file(path.string());
    std::string id = group + "/" + path.stem().string();
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i)
        out.push_back({id + "[" + std::to_string(i) + "]", v.at(i)});
    } else if (v.is_object()) {
      out.push_back({id, v});
    }
  }
  return out;
}

std::string compare(const Outcome& got, const json::Value& expected) {
  std::string want;
  if (expected.contains("undefinedResult")) {
    if (got.kind == Outcome::Kind::undefined) return "";
    want = "undefined";
  } else if (expected.contains("nan")) {
    if (got.kind == Outcome::Kind::value && got.value.is_number() && std::isnan(got.value.as_number()))
      return "";
    want = "NaN";
  } else if (expected.contains("result")) {
    const json::Value& r = expected.get("result");
    if (got.kind == Outcome::Kind::value) {
      if (r.is_number() && got.value.is_number() && same_number(r.as_number(), got.value.as_number()))
        return "";
      if (json::equal(r, got.value)) return "";
    }
    want = json::dump(r);
  } else {
    std::string code(expected.contains("code") ? expected.get("code").string_or("")
                                               : expected.get("error").get("code").string_or(""));
    if (got.kind == Outcome::Kind::error && got.code == code) {
      std::string_view message = expected.get("message").string_or("");
      if (message.empty() || message == got.message) return "";
      want = "error " + code + " (" + std::string(message) + ")";
    } else {
      want = "error " + code;
    }
  }
  return "expected " + want + ", got " + describe(got);
}

}  // namespace hookd::jsonata::format::testing
