// Parser (Pratt's top-down operator precedence, with jsonata-js's binding powers) and the analyser that turns
// the parse tree into the evaluated tree (jsonata-js's processAST).
#pragma once

#include <memory>
#include <string_view>

#include "jsonata/ast.h"

namespace hookd::jsonata::detail {

// Parse tree of `source` into `program` (throws JError S0xxx).
Node* parse(Program& program, std::string_view source);
// Rewrites the parse tree (throws JError S02xx).
Node* analyze(Program& program, Node* parse_tree);

// Marks what the evaluator's fast paths may use and folds constant sub-expressions (optimize.cpp).
void optimize(Program& program);

// All three, into a new Program that keeps a copy of the source.
std::shared_ptr<Program> compile_program(std::string_view source);

// Deep copy of a parse-tree node (jsonata-js clones the left side of `?:` and `??` before analysis).
Node* clone_parse_tree(Program& program, const Node* node);

}  // namespace hookd::jsonata::detail
