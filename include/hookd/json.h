// hookd's value model: an immutable, reference-counted JSON tree shared by the pipeline and the JSONata
// engine.
//
// A Value is a 16-byte handle (type, a few tag bits, and a bool, a double or a pointer to a shared node).
// Copying a Value bumps a reference count, it never copies the tree: a path step, a filter or a transform
// that keeps part of its input hands out handles to the same nodes. Nodes never change after they are built,
// so one Value can be read by many threads at once (reference counts are atomic).
//
// Numbers are doubles, as in JavaScript. An integer literal that a double cannot hold exactly (a 64-bit
// vendor id such as 820982911946154508, or one beyond 64 bits) keeps its original digits too: it computes as
// the nearest double but is written back exactly as received, so ids pass through hookd unchanged.
//
// Besides the JSON types there is `undefined` (JSONata's "nothing", distinct from null: a missing field, an
// empty sequence) and `function` (a JSONata lambda or built-in; the engine subclasses json::Function).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookd::json {

enum class Type : uint8_t { undefined, null, boolean, number, string, array, object, function };

// Name of a type as JSONata's error messages spell it ("string", "number", ...).
std::string_view type_name(Type t) noexcept;

class Value;
class Function;

namespace detail {
struct Node {
  mutable std::atomic<uint32_t> refs{1};
};
struct StringNode;
struct ArrayNode;
struct ObjectNode;
class ObjectIndex;
}  // namespace detail

struct Member;

class Value {
 public:
  Value() noexcept : type_(Type::undefined), tag_(0), boxed_(0), u_{} {}
  Value(std::nullptr_t) noexcept : type_(Type::null), tag_(0), boxed_(0), u_{} {}
  Value(bool b) noexcept : type_(Type::boolean), tag_(0), boxed_(0), u_{} { u_.b = b; }
  Value(double n) noexcept : type_(Type::number), tag_(0), boxed_(0), u_{} { u_.n = n; }
  Value(int n) noexcept : Value(static_cast<double>(n)) {}
  Value(int64_t n) noexcept : Value(static_cast<double>(n)) {}
  Value(uint64_t n) noexcept : Value(static_cast<double>(n)) {}
  Value(std::string_view s);
  // A number with its literal digits (see above); `value` is the nearest double.
  static Value number_with_text(double value, std::string_view digits);
  Value(const char* s) : Value(std::string_view(s)) {}
  Value(const std::string& s) : Value(std::string_view(s)) {}

  static Value null() noexcept { return Value(nullptr); }
  static Value array(std::vector<Value> items);
  static Value empty_array();
  static Value empty_object();
  // Takes a Function allocated with `new` (refcount 1) and owns it.
  static Value adopt_function(const Function* fn) noexcept;

  Value(const Value& o) noexcept : type_(o.type_), tag_(o.tag_), boxed_(o.boxed_), u_(o.u_) { retain(); }
  Value(Value&& o) noexcept : type_(o.type_), tag_(o.tag_), boxed_(o.boxed_), u_(o.u_) {
    o.type_ = Type::undefined;
    o.tag_ = 0;
    o.boxed_ = 0;
  }
  Value& operator=(const Value& o) noexcept {
    if (this != &o) {
      o.retain();
      release();
      type_ = o.type_;
      tag_ = o.tag_;
      boxed_ = o.boxed_;
      u_ = o.u_;
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      release();
      type_ = o.type_;
      tag_ = o.tag_;
      boxed_ = o.boxed_;
      u_ = o.u_;
      o.type_ = Type::undefined;
      o.tag_ = 0;
      o.boxed_ = 0;
    }
    return *this;
  }
  ~Value() { release(); }

  Type type() const noexcept { return type_; }
  bool is_undefined() const noexcept { return type_ == Type::undefined; }
  bool is_null() const noexcept { return type_ == Type::null; }
  bool is_bool() const noexcept { return type_ == Type::boolean; }
  bool is_number() const noexcept { return type_ == Type::number; }
  bool is_string() const noexcept { return type_ == Type::string; }
  bool is_array() const noexcept { return type_ == Type::array; }
  bool is_object() const noexcept { return type_ == Type::object; }
  bool is_function() const noexcept { return type_ == Type::function; }
  // say what you mean: is_undefined(), truthiness is JSONata's
  explicit operator bool() const noexcept = delete;

  // Tag bits travel with the handle, not the node: the JSONata engine marks an array handle as a sequence
  // without copying the array. They are ignored by equality and serialization.
  uint8_t tag() const noexcept { return tag_; }
  Value with_tag(uint8_t t) const& {
    Value v(*this);
    v.tag_ = t;
    return v;
  }
  Value with_tag(uint8_t t) && {
    Value v(std::move(*this));
    v.tag_ = t;
    return v;
  }

  // Accessors. Calling one on a value of another type is a programming error (asserted in debug builds); the
  // *_or forms are for untrusted data.
  bool as_bool() const noexcept { return u_.b; }
  double as_number() const noexcept { return boxed_ ? boxed_number() : u_.n; }
  // The literal digits of a number that keeps them (see above); empty for every other value.
  std::string_view number_text() const noexcept;
  std::string_view as_string() const noexcept;
  const std::vector<Value>& as_array() const noexcept;
  const std::vector<Member>& members() const noexcept;
  const Function& as_function() const noexcept;

  std::string_view string_or(std::string_view fallback) const noexcept {
    return is_string() ? as_string() : fallback;
  }
  double number_or(double fallback) const noexcept { return is_number() ? as_number() : fallback; }
  bool bool_or(bool fallback) const noexcept { return is_bool() ? u_.b : fallback; }

  // Object member by key (undefined if absent or not an object). Large objects carry a hash index.
  const Value& get(std::string_view key) const noexcept;
  bool contains(std::string_view key) const noexcept { return !get(key).is_undefined(); }
  // Array element (undefined if out of range or not an array).
  const Value& at(size_t i) const noexcept;
  // Number of array elements or object members; 0 for anything else.
  size_t size() const noexcept;

  // The same node (or the same scalar): cheaper than deep equality, used to detect sharing.
  bool same_node(const Value& o) const noexcept {
    return type_ == o.type_ && (type_ >= Type::string || boxed_) && u_.p == o.u_.p;
  }

 private:
  friend class ObjectBuilder;
  friend struct detail::ObjectNode;
  static Value from_node(Type t, detail::Node* n) noexcept {
    Value v;
    v.type_ = t;
    v.u_.p = n;
    return v;
  }
  void retain() const noexcept {
    if (type_ >= Type::string || boxed_) u_.p->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() noexcept {
    if ((type_ >= Type::string || boxed_) && u_.p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
      destroy();
  }
  void destroy() noexcept;
  double boxed_number() const noexcept;

  Type type_;
  uint8_t tag_;
  uint8_t boxed_;  // a number held in a node with its digits
  union U {
    bool b;
    double n;
    detail::Node* p;
  } u_;
};
static_assert(sizeof(Value) == 16);

struct Member {
  Value key;  // always a string
  Value value;
  std::string_view name() const noexcept { return key.as_string(); }
};

// Base of JSONata functions (lambdas, built-ins, partial applications). Lives in the value model so a
// function can be passed around as a Value; the engine defines what calling one means.
class Function : public detail::Node {
 public:
  virtual ~Function() = default;
};

// Builds an object; keys keep their first insertion position and the last value set (JavaScript semantics).
class ObjectBuilder {
 public:
  ObjectBuilder();
  explicit ObjectBuilder(size_t expected);
  // Starts from an existing object's members (copies the handles, not the values).
  explicit ObjectBuilder(const Value& object);
  ~ObjectBuilder();
  ObjectBuilder(ObjectBuilder&&) noexcept;
  ObjectBuilder& operator=(ObjectBuilder&&) noexcept;

  // Sets key to value, replacing an earlier value for the same key in place.
  ObjectBuilder& set(Value key, Value value);
  ObjectBuilder& set(std::string_view key, Value value) { return set(Value(key), std::move(value)); }
  ObjectBuilder& set(const char* key, Value value) { return set(Value(key), std::move(value)); }
  ObjectBuilder& set(const std::string& key, Value value) { return set(Value(key), std::move(value)); }
  // Appends without checking for an earlier equal key: only when the caller knows keys are unique.
  ObjectBuilder& append_unique(Value key, Value value);
  // Removes key if present (keeps the order of the others).
  ObjectBuilder& erase(std::string_view key);
  const Value* find(std::string_view key) const noexcept;
  size_t size() const noexcept { return members_.size(); }
  bool empty() const noexcept { return members_.empty(); }

  Value build() &&;

 private:
  void build_index();
  std::vector<Member> members_;
  std::unique_ptr<detail::ObjectIndex> index_;
};

// Deep equality as JSONata's deepEquals: numbers by value, objects as key sets, arrays by position. Tags
// ignored; functions compare by identity.
bool equal(const Value& a, const Value& b) noexcept;

// --- JSON text ---------------------------------------------------------------------------------------------

struct ParseError {
  // What is wrong, in terms of the document: "expected ',' or '}'", "invalid UTF-8", ...
  std::string message;
  size_t offset = 0;  // byte offset of the problem in the text (0 when unknown)
  // "expected ',' or '}' at byte 17".
  std::string describe() const { return message + " at byte " + std::to_string(offset); }
};

// Parses JSON text (RFC 8259) into a Value. Returns false and fills `error` on malformed input; `out`
// untouched. Objects with duplicate keys keep the last value. Depth is limited by simdjson's default (1024).
bool parse(std::string_view text, Value& out, ParseError* error = nullptr);

// Serializes like JavaScript's JSON.stringify: numbers in JavaScript's shortest form (1e+21, 0.1, -0 -> 0),
// non-finite numbers as null, undefined and functions skipped in objects and written as null in arrays. A
// top-level undefined writes nothing.
void write(std::string& out, const Value& v);
std::string dump(const Value& v);
// dump(v).size(), without keeping the text.
size_t dumped_size(const Value& v);

namespace detail {
std::string* borrow_scratch() noexcept;  // null while this thread's buffer is lent out
void release_scratch() noexcept;
}  // namespace detail

// The text `write(std::string&)` appends to an empty string, written in a buffer kept per thread and copied
// out once at its size (a string grown by appending is reallocated and copied at every doubling).
template <typename Write>
std::string build_text(Write&& write) {
  std::string* buf = detail::borrow_scratch();
  if (buf == nullptr) {
    std::string out;
    write(out);
    return out;
  }
  struct Release {
    ~Release() { detail::release_scratch(); }
  } release;
  write(*buf);
  return std::string(*buf);
}
// Pretty form with `indent` spaces (JSON.stringify(v, null, indent)).
std::string dump_pretty(const Value& v, int indent = 2);

// Appends `s` as a JSON string literal (with quotes and escapes).
void write_string(std::string& out, std::string_view s);
// Appends code point `cp` (at most U+10FFFF) as UTF-8: 1 to 4 bytes. What a surrogate becomes is the caller's
// decision.
void append_utf8(std::string& out, char32_t cp);

// Reads `text`, a JSON object, without building values: for each top-level member named in `names`, the
// member's value as the JSON text it is in `text` (a view into it) at the same index of `out`, or an empty
// view when there is none. False when `text` is not a JSON object. For a few fields of a large document.
bool raw_members(std::string_view text, std::span<const std::string_view> names,
                 std::span<std::string_view> out);
// Appends a number the way JavaScript's Number.prototype.toString does ("Infinity", "NaN" included).
void write_number(std::string& out, double d);

}  // namespace hookd::json
