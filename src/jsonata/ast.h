// The syntax tree. The parser builds it (jsonata-js's parse tree: `.`, `[`, `{` as binary operators); the
// analyser (analyze.cpp, jsonata-js's processAST) rewrites it in place into the tree the evaluator runs:
// location paths flattened into steps, predicates and index bindings as stages, group-by and order-by
// attached to steps, tuple streams marked for `@`, `#` and `%`, tail calls turned into thunks. After compile
// the tree never changes, so many threads may evaluate it at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hookd/json.h"

namespace hookd::jsonata::detail {

class Signature;
class Regex;

enum class Kind : uint8_t {
  // leaves
  name,         // field name (value: string)
  variable,     // $name (value: string without '$'; "" is the context, "$" the root)
  string,       // string literal
  number,       // number literal
  literal,      // true, false, null
  regex,        // /.../flags
  wildcard,     // *
  descendant,   // **
  parent,       // %
  placeholder,  // ? in a partial application's arguments
  end,          // end of input (only in the parse tree, for error reporting)
  // operators
  binary,     // op, lhs, rhs
  unary,      // op: neg (expr in lhs), array (items), object (pairs)
  function,   // procedure(args)
  partial,    // procedure(args with ?)
  lambda,     // function($a, $b)<sig>{ body }
  condition,  // cond ? then : els
  block,      // ( e1; e2; ... )
  transform,  // | pattern | update, delete |
  // produced by the analyser
  path,   // steps
  bind,   // $var := rhs (lhs is the variable)
  apply,  // lhs ~> rhs
  sort,   // order-by step: terms
};

enum class Op : uint8_t {
  none,
  // parse-tree only (the analyser removes them)
  dot,
  filter,
  group,
  order_by,
  assign,
  focus,
  index,
  chain,
  // evaluated
  add,
  sub,
  mul,
  div,
  mod,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  concat,
  and_,
  or_,
  in,
  range,
  // unary
  neg,
  array,
  object,
};

struct Node;

// A `%` (parent) reference: its label names the tuple binding that carries the ancestor.
struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};
using SlotList = std::shared_ptr<std::vector<Slot*>>;  // shared on purpose: jsonata-js aliases these arrays

struct Stage {
  enum class Type : uint8_t { filter, index } type = Type::filter;
  Node* expr = nullptr;  // filter
  json::Value name;      // index: the variable to bind
  int64_t position = 0;
};

struct GroupBy {
  std::vector<std::pair<Node*, Node*>> pairs;
  int64_t position = 0;
};

struct SortTerm {
  bool descending = false;
  Node* expr = nullptr;
};

struct Node {
  Kind kind = Kind::literal;
  Op op = Op::none;
  int64_t position = -1;  // -1: none (nodes the parser synthesizes)
  json::Value value;      // literal value, or the name of a name/variable
  // variable: the function of that name in the expression's function set, resolved when the expression is
  // compiled (used when no frame binds the name).
  const json::Value* resolved = nullptr;

  Node* lhs = nullptr;
  Node* rhs = nullptr;
  std::vector<Node*> items;                    // path steps, array items, block expressions, call arguments
  std::vector<std::pair<Node*, Node*>> pairs;  // object constructor (and group-by in the parse tree)
  std::vector<SortTerm> terms;                 // order-by
  Node* procedure = nullptr;                   // function, partial
  Node* cond = nullptr;                        // condition; transform: pattern
  Node* then = nullptr;                        // condition; transform: update
  Node* els = nullptr;                         // condition; transform: delete

  // lambda
  std::vector<json::Value> params;  // parameter names (without '$')
  std::shared_ptr<const Signature> signature;
  Node* body = nullptr;
  bool thunk = false;

  std::shared_ptr<const Regex> regex;

  // annotations the analyser adds to steps
  std::vector<Stage> predicate;  // filters applied by evaluate() to this node's value
  std::vector<Stage> stages;     // filters and index bindings applied per input item inside a path
  bool has_predicate = false;
  bool has_stages = false;
  std::unique_ptr<GroupBy> group;
  bool keep_array = false;            // `[]` after the step: keep singleton arrays
  bool keep_singleton_array = false;  // path
  bool consarray = false;             // array constructor first/last in a path: not flattened
  bool tuple = false;                 // evaluated as a tuple stream
  bool simple_path = false;           // path: only plain name steps (a variable may come first), nothing else
  bool literal_keys = false;          // object constructor: distinct string-literal keys, none integer-like
  bool folded = false;                // a constant expression, evaluated once when compiled: `folded_value`
  json::Value folded_value;
  json::Value focus;         // `@$v`: variable name
  json::Value index_name;    // `#$i`: variable name
  Slot* ancestor = nullptr;  // this step provides the parent for a `%`
  Slot* slot = nullptr;      // parent node
  SlotList seeking_parent;   // `%` references not yet resolved below this node
};

// A compiled expression's tree and what it owns.
struct Program {
  std::string source;
  Node* root = nullptr;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Slot>> slots;

  // One string node per distinct name, so that frames can match names by pointer.
  json::Value intern(const std::string& name) {
    auto it = names.find(name);
    if (it == names.end()) it = names.emplace(name, json::Value(name)).first;
    return it->second;
  }
  std::unordered_map<std::string, json::Value> names;

  Node* make(Kind kind, int64_t position = -1) {
    nodes.push_back(std::make_unique<Node>());
    Node* n = nodes.back().get();
    n->kind = kind;
    n->position = position;
    return n;
  }
  Slot* make_slot() {
    slots.push_back(std::make_unique<Slot>());
    return slots.back().get();
  }
};

}  // namespace hookd::jsonata::detail
