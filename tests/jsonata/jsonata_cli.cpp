// A command-line front end for trying expressions (not a test):
//
//   jsonata_cli 'expression' [input.json | -]      prints the result as JSON, or the error
//   jsonata_cli --batch < lines                     each line "expression<TAB>input JSON": one result per
//   line,
//                                                   in the form tools comparing with jsonata-js use
//                                                   (JSON, `undefined` or `error CODE POSITION "TOKEN"`)
#include <iostream>
#include <iterator>

#include "hookd/jsonata.h"
#include "lenient_json.h"

namespace {

int batch() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    std::string expr = line.substr(0, tab);
    hookd::json::Value input;
    if (tab != std::string::npos && tab + 1 < line.size()) {
      auto v = hookd::jsonata::testing::parse_lenient(line.substr(tab + 1));
      if (!v) {
        std::cout << "bad input\n";
        continue;
      }
      input = *v;
    }
    auto show_error = [](const hookd::jsonata::Error& e) {
      std::string token = e.token.empty() ? "null" : hookd::json::dump(hookd::json::Value(e.token));
      std::cout << "error " << e.code << " " << e.position << " " << token << "\n";
    };
    auto expr_r = hookd::jsonata::compile(expr);
    if (!expr_r.ok()) {
      show_error(expr_r.error());
      continue;
    }
    auto r = hookd::jsonata::evaluate(*expr_r.value(), input);
    if (!r.ok()) {
      show_error(r.error());
    } else if (r.value().is_undefined()) {
      std::cout << "undefined\n";
    } else {
      std::cout << hookd::json::dump(r.value()) << "\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--batch") return batch();
  if (argc < 2) {
    std::cerr << "usage: jsonata_cli 'expression' [input.json | -]\n";
    return 2;
  }
  hookd::json::Value input;
  if (argc > 2) {
    std::string text;
    if (std::string(argv[2]) == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      auto t = hookd::jsonata::testing::read_file(argv[2]);
      if (!t) {
        std::cerr << "cannot read " << argv[2] << "\n";
        return 2;
      }
      text = *t;
    }
    std::string err;
    auto v = hookd::jsonata::testing::parse_lenient(text, &err);
    if (!v) {
      std::cerr << "input: " << err << "\n";
      return 2;
    }
    input = *v;
  }
  auto expr = hookd::jsonata::compile(argv[1]);
  if (!expr.ok()) {
    const auto& e = expr.error();
    std::cout << "error " << e.code << " at " << e.position << ": " << e.message << "\n";
    return 1;
  }
  auto r = hookd::jsonata::evaluate(*expr.value(), input);
  if (!r.ok()) {
    const auto& e = r.error();
    std::cout << "error " << e.code << " at " << e.position << " token '" << e.token << "': " << e.message
              << "\n";
    return 1;
  }
  if (r.value().is_undefined())
    std::cout << "undefined\n";
  else
    std::cout << hookd::json::dump(r.value()) << "\n";
  return 0;
}
