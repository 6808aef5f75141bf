#include "hookd/json.h"

#include <atomic>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

namespace hookd::json {

namespace detail {

// The characters follow the header in the same allocation: one allocation per string.
struct StringNode : Node {
  uint32_t size;
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }

  static StringNode* make(std::string_view s) {
    void* mem = ::operator new(sizeof(StringNode) + s.size() + 1);
    auto* n = new (mem) StringNode();
    n->size = static_cast<uint32_t>(s.size());
    if (!s.empty()) std::memcpy(n->data(), s.data(), s.size());
    n->data()[s.size()] = '\0';
    return n;
  }
  static void free(StringNode* n) noexcept {
    n->~StringNode();
    ::operator delete(n);
  }
};

// A number that keeps its literal digits (an integer a double cannot hold exactly).
struct NumberNode : Node {
  double value;
  std::string digits;
};

struct ArrayNode : Node {
  std::vector<Value> items;
};

// Objects above this many members get a hash index; below it a linear scan over keys is faster.
constexpr size_t kIndexThreshold = 12;

// Where each key of an object is: open addressing with linear probing in one flat array (one allocation,
// where a node-based map made one per key). A slot holds the key's position + 1 (0: empty) and the high half
// of its hash, so a probe compares key text only when the hashes agree. Keys are unique (builders check).
class ObjectIndex {
 public:
  // Indexes members [0, count).
  void build(const std::vector<Member>& members, size_t count) {
    size_t capacity = 16;
    while (capacity < count * 2)
      capacity *= 2;
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    size_ = 0;
    for (size_t i = 0; i < count; ++i)
      put(members[i].key.as_string(), static_cast<uint32_t>(i));
  }
  // Adds the member at `position`; grows (re-reading `members`) when half full.
  void add(const std::vector<Member>& members, uint32_t position) {
    if ((size_ + 1) * 2 > slots_.size()) return build(members, position + 1);
    put(members[position].key.as_string(), position);
  }
  // The position of `key` in `members`, or -1.
  int64_t find(const std::vector<Member>& members, std::string_view key) const noexcept {
    uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      uint64_t slot = slots_[i];
      if (slot == 0) return -1;
      if ((slot >> 32) == (h >> 32)) {
        uint32_t position = static_cast<uint32_t>(slot) - 1;
        if (members[position].key.as_string() == key) return position;
      }
    }
  }

 private:
  // FNV-1a: keys are short; good enough spread for linear probing with the table at most half full.
  static uint64_t hash(std::string_view key) noexcept {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : key)
      h = (h ^ c) * 1099511628211ull;
    return h ^ (h >> 29);
  }
  void put(std::string_view key, uint32_t position) {
    uint64_t h = hash(key);
    size_t i = h & mask_;
    while (slots_[i] != 0)
      i = (i + 1) & mask_;
    slots_[i] = (h & 0xffffffff00000000ull) | (uint64_t{position} + 1);
    ++size_;
  }

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

struct ObjectNode : Node {
  std::vector<Member> members;
  // Built on the first lookup by key (or handed over by a builder that had one): objects that are only built,
  // copied and serialized never pay for it. Set once; the atomic publishes it to other threads.
  mutable std::atomic<ObjectIndex*> index{nullptr};
  ~ObjectNode() { delete index.load(std::memory_order_relaxed); }
};

}  // namespace detail

namespace {

const Value kUndefined;

// Shared empty containers: never freed (they start with one reference that nobody releases).
detail::ArrayNode* empty_array_node() {
  static auto* n = new detail::ArrayNode();
  return n;
}
detail::ObjectNode* empty_object_node() {
  static auto* n = new detail::ObjectNode();
  return n;
}

detail::ObjectIndex* index_of(const detail::ObjectNode& o) noexcept {
  detail::ObjectIndex* idx = o.index.load(std::memory_order_acquire);
  if (idx) return idx;
  auto* fresh = new (std::nothrow) detail::ObjectIndex();
  if (!fresh) return nullptr;
  try {
    fresh->build(o.members, o.members.size());
  } catch (...) {
    delete fresh;
    return nullptr;
  }
  // Another thread may have built it meanwhile: keep the first one published.
  if (o.index.compare_exchange_strong(idx, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
    return fresh;
  delete fresh;
  return idx;
}

const Value* find_member(const detail::ObjectNode& o, std::string_view key) noexcept {
  if (o.members.size() > detail::kIndexThreshold) {
    if (detail::ObjectIndex* idx = index_of(o)) {
      int64_t at = idx->find(o.members, key);
      return at < 0 ? nullptr : &o.members[static_cast<size_t>(at)].value;
    }
  }
  for (const Member& m : o.members)
    if (m.key.as_string() == key) return &m.value;
  return nullptr;
}

}  // namespace

std::string_view type_name(Type t) noexcept {
  switch (t) {
    case Type::undefined:
      return "undefined";
    case Type::null:
      return "null";
    case Type::boolean:
      return "boolean";
    case Type::number:
      return "number";
    case Type::string:
      return "string";
    case Type::array:
      return "array";
    case Type::object:
      return "object";
    case Type::function:
      return "function";
  }
  return "unknown";
}

Value::Value(std::string_view s) : type_(Type::string), tag_(0), boxed_(0), u_{} {
  u_.p = detail::StringNode::make(s);
}

Value Value::array(std::vector<Value> items) {
  if (items.empty()) return empty_array();
  auto* n = new detail::ArrayNode();
  n->items = std::move(items);
  return from_node(Type::array, n);
}

Value Value::empty_array() {
  auto* n = empty_array_node();
  n->refs.fetch_add(1, std::memory_order_relaxed);
  return from_node(Type::array, n);
}

Value Value::empty_object() {
  auto* n = empty_object_node();
  n->refs.fetch_add(1, std::memory_order_relaxed);
  return from_node(Type::object, n);
}

Value Value::adopt_function(const Function* fn) noexcept {
  return from_node(Type::function, const_cast<Function*>(fn));
}

Value Value::number_with_text(double value, std::string_view digits) {
  auto* n = new detail::NumberNode();
  n->value = value;
  n->digits = std::string(digits);
  Value v(value);
  v.boxed_ = 1;
  v.u_.p = n;
  return v;
}

double Value::boxed_number() const noexcept {
  return static_cast<const detail::NumberNode*>(u_.p)->value;
}

std::string_view Value::number_text() const noexcept {
  return boxed_ ? std::string_view(static_cast<const detail::NumberNode*>(u_.p)->digits) : std::string_view();
}

void Value::destroy() noexcept {
  if (boxed_) {
    delete static_cast<detail::NumberNode*>(u_.p);
    return;
  }
  switch (type_) {
    case Type::string:
      detail::StringNode::free(static_cast<detail::StringNode*>(u_.p));
      return;
    case Type::function:
      delete static_cast<Function*>(u_.p);
      return;
    case Type::array:
    case Type::object:
      break;
    default:
      return;
  }
  // Containers come apart without recursion: JSONata can build a value nested a million levels deep, and
  // freeing it must not exhaust the stack. A child container whose last reference this is gets taken apart
  // the same way.
  std::vector<Value> pending;
  auto take_apart = [&pending](Type t, detail::Node* n) {
    auto keep = [&pending](Value& v) {
      if ((v.type_ == Type::array || v.type_ == Type::object) && !v.boxed_) pending.push_back(std::move(v));
    };
    if (t == Type::array) {
      auto* a = static_cast<detail::ArrayNode*>(n);
      for (Value& v : a->items)
        keep(v);
      delete a;
    } else {
      auto* o = static_cast<detail::ObjectNode*>(n);
      for (Member& m : o->members)
        keep(m.value);
      delete o;
    }
  };
  take_apart(type_, u_.p);
  while (!pending.empty()) {
    Value v = std::move(pending.back());
    pending.pop_back();
    // With the only reference, nobody else can reach the node: take it over instead of releasing it.
    if (v.u_.p->refs.load(std::memory_order_acquire) == 1) {
      Type t = v.type_;
      v.type_ = Type::undefined;
      take_apart(t, v.u_.p);
    }
  }
}

std::string_view Value::as_string() const noexcept {
  assert(is_string());
  auto* n = static_cast<const detail::StringNode*>(u_.p);
  return {n->data(), n->size};
}

const std::vector<Value>& Value::as_array() const noexcept {
  assert(is_array());
  return static_cast<const detail::ArrayNode*>(u_.p)->items;
}

const std::vector<Member>& Value::members() const noexcept {
  assert(is_object());
  return static_cast<const detail::ObjectNode*>(u_.p)->members;
}

const Function& Value::as_function() const noexcept {
  assert(is_function());
  return *static_cast<const Function*>(u_.p);
}

const Value& Value::get(std::string_view key) const noexcept {
  if (!is_object()) return kUndefined;
  const Value* v = find_member(*static_cast<const detail::ObjectNode*>(u_.p), key);
  return v ? *v : kUndefined;
}

const Value& Value::at(size_t i) const noexcept {
  if (!is_array()) return kUndefined;
  const auto& items = as_array();
  return i < items.size() ? items[i] : kUndefined;
}

size_t Value::size() const noexcept {
  if (is_array()) return as_array().size();
  if (is_object()) return members().size();
  return 0;
}

// --- ObjectBuilder -----------------------------------------------------------------------------------------

ObjectBuilder::ObjectBuilder(const Value& object) {
  if (!object.is_object()) return;
  members_ = object.members();
}

ObjectBuilder::ObjectBuilder() = default;
ObjectBuilder::ObjectBuilder(size_t expected) {
  members_.reserve(expected);
}
ObjectBuilder::~ObjectBuilder() = default;
ObjectBuilder::ObjectBuilder(ObjectBuilder&&) noexcept = default;
ObjectBuilder& ObjectBuilder::operator=(ObjectBuilder&&) noexcept = default;

void ObjectBuilder::build_index() {
  if (!index_) index_ = std::make_unique<detail::ObjectIndex>();
  index_->build(members_, members_.size());
}

const Value* ObjectBuilder::find(std::string_view key) const noexcept {
  if (index_) {
    int64_t at = index_->find(members_, key);
    return at < 0 ? nullptr : &members_[static_cast<size_t>(at)].value;
  }
  for (const Member& m : members_)
    if (m.key.as_string() == key) return &m.value;
  return nullptr;
}

ObjectBuilder& ObjectBuilder::set(Value key, Value value) {
  assert(key.is_string());
  if (!index_ && members_.size() > detail::kIndexThreshold) build_index();
  if (const Value* existing = find(key.as_string())) {
    const_cast<Value&>(*existing) = std::move(value);
    return *this;
  }
  return append_unique(std::move(key), std::move(value));
}

ObjectBuilder& ObjectBuilder::append_unique(Value key, Value value) {
  assert(key.is_string());
  members_.push_back(Member{std::move(key), std::move(value)});
  if (index_) index_->add(members_, static_cast<uint32_t>(members_.size() - 1));
  return *this;
}

ObjectBuilder& ObjectBuilder::erase(std::string_view key) {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].key.as_string() != key) continue;
    members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
    if (index_) build_index();
    break;
  }
  return *this;
}

Value ObjectBuilder::build() && {
  if (members_.empty()) return Value::empty_object();
  auto* n = new detail::ObjectNode();
  n->members = std::move(members_);
  if (index_) {
    n->index.store(index_.release(), std::memory_order_release);
  }
  return Value::from_node(Type::object, n);
}

// --- equality ----------------------------------------------------------------------------------------------

bool equal(const Value& a, const Value& b) noexcept {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::undefined:
    case Type::null:
      return true;
    case Type::boolean:
      return a.as_bool() == b.as_bool();
    case Type::number:
      return a.as_number() == b.as_number();
    case Type::string:
      return a.same_node(b) || a.as_string() == b.as_string();
    case Type::function:
      return a.same_node(b);
    case Type::array: {
      if (a.same_node(b)) return true;
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equal(x[i], y[i])) return false;
      return true;
    }
    case Type::object: {
      if (a.same_node(b)) return true;
      if (a.size() != b.size()) return false;
      for (const Member& m : a.members()) {
        const Value& other = b.get(m.name());
        if (other.is_undefined() || !equal(m.value, other)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace hookd::json
