// qs.parse's working tree (qs_parse.cpp): a small mutable tree with JavaScript's property order, sparse arrays
// and qs's "overflow" marker, and its conversions from and to json::Value. Private to the Truto function set.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hookd/json.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::qs::detail {

struct Node;
using NodeRef = std::shared_ptr<Node>;

struct Node {
  enum class Kind { null, boolean, string, array, object } kind = Kind::string;
  bool b = false;
  std::string s;
  std::vector<NodeRef> items;                          // array; nullptr is a hole
  std::vector<std::pair<std::string, NodeRef>> props;  // object, in JavaScript order
  bool overflow = false;                               // qs's side channel: an array that outgrew arrayLimit
  double max_index = 0;

  bool is_object() const { return kind == Kind::array || kind == Kind::object; }

  NodeRef* find(std::string_view key) {
    for (auto& [k, v] : props)
      if (k == key) return &v;
    return nullptr;
  }
  // Assignment: an existing key keeps its place; a new array-index key goes among the index keys in order.
  void set(const std::string& key, NodeRef value) {
    if (NodeRef* existing = find(key)) {
      *existing = std::move(value);
      return;
    }
    if (is_array_index(key)) {
      auto less = [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
      };
      size_t at = 0;
      while (at < props.size() && is_array_index(props[at].first) && less(props[at].first, key))
        ++at;
      props.insert(props.begin() + static_cast<ptrdiff_t>(at), {key, std::move(value)});
    } else {
      props.emplace_back(key, std::move(value));
    }
  }
  // Object.keys for arrays: the indices that are not holes.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    if (kind == Kind::array) {
      for (size_t i = 0; i < items.size(); ++i)
        if (items[i]) out.push_back(std::to_string(i));
    } else if (kind == Kind::object) {
      for (const auto& [k, v] : props)
        out.push_back(k);
    }
    return out;
  }
  NodeRef get(const std::string& key) {
    if (kind == Kind::array) {
      if (!is_array_index(key)) return nullptr;
      size_t i = std::stoul(key);
      return i < items.size() ? items[i] : nullptr;
    }
    NodeRef* p = find(key);
    return p ? *p : nullptr;
  }
};

NodeRef make_string(std::string s);
NodeRef make_null();
NodeRef make_array();
NodeRef make_object();
bool is_array(const NodeRef& n);
// `!value` in JavaScript: undefined, null, "" and false are falsy (qs's values are never numbers).
bool falsy(const NodeRef& n);
// utils.compact: every array below the root loses its holes.
void compact(const NodeRef& node);
json::Value to_value(const NodeRef& node);
NodeRef from_value(const json::Value& v);

}  // namespace hookd::jsonata::truto::qs::detail
