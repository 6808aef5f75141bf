// jsonata-js's post-parse stage (processAST), step for step: location paths become lists of steps, predicates
// become stages, `@`/`#` bindings and `%` references turn steps into tuple-stream steps, and the last call in
// a lambda body becomes a thunk for the trampoline.
#include <string>

#include "jsonata/error.h"
#include "jsonata/parser.h"
#include "jsonata/stack.h"

namespace hookd::jsonata::detail {

namespace {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::name:
      return "name";
    case Kind::variable:
      return "variable";
    case Kind::string:
      return "string";
    case Kind::number:
      return "number";
    case Kind::literal:
      return "value";
    case Kind::regex:
      return "regex";
    case Kind::wildcard:
      return "wildcard";
    case Kind::descendant:
      return "descendant";
    case Kind::parent:
      return "parent";
    case Kind::placeholder:
      return "operator";
    case Kind::end:
      return "(end)";
    case Kind::binary:
      return "binary";
    case Kind::unary:
      return "unary";
    case Kind::function:
      return "function";
    case Kind::partial:
      return "partial";
    case Kind::lambda:
      return "lambda";
    case Kind::condition:
      return "condition";
    case Kind::block:
      return "block";
    case Kind::transform:
      return "transform";
    case Kind::path:
      return "path";
    case Kind::bind:
      return "bind";
    case Kind::apply:
      return "apply";
    case Kind::sort:
      return "sort";
  }
  return "unknown";
}

JError error(const char* code, const Node* at) {
  JError e(code);
  e.position = at ? at->position : -1;
  return e;
}

class Analyzer {
 public:
  explicit Analyzer(Program& program) : prog_(program) {}

  Node* run(Node* tree) {
    Node* result = process(tree);
    if (result->kind == Kind::parent || result->seeking_parent) {
      JError e = error("S0217", result);
      e.token = kind_name(result->kind);
      e.has_token = true;
      throw e;
    }
    return result;
  }

 private:
  Node* path_of(Node* step) {
    Node* p = prog_.make(Kind::path);
    p->items.push_back(step);
    return p;
  }

  Slot* seek_parent(Node* node, Slot* slot) {
    switch (node->kind) {
      case Kind::name:
      case Kind::wildcard:
        if (--slot->level == 0) {
          if (node->ancestor)
            ancestry_[static_cast<size_t>(slot->index)]->slot->label = node->ancestor->label;
          node->ancestor = slot;
          node->tuple = true;
        }
        break;
      case Kind::parent:
        ++slot->level;
        break;
      case Kind::block:
        if (!node->items.empty()) {
          node->tuple = true;
          slot = seek_parent(node->items.back(), slot);
        }
        break;
      case Kind::path: {
        node->tuple = true;
        int64_t index = static_cast<int64_t>(node->items.size()) - 1;
        slot = seek_parent(node->items[static_cast<size_t>(index--)], slot);
        while (slot->level > 0 && index >= 0)
          slot = seek_parent(node->items[static_cast<size_t>(index--)], slot);
        break;
      }
      default: {
        JError e = error("S0217", node);
        e.token = kind_name(node->kind);
        e.has_token = true;
        throw e;
      }
    }
    return slot;
  }

  void push_ancestry(Node* result, Node* value) {
    if (!value->seeking_parent && value->kind != Kind::parent) return;
    SlotList slots = value->seeking_parent ? value->seeking_parent : std::make_shared<std::vector<Slot*>>();
    if (value->kind == Kind::parent) slots->push_back(value->slot);
    if (!result->seeking_parent)
      result->seeking_parent = slots;
    else
      result->seeking_parent->insert(result->seeking_parent->end(), slots->begin(), slots->end());
  }

  void resolve_ancestry(Node* path) {
    Node* last = path->items.back();
    SlotList slots = last->seeking_parent ? last->seeking_parent : std::make_shared<std::vector<Slot*>>();
    if (last->kind == Kind::parent) slots->push_back(last->slot);
    for (size_t is = 0; is < slots->size(); ++is) {
      Slot* slot = (*slots)[is];
      int64_t index = static_cast<int64_t>(path->items.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          if (!path->seeking_parent) path->seeking_parent = std::make_shared<std::vector<Slot*>>();
          path->seeking_parent->push_back(slot);
          break;
        }
        Node* step = path->items[static_cast<size_t>(index--)];
        // contiguous steps that bind the focus count as one
        while (index >= 0 && !step->focus.is_undefined() &&
               !path->items[static_cast<size_t>(index)]->focus.is_undefined())
          step = path->items[static_cast<size_t>(index--)];
        slot = seek_parent(step, slot);
      }
    }
  }

  Node* tail_call_optimize(Node* expr) {
    if (expr->kind == Kind::function && !expr->has_predicate) {
      Node* thunk = prog_.make(Kind::lambda, expr->position);
      thunk->thunk = true;
      thunk->body = expr;
      return thunk;
    }
    if (expr->kind == Kind::condition) {
      expr->then = tail_call_optimize(expr->then);
      if (expr->els) expr->els = tail_call_optimize(expr->els);
    } else if (expr->kind == Kind::block && !expr->items.empty()) {
      expr->items.back() = tail_call_optimize(expr->items.back());
    }
    return expr;
  }

  Node* process(Node* expr) {
    if (stack_exhausted()) {
      JError e = error("U1001", expr);
      e.message = "The expression is nested too deeply";
      e.message_is_final = true;
      throw e;
    }
    Node* result = nullptr;
    switch (expr->kind) {
      case Kind::binary:
        result = process_binary(expr);
        break;
      case Kind::unary: {
        result = prog_.make(Kind::unary, expr->position);
        result->op = expr->op;
        result->value = expr->value;
        if (expr->op == Op::array) {
          for (Node* item : expr->items) {
            Node* v = process(item);
            push_ancestry(result, v);
            result->items.push_back(v);
          }
        } else if (expr->op == Op::object) {
          for (auto& [k, v] : expr->pairs) {
            Node* key = process(k);
            push_ancestry(result, key);
            Node* value = process(v);
            push_ancestry(result, value);
            result->pairs.emplace_back(key, value);
          }
        } else {
          result->lhs = process(expr->lhs);
          if (expr->op == Op::neg && result->lhs->kind == Kind::number) {
            Node* number = result->lhs;
            number->value = json::Value(-number->value.as_number());
            result = number;
          } else {
            push_ancestry(result, result->lhs);
          }
        }
        break;
      }
      case Kind::function:
      case Kind::partial: {
        result = prog_.make(expr->kind, expr->position);
        result->value = expr->value;
        for (Node* arg : expr->items) {
          Node* a = process(arg);
          push_ancestry(result, a);
          result->items.push_back(a);
        }
        result->procedure = process(expr->procedure);
        break;
      }
      case Kind::lambda:
        result = prog_.make(Kind::lambda, expr->position);
        result->params = expr->params;
        result->signature = expr->signature;
        result->body = tail_call_optimize(process(expr->body));
        break;
      case Kind::condition:
        result = prog_.make(Kind::condition, expr->position);
        result->cond = process(expr->cond);
        push_ancestry(result, result->cond);
        result->then = process(expr->then);
        push_ancestry(result, result->then);
        if (expr->els) {
          result->els = process(expr->els);
          push_ancestry(result, result->els);
        }
        break;
      case Kind::transform:
        result = prog_.make(Kind::transform, expr->position);
        result->cond = process(expr->cond);
        result->then = process(expr->then);
        if (expr->els) result->els = process(expr->els);
        break;
      case Kind::block:
        result = prog_.make(Kind::block, expr->position);
        for (Node* item : expr->items) {
          Node* part = process(item);
          push_ancestry(result, part);
          if (part->consarray || (part->kind == Kind::path && part->items[0]->consarray))
            result->consarray = true;
          result->items.push_back(part);
        }
        break;
      case Kind::name:
        result = path_of(expr);
        if (expr->keep_array) result->keep_singleton_array = true;
        break;
      case Kind::parent: {
        result = prog_.make(Kind::parent);
        Slot* slot = prog_.make_slot();
        slot->label = "!" + std::to_string(ancestor_label_++);
        slot->level = 1;
        slot->index = ancestor_index_++;
        result->slot = slot;
        ancestry_.push_back(result);
        break;
      }
      case Kind::variable:
        result = expr;
        break;
      case Kind::string:
      case Kind::number:
      case Kind::literal:
      case Kind::wildcard:
      case Kind::descendant:
      case Kind::regex:
      case Kind::placeholder:
        result = expr;
        break;
      case Kind::end:
      default: {
        JError e = error(expr->kind == Kind::end ? "S0207" : "S0206", expr);
        e.token = expr->value.is_string() ? std::string(expr->value.as_string()) : std::string();
        e.has_token = true;
        throw e;
      }
    }
    if (expr->keep_array) result->keep_array = true;
    return result;
  }

  Node* process_binary(Node* expr) {
    Node* result = nullptr;
    switch (expr->op) {
      case Op::dot: {
        Node* lstep = process(expr->lhs);
        result = lstep->kind == Kind::path ? lstep : path_of(lstep);
        if (lstep->kind == Kind::parent) {
          result->seeking_parent = std::make_shared<std::vector<Slot*>>();
          result->seeking_parent->push_back(lstep->slot);
        }
        Node* rest = process(expr->rhs);
        if (rest->kind == Kind::path) {
          result->items.insert(result->items.end(), rest->items.begin(), rest->items.end());
        } else {
          if (rest->has_predicate) {
            rest->stages = std::move(rest->predicate);
            rest->predicate.clear();
            rest->has_stages = true;
            rest->has_predicate = false;
          }
          result->items.push_back(rest);
        }
        for (Node* step : result->items) {
          if (step->kind == Kind::number || step->kind == Kind::literal) {
            JError e = error("S0213", step);
            e.value = step->value;
            e.has_value = true;
            throw e;
          }
          if (step->kind == Kind::string) step->kind = Kind::name;
        }
        for (Node* step : result->items)
          if (step->keep_array) result->keep_singleton_array = true;
        Node* first = result->items.front();
        if (first->kind == Kind::unary && first->op == Op::array) first->consarray = true;
        Node* last = result->items.back();
        if (last->kind == Kind::unary && last->op == Op::array) last->consarray = true;
        resolve_ancestry(result);
        break;
      }
      case Op::filter: {
        result = process(expr->lhs);
        Node* step = result;
        bool stages = false;
        if (result->kind == Kind::path) {
          step = result->items.back();
          stages = true;
        }
        if (step->group) throw error("S0209", expr);
        Node* predicate = process(expr->rhs);
        if (predicate->seeking_parent) {
          for (Slot* slot : *predicate->seeking_parent) {
            if (slot->level == 1)
              seek_parent(step, slot);
            else
              --slot->level;
          }
          push_ancestry(step, predicate);
        }
        Stage stage;
        stage.expr = predicate;
        stage.position = expr->position;
        if (stages) {
          step->stages.push_back(stage);
          step->has_stages = true;
        } else {
          step->predicate.push_back(stage);
          step->has_predicate = true;
        }
        break;
      }
      case Op::group: {
        result = process(expr->lhs);
        if (result->group) throw error("S0210", expr);
        auto group = std::make_unique<GroupBy>();
        group->position = expr->position;
        for (auto& [k, v] : expr->pairs) {
          Node* key = process(k);
          Node* value = process(v);
          group->pairs.emplace_back(key, value);
        }
        result->group = std::move(group);
        break;
      }
      case Op::order_by: {
        result = process(expr->lhs);
        if (result->kind != Kind::path) result = path_of(result);
        Node* sort = prog_.make(Kind::sort, expr->position);
        for (const SortTerm& t : expr->terms) {
          Node* e = process(t.expr);
          push_ancestry(sort, e);
          sort->terms.push_back({t.descending, e});
        }
        result->items.push_back(sort);
        resolve_ancestry(result);
        break;
      }
      case Op::assign:
        result = prog_.make(Kind::bind, expr->position);
        result->value = expr->value;
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        push_ancestry(result, result->rhs);
        break;
      case Op::focus: {
        result = process(expr->lhs);
        Node* step = result->kind == Kind::path ? result->items.back() : result;
        if (step->has_stages || step->has_predicate) throw error("S0215", expr);
        if (step->kind == Kind::sort) throw error("S0216", expr);
        if (expr->keep_array) step->keep_array = true;
        step->focus = expr->rhs->value;
        step->tuple = true;
        break;
      }
      case Op::index: {
        result = process(expr->lhs);
        Node* step = result;
        if (result->kind == Kind::path) {
          step = result->items.back();
        } else {
          result = path_of(result);
          if (step->has_predicate) {
            step->stages = std::move(step->predicate);
            step->predicate.clear();
            step->has_stages = true;
            step->has_predicate = false;
          }
        }
        if (!step->has_stages) {
          step->index_name = expr->rhs->value;
        } else {
          Stage stage;
          stage.type = Stage::Type::index;
          stage.name = expr->rhs->value;
          stage.position = expr->position;
          step->stages.push_back(stage);
        }
        step->tuple = true;
        break;
      }
      case Op::chain:
        result = prog_.make(Kind::apply, expr->position);
        result->value = expr->value;
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        result->keep_array = result->lhs->keep_array || result->rhs->keep_array;
        break;
      default:
        result = prog_.make(Kind::binary, expr->position);
        result->op = expr->op;
        result->value = expr->value;
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        push_ancestry(result, result->lhs);
        push_ancestry(result, result->rhs);
        break;
    }
    return result;
  }

  Program& prog_;
  int ancestor_label_ = 0;
  int ancestor_index_ = 0;
  std::vector<Node*> ancestry_;
};

}  // namespace

Node* analyze(Program& program, Node* parse_tree) {
  return Analyzer(program).run(parse_tree);
}

}  // namespace hookd::jsonata::detail
