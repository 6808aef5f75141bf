#include "jsonata/truto/qs_node.h"

namespace hookd::jsonata::truto::qs::detail {

NodeRef make_string(std::string s) {
  auto n = std::make_shared<Node>();
  n->s = std::move(s);
  return n;
}
NodeRef make_null() {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::null;
  return n;
}
NodeRef make_array() {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::array;
  return n;
}
NodeRef make_object() {
  auto n = std::make_shared<Node>();
  n->kind = Node::Kind::object;
  return n;
}
bool is_array(const NodeRef& n) {
  return n && n->kind == Node::Kind::array;
}
bool falsy(const NodeRef& n) {
  return !n || n->kind == Node::Kind::null || (n->kind == Node::Kind::string && n->s.empty()) ||
         (n->kind == Node::Kind::boolean && !n->b);
}

void compact(const NodeRef& node) {
  if (!node || !node->is_object()) return;
  auto squeeze = [](NodeRef& child) {
    compact(child);
    if (is_array(child)) {
      std::vector<NodeRef> kept;
      for (auto& x : child->items)
        if (x) kept.push_back(x);
      child->items = std::move(kept);
    }
  };
  if (node->kind == Node::Kind::array) {
    for (auto& item : node->items)
      if (item) squeeze(item);
  } else {
    for (auto& [k, v] : node->props)
      squeeze(v);
  }
}

json::Value to_value(const NodeRef& node) {
  if (!node) return json::Value();  // a hole: undefined, written as null
  switch (node->kind) {
    case Node::Kind::null:
      return json::Value::null();
    case Node::Kind::boolean:
      return json::Value(node->b);
    case Node::Kind::string:
      return json::Value(node->s);
    case Node::Kind::array: {
      std::vector<json::Value> items;
      items.reserve(node->items.size());
      for (const auto& item : node->items)
        items.push_back(to_value(item));
      return json::Value::array(std::move(items));
    }
    case Node::Kind::object: {
      json::ObjectBuilder b(node->props.size());
      for (const auto& [k, v] : node->props)
        b.append_unique(json::Value(k), to_value(v));
      return std::move(b).build();
    }
  }
  return json::Value();
}

NodeRef from_value(const json::Value& v) {
  switch (v.type()) {
    case json::Type::string:
      return make_string(std::string(v.as_string()));
    case json::Type::null:
      return make_null();
    case json::Type::array: {
      NodeRef a = make_array();
      for (const auto& item : v.as_array())
        a->items.push_back(item.is_undefined() ? nullptr : from_value(item));
      return a;
    }
    case json::Type::object: {
      NodeRef o = make_object();
      for (const auto& m : v.members())
        if (!m.value.is_undefined()) o->set(std::string(m.name()), from_value(m.value));
      return o;
    }
    default: {
      // Numbers and booleans only reach here inside an object given instead of a string: keep their text.
      if (v.is_bool()) {
        auto n = std::make_shared<Node>();
        n->kind = Node::Kind::boolean;
        n->b = v.as_bool();
        return n;
      }
      return make_string(js_string(v));
    }
  }
}

}  // namespace hookd::jsonata::truto::qs::detail
