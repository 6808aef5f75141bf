// Compile-time passes over the analysed tree, for the evaluator's fast paths (see Evaluator): paths of plain
// names, object constructors with literal keys, constant sub-expressions.
#include "jsonata/error.h"
#include "jsonata/evaluator.h"
#include "jsonata/functions.h"
#include "jsonata/parser.h"

namespace hookd::jsonata::detail {

namespace {

// Paths the evaluator may walk without sequences (see Evaluator::eval_simple_path).
void mark_simple_paths(Program& program) {
  auto plain = [](const Node* n) {
    return !n->has_stages && !n->has_predicate && !n->tuple && n->focus.is_undefined() &&
           n->index_name.is_undefined() && !n->group && !n->keep_array && !n->keep_singleton_array &&
           !n->ancestor && !n->consarray;
  };
  for (auto& node : program.nodes) {
    Node* p = node.get();
    if (p->kind != Kind::path || p->items.empty() || !plain(p)) continue;
    bool simple = true;
    for (size_t i = 0; i < p->items.size() && simple; ++i) {
      const Node* step = p->items[i];
      bool ok = step->kind == Kind::name || (i == 0 && step->kind == Kind::variable && p->items.size() >= 2);
      simple = ok && plain(step) && step->value.is_string();
    }
    p->simple_path = simple;
  }
}

// Object constructors whose keys are distinct string literals (and not integer-like, which JavaScript would
// order first): over a single value they need no grouping (see Evaluator::eval_unary).
void mark_literal_objects(Program& program) {
  for (auto& node : program.nodes) {
    Node* n = node.get();
    if (n->kind != Kind::unary || n->op != Op::object) continue;
    bool ok = true;
    for (size_t i = 0; i < n->pairs.size() && ok; ++i) {
      const Node* k = n->pairs[i].first;
      ok = k->kind == Kind::string && !k->has_predicate && !k->group && k->value.is_string();
      if (!ok) break;
      std::string_view key = k->value.as_string();
      bool digits = !key.empty() && key.size() <= 10 && (key.size() == 1 || key[0] != '0');
      for (char c : key)
        digits = digits && c >= '0' && c <= '9';
      ok = !digits && key != "_jsonata_lambda" && key != "_jsonata_function";
      for (size_t j = 0; j < i && ok; ++j)
        ok = n->pairs[j].first->value.as_string() != key;
    }
    n->literal_keys = ok;
  }
}

// Constant sub-expressions (literals combined by operators and array constructors, like the `[0..4]` in
// `items[[0..4]]`, which jsonata-js evaluates again for every item) are evaluated once, here. Whatever fails
// to evaluate (`1 + "a"`) is left alone so that its error still comes at evaluation, as in jsonata-js.
bool constant(const Node* n) {
  if (n->has_predicate || n->has_stages || n->group || n->keep_array || n->tuple ||
      !n->focus.is_undefined() || !n->index_name.is_undefined())
    return false;
  switch (n->kind) {
    case Kind::string:
    case Kind::number:
    case Kind::literal:
      return true;
    case Kind::unary:
      if (n->op == Op::neg) return constant(n->lhs);
      if (n->op == Op::array) {
        for (const Node* item : n->items)
          if (!constant(item)) return false;
        return true;
      }
      return false;
    case Kind::binary:
      if (n->op == Op::range) {
        // Only small ranges: a folded value lives as long as the expression.
        if (n->lhs->kind != Kind::number || n->rhs->kind != Kind::number) return false;
        double size = n->rhs->value.as_number() - n->lhs->value.as_number();
        return size < 1000;
      }
      if (n->op < Op::add || n->op > Op::in || !n->lhs || !n->rhs) return false;  // parse-tree operators
      return constant(n->lhs) && constant(n->rhs);
    default:
      return false;
  }
}

void fold_constants(Node* n, Evaluator& ev) {
  // Fold the largest constant sub-expressions; leaves need no folding.
  if (n->kind == Kind::string || n->kind == Kind::number || n->kind == Kind::literal) return;
  if (constant(n)) {
    try {
      n->folded_value = ev.eval(n, Value(), nullptr);
      n->folded = true;
    } catch (const JError&) {
    }
    return;
  }
}

void fold_all(Program& program) {
  static const FunctionTable no_functions;
  Limits limits;
  Evaluator ev(no_functions, limits, nullptr);
  for (auto& node : program.nodes) {
    Node* n = node.get();
    if (!n->folded && constant(n)) fold_constants(n, ev);
  }
}

}  // namespace

void optimize(Program& program) {
  mark_simple_paths(program);
  mark_literal_objects(program);
  fold_all(program);
}

}  // namespace hookd::jsonata::detail
