#include "jsonata/truto/lodash.h"

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "jsonata/format/js.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::lodash {

namespace {

namespace js = format::js;
using Keys = std::vector<std::string>;

// _.toString: "" for null and undefined, "-0" for negative zero, arrays element-wise.
std::string to_string(const json::Value& v) {
  if (v.is_null() || v.is_undefined()) return "";
  if (v.is_number() && v.as_number() == 0 && std::signbit(v.as_number())) return "-0";
  if (v.is_array()) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(',');
      out += to_string(v.at(i));
    }
    return out;
  }
  return js_string(v);
}

// _.toKey.
std::string to_key(const json::Value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_number() && v.as_number() == 0 && std::signbit(v.as_number())) return "-0";
  return js_string(v);
}

// isIndex for a key: a canonical non-negative integer below 2^53.
bool is_index(std::string_view key) {
  if (key.empty() || key.size() > 16) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  for (char c : key)
    if (c < '0' || c > '9') return false;
  return std::stod(std::string(key)) < 9007199254740991.0;
}

// `object[key]` for JSON values.
json::Value property(const json::Value& object, std::string_view key) {
  if (object.is_object()) return object.get(key);
  if (object.is_array()) {
    if (key == "length") return json::Value(static_cast<double>(object.size()));
    if (is_array_index(key)) return object.at(std::stoul(std::string(key)));
    return json::Value();
  }
  if (object.is_string()) {
    js::u16 s = js::to_utf16(object.as_string());
    if (key == "length") return json::Value(static_cast<double>(s.size()));
    if (is_array_index(key)) {
      size_t i = std::stoul(std::string(key));
      if (i < s.size()) return json::Value(js::to_utf8(s.substr(i, 1)));
    }
  }
  return json::Value();
}

// `key in Object(object)` (own properties of JSON values; prototype members are not modelled).
bool has_in(const json::Value& object, std::string_view key) {
  if (object.is_object()) return object.contains(key);
  if (object.is_array() || object.is_string()) {
    if (key == "length") return true;
    if (!is_array_index(key)) return false;
    size_t n = object.is_array() ? object.size() : js::to_utf16(object.as_string()).size();
    return std::stoul(std::string(key)) < n;
  }
  return false;
}

bool is_object_like(const json::Value& v) {
  return v.is_object() || v.is_array();
}

// stringToPath: the lodash regex
//   /[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g
// applied left to right.
Keys string_to_path(std::string_view s) {
  Keys out;
  if (!s.empty() && s[0] == '.') out.emplace_back();
  size_t i = 0;
  auto dot_or_empty_brackets = [&](size_t at, size_t& len) {
    if (at < s.size() && s[at] == '.') {
      len = 1;
      return true;
    }
    if (at + 1 < s.size() && s[at] == '[' && s[at + 1] == ']') {
      len = 2;
      return true;
    }
    return false;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c != '.' && c != '[' && c != ']') {
      size_t j = i;
      while (j < s.size() && s[j] != '.' && s[j] != '[' && s[j] != ']')
        ++j;
      out.emplace_back(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '[') {
      // \[(-?\d+(?:\.\d+)?)\]
      size_t j = i + 1;
      if (j < s.size() && s[j] == '-') ++j;
      size_t digits = j;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
        ++j;
      if (j > digits) {
        if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
          size_t k = j + 1;
          while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])))
            ++k;
          if (k < s.size() && s[k] == ']') j = k;  // the fraction is only taken when ']' follows it
        }
        if (j < s.size() && s[j] == ']') {
          out.emplace_back(s.substr(i + 1, j - i - 1));
          i = j + 1;
          continue;
        }
      }
      // \[(["'])((?:(?!\2)[^\\]|\\.)*?)\2\]
      if (i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\'')) {
        char q = s[i + 1];
        size_t k = i + 2;
        bool found = false;
        while (k < s.size()) {
          if (s[k] == '\\' && k + 1 < s.size()) {
            k += 2;
            continue;
          }
          if (s[k] == q && k + 1 < s.size() && s[k + 1] == ']') {
            found = true;
            break;
          }
          if (s[k] == q) break;  // (?!\2) forbids the quote inside
          ++k;
        }
        if (found) {
          std::string sub(s.substr(i + 2, k - i - 2)), unescaped;
          for (size_t m = 0; m < sub.size(); ++m) {
            if (sub[m] == '\\') {
              if (m + 1 < sub.size() && sub[m + 1] == '\\') {
                unescaped.push_back('\\');
                ++m;
              }
              continue;
            }
            unescaped.push_back(sub[m]);
          }
          out.push_back(unescaped);
          i = k + 2;
          continue;
        }
      }
    }
    // (?=(?:\.|\[\])(?:\.|\[\]|$)): an empty key, then the regex moves one character on.
    size_t len = 0;
    if (dot_or_empty_brackets(i, len)) {
      size_t next = 0;
      if (i + len == s.size() || dot_or_empty_brackets(i + len, next)) out.emplace_back();
    }
    ++i;
  }
  return out;
}

// isKey: a plain property name rather than a path.
bool is_key(const json::Value& value, const json::Value& object) {
  if (value.is_array()) return false;
  if (value.is_number() || value.is_bool() || value.is_null() || value.is_undefined()) return true;
  std::string s = to_string(value);
  bool plain = true;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  if (plain) return true;
  // reIsDeepProp: a '.', or a bracket group without nested brackets.
  bool deep = s.find('.') != std::string::npos;
  for (size_t i = 0; !deep && i < s.size(); ++i) {
    if (s[i] != '[') continue;
    size_t j = i + 1;
    while (j < s.size() && s[j] != '[' && s[j] != ']')
      ++j;
    if (j < s.size() && s[j] == ']') deep = true;
  }
  if (!deep) return true;
  return !object.is_null() && !object.is_undefined() && has_in(object, s);
}

Keys cast_path(const json::Value& path, const json::Value& object) {
  if (path.is_array()) {
    Keys keys;
    for (const auto& k : path.as_array())
      keys.push_back(to_key(k));
    return keys;
  }
  if (is_key(path, object)) return {to_key(path)};
  return string_to_path(to_string(path));
}

json::Value base_get(const json::Value& object, const Keys& keys) {
  json::Value cur = object;
  size_t i = 0;
  while (!cur.is_null() && !cur.is_undefined() && i < keys.size())
    cur = property(cur, keys[i++]);
  return i != 0 && i == keys.size() ? cur : json::Value();
}

bool has_path(const json::Value& object, const Keys& keys) {
  json::Value cur = object;
  bool result = false;
  size_t i = 0;
  for (; i < keys.size(); ++i) {
    result = !cur.is_null() && !cur.is_undefined() && has_in(cur, keys[i]);
    if (!result) break;
    cur = property(cur, keys[i]);
  }
  if (result || i + 1 != keys.size()) return result;
  json::Value length = cur.is_array() ? json::Value(static_cast<double>(cur.size())) : json::Value();
  return length.is_number() && length.as_number() > 0 && is_index(keys[i]) &&
         std::stod(keys[i]) < length.as_number();
}

// A mutable copy of the parts of a result lodash mutates; untouched subtrees stay shared JSON values.
struct Node;
using NodeRef = std::shared_ptr<Node>;
struct Node {
  enum class Kind { leaf, object, array } kind = Kind::leaf;
  json::Value leaf;
  std::vector<std::pair<std::string, NodeRef>> props;
  std::vector<NodeRef> items;  // nullptr: a hole left by `delete`

  static NodeRef of(json::Value v) {
    auto n = std::make_shared<Node>();
    n->leaf = std::move(v);
    return n;
  }
  static NodeRef object() {
    auto n = std::make_shared<Node>();
    n->kind = Kind::object;
    return n;
  }
  static NodeRef array() {
    auto n = std::make_shared<Node>();
    n->kind = Kind::array;
    return n;
  }
  bool is_object_like() const { return kind != Kind::leaf || lodash::is_object_like(leaf); }

  // Turns a leaf object or array into a node whose children are leaves.
  void expand() {
    if (kind != Kind::leaf) return;
    if (leaf.is_object()) {
      kind = Kind::object;
      JsObjectBuilder order;
      for (const auto& m : leaf.members())
        order.set(m.name(), m.value);
      json::Value ordered = std::move(order).build();
      for (const auto& m : ordered.members())
        props.emplace_back(std::string(m.name()), of(m.value));
    } else if (leaf.is_array()) {
      kind = Kind::array;
      for (const auto& item : leaf.as_array())
        items.push_back(of(item));
    }
  }
  NodeRef* child(const std::string& key) {
    expand();
    if (kind == Kind::object) {
      for (auto& [k, v] : props)
        if (k == key) return &v;
    } else if (kind == Kind::array && is_array_index(key)) {
      size_t i = std::stoul(key);
      if (i < items.size() && items[i]) return &items[i];
    }
    return nullptr;
  }
  void set(const std::string& key, NodeRef value) {
    expand();
    if (kind == Kind::array) {
      if (!is_array_index(key)) return;  // a named property on an array never reaches JSON
      size_t i = std::stoul(key);
      if (i >= items.size()) items.resize(i + 1);
      items[i] = std::move(value);
      return;
    }
    if (kind != Kind::object) return;  // assignment to a primitive is a no-op
    for (auto& [k, v] : props) {
      if (k == key) {
        v = std::move(value);
        return;
      }
    }
    size_t at = props.size();
    if (is_array_index(key)) {
      at = 0;
      while (at < props.size() && is_array_index(props[at].first) &&
             (props[at].first.size() < key.size() ||
              (props[at].first.size() == key.size() && props[at].first < key)))
        ++at;
    }
    props.insert(props.begin() + static_cast<ptrdiff_t>(at), {key, std::move(value)});
  }
  void erase(const std::string& key) {
    expand();
    if (kind == Kind::object) {
      for (auto it = props.begin(); it != props.end(); ++it) {
        if (it->first == key) {
          props.erase(it);
          return;
        }
      }
    } else if (kind == Kind::array && is_array_index(key)) {
      size_t i = std::stoul(key);
      if (i < items.size()) items[i] = nullptr;
    }
  }
  json::Value value() const {
    switch (kind) {
      case Kind::leaf:
        return leaf;
      case Kind::object: {
        json::ObjectBuilder b(props.size());
        for (const auto& [k, v] : props)
          b.append_unique(json::Value(k), v->value());
        return std::move(b).build();
      }
      case Kind::array: {
        std::vector<json::Value> out;
        for (const auto& item : items)
          out.push_back(item ? item->value() : json::Value());
        return json::Value::array(std::move(out));
      }
    }
    return json::Value();
  }
};

// baseSet: creates the missing objects (arrays before an index key) along the path.
void base_set(const NodeRef& root, const Keys& keys, const json::Value& value) {
  NodeRef nested = root;
  for (size_t i = 0; nested && i < keys.size(); ++i) {
    const std::string& key = keys[i];
    if (key == "__proto__" || key == "constructor" || key == "prototype") return;
    if (!nested->is_object_like()) return;
    NodeRef next;
    if (i + 1 != keys.size()) {
      NodeRef* existing = nested->child(key);
      if (existing && (*existing)->is_object_like()) {
        next = *existing;
      } else {
        next = is_index(keys[i + 1]) ? Node::array() : Node::object();
      }
    } else {
      next = Node::of(value);
    }
    nested->set(key, next);
    NodeRef* placed = nested->child(key);
    nested = placed ? *placed : nullptr;
  }
}

// The iteratee shorthands, applied to one element.
bool is_match(const json::Value& object, const json::Value& source);

bool partial_equal(const json::Value& value, const json::Value& source) {
  if (source.is_object()) return value.is_object() && is_match(value, source);
  if (source.is_array()) {
    if (!value.is_array()) return false;
    for (const auto& s : source.as_array()) {
      bool found = false;
      for (const auto& v : value.as_array())
        found = found || partial_equal(v, s);
      if (!found) return false;
    }
    return true;
  }
  if (value.is_number() && source.is_number() && std::isnan(value.as_number()) &&
      std::isnan(source.as_number()))
    return true;
  return value.type() == source.type() && json::equal(value, source);
}

bool is_match(const json::Value& object, const json::Value& source) {
  for (const auto& m : source.members()) {
    if (!has_in(object, m.name())) return false;
    if (!partial_equal(property(object, m.name()), m.value)) return false;
  }
  return true;
}

std::string iteratee_key(const json::Value& element, const json::Value& iteratee) {
  if (iteratee.is_function()) return "[object Promise]";
  if (iteratee.is_null() || iteratee.is_undefined()) return js_string(element);
  if (iteratee.is_array()) {
    json::Value path = iteratee.at(0);
    return partial_equal(base_get(element, cast_path(path, element)), iteratee.at(1)) ? "true" : "false";
  }
  if (iteratee.is_object()) return is_match(element, iteratee) ? "true" : "false";
  return js_string(base_get(element, cast_path(iteratee, element)));
}

}  // namespace

json::Value cast_array(const json::Value& v) {
  if (v.is_array()) return v;
  return json::Value::array({v});
}

json::Value group_by(const json::Value& collection, const json::Value& iteratee) {
  JsObjectBuilder groups;
  std::vector<std::string> order;
  std::map<std::string, std::vector<json::Value>> members;
  json::Value elements = cast_array(collection);
  for (const auto& element : elements.as_array()) {
    std::string key = iteratee_key(element, iteratee);
    auto [it, inserted] = members.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(element);
  }
  for (const auto& key : order)
    groups.set(key, json::Value::array(std::move(members[key])));
  return std::move(groups).build();
}

json::Value key_by(const json::Value& collection, const json::Value& iteratee) {
  JsObjectBuilder out;
  json::Value elements = cast_array(collection);
  for (const auto& element : elements.as_array())
    out.set(iteratee_key(element, iteratee), element);
  return std::move(out).build();
}

json::Value pick(const json::Value& object, const json::Value& paths) {
  if (object.is_null() || object.is_undefined()) return json::Value::empty_object();
  NodeRef result = Node::object();
  std::vector<json::Value> list = paths.is_array() ? paths.as_array() : std::vector<json::Value>{paths};
  for (const auto& path : list) {
    Keys keys = cast_path(path, object);
    json::Value value = base_get(object, keys);
    if (has_path(object, keys)) base_set(result, keys, value);
  }
  return result->value();
}

json::Value omit(const json::Value& object, const json::Value& paths) {
  if (object.is_null() || object.is_undefined()) return json::Value::empty_object();
  std::vector<json::Value> list = paths.is_array() ? paths.as_array() : std::vector<json::Value>{paths};
  std::vector<Keys> cast;
  for (const auto& path : list)
    cast.push_back(cast_path(path, object));

  // copyObject(object, keysIn(object)): own keys of objects, indices of arrays and strings.
  NodeRef result = Node::object();
  if (object.is_object()) {
    JsObjectBuilder order;
    for (const auto& m : object.members())
      order.set(m.name(), m.value);
    json::Value ordered = std::move(order).build();
    for (const auto& m : ordered.members())
      result->set(std::string(m.name()), Node::of(m.value));
  } else if (object.is_array()) {
    for (size_t i = 0; i < object.size(); ++i)
      result->set(std::to_string(i), Node::of(object.at(i)));
    for (const auto& flag : jsonata_array_flags(object))
      result->set(flag, Node::of(json::Value(true)));
  } else if (object.is_string()) {
    js::u16 s = js::to_utf16(object.as_string());
    for (size_t i = 0; i < s.size(); ++i)
      result->set(std::to_string(i), Node::of(json::Value(js::to_utf8(s.substr(i, 1)))));
  }
  for (size_t n = cast.size(); n-- > 0;) {
    const Keys& keys = cast[n];
    // baseUnset: delete the last key from its parent.
    NodeRef parent = result;
    for (size_t i = 0; parent && i + 1 < keys.size(); ++i) {
      NodeRef* next = parent->child(keys[i]);
      parent = next ? *next : nullptr;
    }
    if (!parent) continue;
    parent->erase(keys.empty() ? std::string("undefined") : keys.back());
  }
  return result->value();
}

json::Value compact(const json::Value& v) {
  std::vector<json::Value> out;
  json::Value items = cast_array(v);
  for (const auto& item : items.as_array())
    if (js_truthy(item)) out.push_back(item);
  return json::Value::array(std::move(out));
}

json::Value flatten(const json::Value& v, double depth) {
  std::vector<json::Value> out;
  auto walk = [&](auto& self, const json::Value& arr, double d) -> void {
    for (const auto& item : arr.as_array()) {
      if (d > 0 && item.is_array()) {
        self(self, item, d - 1);
      } else {
        out.push_back(item);
      }
    }
  };
  json::Value items = cast_array(v);
  walk(walk, items, depth);
  return json::Value::array(std::move(out));
}

json::Value values(const json::Value& v) {
  if (v.is_object()) {
    JsObjectBuilder order;
    for (const auto& m : v.members())
      order.set(m.name(), m.value);
    json::Value ordered = std::move(order).build();
    std::vector<json::Value> out;
    for (const auto& m : ordered.members())
      out.push_back(m.value);
    return json::Value::array(std::move(out));
  }
  if (v.is_array()) {
    std::vector<json::Value> out = v.as_array();
    for (size_t i = 0; i < jsonata_array_flags(v).size(); ++i)
      out.emplace_back(true);
    return json::Value::array(std::move(out));
  }
  if (v.is_string()) {
    std::vector<json::Value> out;
    js::u16 s = js::to_utf16(v.as_string());
    for (size_t i = 0; i < s.size(); ++i)
      out.push_back(json::Value(js::to_utf8(s.substr(i, 1))));
    return json::Value::array(std::move(out));
  }
  return json::Value::empty_array();
}

std::string join(const json::Value& v, const json::Value& separator) {
  std::string sep = separator.is_undefined() ? "," : js_string(separator);
  std::string out;
  json::Value array = cast_array(v);
  const auto& items = array.as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    if (!items[i].is_null() && !items[i].is_undefined()) out += js_string(items[i]);
  }
  return out;
}

json::Value get(const json::Value& object, const json::Value& path) {
  return base_get(object, cast_path(path, object));
}

}  // namespace hookd::jsonata::truto::lodash
