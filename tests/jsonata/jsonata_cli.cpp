// A command-line front end for trying expressions (not a test):
//
//   jsonata_cli 'expression' [input.json | -]      prints the result as JSON, or the error
#include <iostream>
#include <iterator>

#include "hookd/jsonata.h"
#include "lenient_json.h"

int main(int argc, char** argv) {
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
