#include "jsonata/truto/js_value.h"

#include <algorithm>
#include <cmath>

#include "jsonata/format/js.h"

namespace hookd::jsonata::truto {

Error js_error(std::string_view name, std::string message) {
  Error e{std::string(name), std::move(message), json::Value()};
  return e;
}

std::string js_string(const json::Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
      return "undefined";
    case json::Type::null:
      return "null";
    case json::Type::boolean:
      return v.as_bool() ? "true" : "false";
    case json::Type::number:
      return format::js::number_to_string(v.as_number());
    case json::Type::string:
      return std::string(v.as_string());
    case json::Type::array: {
      std::string out;
      bool first = true;
      for (const auto& item : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        if (!item.is_null() && !item.is_undefined()) out += js_string(item);
      }
      return out;
    }
    case json::Type::object:
      return "[object Object]";
    case json::Type::function:
      return "function () { [native code] }";
  }
  return "";
}

bool js_truthy(const json::Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::null:
      return false;
    case json::Type::boolean:
      return v.as_bool();
    case json::Type::number:
      return v.as_number() != 0 && !std::isnan(v.as_number());
    case json::Type::string:
      return !v.as_string().empty();
    default:
      return true;
  }
}

std::vector<std::string> jsonata_array_flags(const json::Value& array) {
  static const char* const kNames[] = {"sequence", "keepSingleton", "outerWrapper", "tupleStream", "cons"};
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (int bit = 0; bit < 5; ++bit)
    if (array.tag() & (1u << bit)) out.emplace_back(kNames[bit]);
  return out;
}

bool is_array_index(std::string_view key) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n < 4294967295u;
}

JsObjectBuilder& JsObjectBuilder::set(std::string_view key, json::Value value) {
  auto it = index_.find(std::string(key));
  if (it != index_.end()) {
    members_[it->second].second = std::move(value);
    return *this;
  }
  index_.emplace(std::string(key), members_.size());
  members_.emplace_back(std::string(key), std::move(value));
  return *this;
}

const json::Value* JsObjectBuilder::find(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &members_[it->second].second;
}

bool JsObjectBuilder::erase(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return false;
  members_.erase(members_.begin() + static_cast<ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < members_.size(); ++i)
    index_.emplace(members_[i].first, i);
  return true;
}

json::Value JsObjectBuilder::build() && {
  std::stable_partition(members_.begin(), members_.end(),
                        [](const auto& m) { return is_array_index(m.first); });
  auto indices_end =
      std::find_if(members_.begin(), members_.end(), [](const auto& m) { return !is_array_index(m.first); });
  std::stable_sort(members_.begin(), indices_end, [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
  });
  json::ObjectBuilder b(members_.size());
  for (auto& [k, v] : members_)
    b.append_unique(json::Value(k), std::move(v));
  return std::move(b).build();
}

std::optional<std::string> decode_uri_component(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  auto byte_at = [&](size_t i) -> int {
    if (i + 2 >= s.size()) return -1;
    if (s[i] != '%') return -1;
    int h = hex(s[i + 1]), l = hex(s[i + 2]);
    if (h < 0 || l < 0) return -1;
    return h * 16 + l;
  };
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '%') {
      out.push_back(s[i++]);
      continue;
    }
    int b = byte_at(i);
    if (b < 0) return std::nullopt;
    i += 3;
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      continue;
    }
    int n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) return std::nullopt;
    uint32_t cp = static_cast<uint32_t>(b & (0x7F >> n));
    std::string bytes(1, static_cast<char>(b));
    for (int k = 1; k < n; ++k) {
      int c = byte_at(i);
      if (c < 0 || (c & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | static_cast<uint32_t>(c & 0x3F);
      bytes.push_back(static_cast<char>(c));
      i += 3;
    }
    static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return std::nullopt;
    out += bytes;
  }
  return out;
}

}  // namespace hookd::jsonata::truto
