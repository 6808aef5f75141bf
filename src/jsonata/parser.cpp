// Pratt parser with jsonata-js's symbols and binding powers. The tree it builds keeps jsonata-js's parse-tree
// shape (`.`, `[`, `{`, `^`, `:=`, `@`, `#`, `~>` are binary operators); analyze.cpp rewrites it.
#include "jsonata/parser.h"

#include <string>

#include "jsonata/error.h"
#include "jsonata/lexer.h"
#include "jsonata/regex.h"
#include "jsonata/signature.h"
#include "jsonata/stack.h"

namespace hookd::jsonata::detail {

namespace {

struct Symbol {
  const char* id;
  int lbp;
  Op op;
};

// Left binding powers as jsonata-js's symbol table ends up with them (symbols declared without one get 0).
constexpr Symbol kSymbols[] = {
    {".", 75, Op::dot},     {"[", 80, Op::filter},   {"]", 0, Op::none},         {"{", 70, Op::group},
    {"}", 0, Op::none},     {"(", 80, Op::none},     {")", 0, Op::none},         {",", 0, Op::none},
    {"@", 80, Op::focus},   {"#", 80, Op::index},    {";", 0, Op::none},         {":", 0, Op::none},
    {"?", 20, Op::none},    {"+", 50, Op::add},      {"-", 50, Op::sub},         {"*", 60, Op::mul},
    {"/", 60, Op::div},     {"%", 60, Op::mod},      {"|", 0, Op::none},         {"=", 40, Op::eq},
    {"<", 40, Op::lt},      {">", 40, Op::gt},       {"^", 40, Op::order_by},    {"**", 0, Op::none},
    {"..", 0, Op::none},    {":=", 10, Op::assign},  {"!=", 40, Op::ne},         {"<=", 40, Op::le},
    {">=", 40, Op::ge},     {"~>", 40, Op::chain},   {"?:", 40, Op::none},       {"??", 40, Op::none},
    {"and", 30, Op::and_},  {"or", 25, Op::or_},     {"in", 40, Op::in},         {"&", 50, Op::concat},
    {"(end)", 0, Op::none}, {"(name)", 0, Op::none}, {"(literal)", 0, Op::none}, {"(regex)", 0, Op::none},
};

const Symbol* find_symbol(std::string_view id) {
  for (const Symbol& s : kSymbols)
    if (id == s.id) return &s;
  return nullptr;
}

class Parser {
 public:
  Parser(Program& program, std::string_view source) : prog_(program), src_(source), lexer_(source) {}

  Node* run() {
    advance();
    Node* expr = expression(0);
    if (id_ != "(end)") throw error_at_current("S0201");
    return expr;
  }

 private:
  JError error_at_current(const char* code) {
    JError e(code);
    e.position = tok_.position;
    e.token = token_text();
    e.has_token = true;
    return e;
  }

  std::string token_text() const { return id_ == "(end)" ? "(end)" : tok_.text; }

  // Moves to the next token, first checking that the current one is `expected` (when given).
  void advance(std::string_view expected = {}, bool infix = false) {
    if (!expected.empty() && id_ != expected) {
      JError e(id_ == "(end)" ? "S0203" : "S0202");
      e.position = tok_.position;
      e.token = token_text();
      e.has_token = true;
      e.value = json::Value(expected);
      e.has_value = true;
      throw e;
    }
    tok_ = lexer_.next(infix);
    switch (tok_.type) {
      case Token::Type::end:
        id_ = "(end)";
        tok_.position = static_cast<int64_t>(src_.size());
        break;
      case Token::Type::name:
      case Token::Type::variable:
        id_ = "(name)";
        break;
      case Token::Type::string:
      case Token::Type::number:
      case Token::Type::value:
        id_ = "(literal)";
        break;
      case Token::Type::regex:
        id_ = "(regex)";
        break;
      case Token::Type::op:
        if (!find_symbol(tok_.text)) {
          JError e("S0204");
          e.position = tok_.position;
          e.token = tok_.text;
          e.has_token = true;
          throw e;
        }
        id_ = tok_.text;
        break;
    }
    sym_ = find_symbol(id_);
  }

  int lbp() const { return sym_ ? sym_->lbp : 0; }

  Node* expression(int rbp) {
    if (++nesting_ > kMaxNesting || stack_exhausted()) {
      JError e("U1001");
      e.message = "The expression is nested too deeply";
      e.message_is_final = true;
      e.position = tok_.position;
      throw e;
    }
    std::string id = id_;
    Token t = tok_;
    advance({}, true);
    Node* left = nud(id, t);
    while (rbp < lbp()) {
      id = id_;
      t = tok_;
      advance();
      left = led(id, t, left);
    }
    --nesting_;
    return left;
  }

  Node* terminal(const Token& t) {
    Node* n = nullptr;
    switch (t.type) {
      case Token::Type::name:
        n = prog_.make(Kind::name, t.position);
        break;
      case Token::Type::variable:
        n = prog_.make(Kind::variable, t.position);
        break;
      case Token::Type::string:
        n = prog_.make(Kind::string, t.position);
        break;
      case Token::Type::number:
        n = prog_.make(Kind::number, t.position);
        break;
      case Token::Type::value:
        n = prog_.make(Kind::literal, t.position);
        break;
      case Token::Type::regex: {
        n = prog_.make(Kind::regex, t.position);
        n->regex = compile_regex(t.text, t.flags, t.position);
        n->value = json::Value(t.text);
        return n;
      }
      case Token::Type::op:
        n = prog_.make(Kind::name, t.position);
        break;  // and/or/in used as names
      case Token::Type::end:
        n = prog_.make(Kind::end, t.position);
        n->value = json::Value("(end)");
        return n;
    }
    n->value = t.type == Token::Type::string || t.type == Token::Type::number || t.type == Token::Type::value
                   ? t.value
                   : prog_.intern(t.text);
    return n;
  }

  Node* nud(const std::string& id, const Token& t) {
    if (id == "(name)" || id == "(literal)" || id == "(regex)" || id == "(end)" || id == "and" ||
        id == "or" || id == "in")
      return terminal(t);
    if (id == "-") {
      Node* n = prog_.make(Kind::unary, t.position);
      n->op = Op::neg;
      n->value = json::Value("-");
      n->lhs = expression(70);
      return n;
    }
    if (id == "*") return prog_.make(Kind::wildcard, t.position);
    if (id == "**") return prog_.make(Kind::descendant, t.position);
    if (id == "%") return prog_.make(Kind::parent, t.position);
    if (id == "(") {
      Node* n = prog_.make(Kind::block, t.position);
      while (id_ != ")") {
        n->items.push_back(expression(0));
        if (id_ != ";") break;
        advance(";");
      }
      advance(")", true);
      return n;
    }
    if (id == "[") {
      Node* n = prog_.make(Kind::unary, t.position);
      n->op = Op::array;
      n->value = json::Value("[");
      if (id_ != "]") {
        for (;;) {
          Node* item = expression(0);
          if (id_ == "..") {
            Node* range = prog_.make(Kind::binary, tok_.position);
            range->op = Op::range;
            range->value = json::Value("..");
            range->lhs = item;
            advance("..");
            range->rhs = expression(0);
            item = range;
          }
          n->items.push_back(item);
          if (id_ != ",") break;
          advance(",");
        }
      }
      advance("]", true);
      return n;
    }
    if (id == "{") {
      Node* n = prog_.make(Kind::unary, t.position);
      n->op = Op::object;
      n->value = json::Value("{");
      n->pairs = object_pairs();
      return n;
    }
    if (id == "|") {
      Node* n = prog_.make(Kind::transform, t.position);
      n->cond = expression(0);
      advance("|");
      n->then = expression(0);
      if (id_ == ",") {
        advance(",");
        n->els = expression(0);
      }
      advance("|");
      return n;
    }
    JError e("S0211");
    e.position = t.position;
    e.token = t.text;
    e.has_token = true;
    throw e;
  }

  std::vector<std::pair<Node*, Node*>> object_pairs() {
    std::vector<std::pair<Node*, Node*>> pairs;
    if (id_ != "}") {
      for (;;) {
        Node* k = expression(0);
        advance(":");
        Node* v = expression(0);
        pairs.emplace_back(k, v);
        if (id_ != ",") break;
        advance(",");
      }
    }
    advance("}", true);
    return pairs;
  }

  Node* binary(const std::string& id, const Token& t, Op op, Node* left) {
    Node* n = prog_.make(Kind::binary, t.position);
    n->op = op;
    n->value = json::Value(id);
    n->lhs = left;
    return n;
  }

  Node* led(const std::string& id, const Token& t, Node* left) {
    if (id == "??") {
      Node* n = prog_.make(Kind::condition, t.position);
      Node* call = prog_.make(Kind::function);
      call->procedure = prog_.make(Kind::variable);
      call->procedure->value = json::Value("exists");
      call->items.push_back(clone_parse_tree(prog_, left));
      n->cond = call;
      n->then = left;
      n->els = expression(0);
      return n;
    }
    if (id == "?:") {
      Node* n = prog_.make(Kind::condition, t.position);
      n->cond = clone_parse_tree(prog_, left);
      n->then = left;
      n->els = expression(0);
      return n;
    }
    if (id == "?") {
      Node* n = prog_.make(Kind::condition, t.position);
      n->cond = left;
      n->then = expression(0);
      if (id_ == ":") {
        advance(":");
        n->els = expression(0);
      }
      return n;
    }
    if (id == "(") return call(t, left);
    if (id == "[") {
      if (id_ == "]") {
        Node* step = left;
        while (step->kind == Kind::binary && step->op == Op::filter)
          step = step->lhs;
        step->keep_array = true;
        advance("]");
        return left;
      }
      Node* n = binary(id, t, Op::filter, left);
      n->rhs = expression(0);
      advance("]", true);
      return n;
    }
    if (id == "^") {
      Node* n = binary(id, t, Op::order_by, left);
      advance("(");
      for (;;) {
        SortTerm term;
        if (id_ == "<") {
          advance("<");
        } else if (id_ == ">") {
          term.descending = true;
          advance(">");
        }
        term.expr = expression(0);
        n->terms.push_back(term);
        if (id_ != ",") break;
        advance(",");
      }
      advance(")");
      return n;
    }
    if (id == "{") {
      Node* n = binary(id, t, Op::group, left);
      n->pairs = object_pairs();
      return n;
    }
    if (id == ":=") {
      if (left->kind != Kind::variable) {
        JError e("S0212");
        e.position = left->position;
        e.token = left->value.is_string() ? std::string(left->value.as_string()) : json::dump(left->value);
        e.has_token = true;
        throw e;
      }
      Node* n = binary(id, t, Op::assign, left);
      n->rhs = expression(10 - 1);  // right associative
      return n;
    }
    if (id == "@" || id == "#") {
      Node* n = binary(id, t, id == "@" ? Op::focus : Op::index, left);
      n->rhs = expression(80);
      if (n->rhs->kind != Kind::variable) {
        JError e("S0214");
        e.position = n->rhs->position;
        e.token = id;
        e.has_token = true;
        throw e;
      }
      return n;
    }
    const Symbol* s = find_symbol(id);
    Node* n = binary(id, t, s->op, left);
    n->rhs = expression(s->lbp);
    return n;
  }

  Node* call(const Token& t, Node* left) {
    Node* n = prog_.make(Kind::function, t.position);
    n->procedure = left;
    if (id_ != ")") {
      for (;;) {
        if (tok_.type == Token::Type::op && id_ == "?") {
          n->kind = Kind::partial;
          Node* ph = prog_.make(Kind::placeholder, tok_.position);
          ph->value = json::Value("?");
          n->items.push_back(ph);
          advance("?");
        } else {
          n->items.push_back(expression(0));
        }
        if (id_ != ",") break;
        advance(",");
      }
    }
    advance(")", true);
    if (left->kind != Kind::name || !left->value.is_string() ||
        (left->value.as_string() != "function" && left->value.as_string() != "\u03BB"))
      return n;

    // A lambda: function($a, $b)<signature>{ body }
    for (size_t i = 0; i < n->items.size(); ++i) {
      const Node* arg = n->items[i];
      if (arg->kind != Kind::variable) {
        JError e("S0208");
        e.position = arg->position;
        e.token = arg->value.is_string() ? std::string(arg->value.as_string()) : json::dump(arg->value);
        e.has_token = true;
        e.value = json::Value(static_cast<int>(i + 1));
        e.has_value = true;
        throw e;
      }
      n->params.push_back(arg->value);
    }
    n->kind = Kind::lambda;
    n->items.clear();
    if (id_ == "<") {
      int64_t sig_pos = tok_.position;
      int depth = 1;
      std::string sig = "<";
      while (depth > 0 && id_ != "{" && id_ != "(end)") {
        advance();
        if (id_ == ">") {
          --depth;
        } else if (id_ == "<") {
          ++depth;
        }
        sig += tok_.type == Token::Type::number ? json::dump(tok_.value) : tok_.text;
      }
      advance(">");
      try {
        n->signature = parse_signature(sig);
      } catch (JError& e) {
        e.position = sig_pos + (e.position < 0 ? 0 : e.position);
        throw;
      }
    }
    advance("{");
    n->body = expression(0);
    advance("}");
    return n;
  }

  static constexpr int kMaxNesting = 2000;

  Program& prog_;
  std::string_view src_;
  Lexer lexer_;
  Token tok_;
  std::string id_;
  const Symbol* sym_ = nullptr;
  int nesting_ = 0;
};

}  // namespace

Node* parse(Program& program, std::string_view source) {
  return Parser(program, source).run();
}

Node* clone_parse_tree(Program& program, const Node* node) {
  if (!node) return nullptr;
  Node* c = program.make(node->kind, node->position);
  c->op = node->op;
  c->value = node->value;
  c->lhs = clone_parse_tree(program, node->lhs);
  c->rhs = clone_parse_tree(program, node->rhs);
  for (const Node* item : node->items)
    c->items.push_back(clone_parse_tree(program, item));
  for (const auto& [k, v] : node->pairs)
    c->pairs.emplace_back(clone_parse_tree(program, k), clone_parse_tree(program, v));
  for (const SortTerm& t : node->terms)
    c->terms.push_back({t.descending, clone_parse_tree(program, t.expr)});
  c->procedure = clone_parse_tree(program, node->procedure);
  c->cond = clone_parse_tree(program, node->cond);
  c->then = clone_parse_tree(program, node->then);
  c->els = clone_parse_tree(program, node->els);
  c->params = node->params;
  c->signature = node->signature;
  c->body = clone_parse_tree(program, node->body);
  c->regex = node->regex;
  c->keep_array = node->keep_array;
  return c;
}

std::shared_ptr<Program> compile_program(std::string_view source) {
  auto program = std::make_shared<Program>();
  program->source = std::string(source);
  Node* tree = parse(*program, program->source);
  program->root = analyze(*program, tree);
  optimize(*program);
  return program;
}

}  // namespace hookd::jsonata::detail
