#include "jsonata/error.h"

#include <cmath>

#include "jsonata/unicode.h"

#include <string_view>
#include <unordered_map>

namespace hookd::jsonata::detail {

namespace {

// jsonata-js's catalogue (jsonata.js `errorCodes`), plus the engine's own limit errors.
const std::unordered_map<std::string_view, std::string_view>& catalogue() {
  static const std::unordered_map<std::string_view, std::string_view> m = {
      {"S0101", "String literal must be terminated by a matching quote"},
      {"S0102", "Number out of range: {{token}}"},
      {"S0103", "Unsupported escape sequence: \\{{token}}"},
      {"S0104", "The escape sequence \\u must be followed by 4 hex digits"},
      {"S0105", "Quoted property name must be terminated with a backquote (`)"},
      {"S0106", "Comment has no closing tag"},
      {"S0201", "Syntax error: {{token}}"},
      {"S0202", "Expected {{value}}, got {{token}}"},
      {"S0203", "Expected {{value}} before end of expression"},
      {"S0204", "Unknown operator: {{token}}"},
      {"S0205", "Unexpected token: {{token}}"},
      {"S0206", "Unknown expression type: {{token}}"},
      {"S0207", "Unexpected end of expression"},
      {"S0208", "Parameter {{value}} of function definition must be a variable name (start with $)"},
      {"S0209", "A predicate cannot follow a grouping expression in a step"},
      {"S0210", "Each step can only have one grouping expression"},
      {"S0211", "The symbol {{token}} cannot be used as a unary operator"},
      {"S0212", "The left side of := must be a variable name (start with $)"},
      {"S0213", "The literal value {{value}} cannot be used as a step within a path expression"},
      {"S0214", "The right side of {{token}} must be a variable name (start with $)"},
      {"S0215", "A context variable binding must precede any predicates on a step"},
      {"S0216", "A context variable binding must precede the 'order-by' clause on a step"},
      {"S0217", "The object representing the 'parent' cannot be derived from this expression"},
      {"S0301", "Empty regular expressions are not allowed"},
      {"S0302", "No terminating / in regular expression"},
      {"S0402", "Choice groups containing parameterized types are not supported"},
      {"S0401", "Type parameters can only be applied to functions and arrays"},
      {"S0500", "Attempted to evaluate an expression containing syntax error(s)"},
      {"T0410", "Argument {{index}} of function {{token}} does not match function signature"},
      {"T0411", "Context value is not a compatible type with argument {{index}} of function {{token}}"},
      {"T0412", "Argument {{index}} of function {{token}} must be an array of {{type}}"},
      {"D1001", "Number out of range: {{value}}"},
      {"D1002", "Cannot negate a non-numeric value: {{value}}"},
      {"T1003", "Key in object structure must evaluate to a string; got: {{value}}"},
      {"D1004", "Regular expression matches zero length string"},
      {"T1005", "Attempted to invoke a non-function. Did you mean ${{{token}}}?"},
      {"T1006", "Attempted to invoke a non-function"},
      {"T1007", "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"},
      {"T1008", "Attempted to partially apply a non-function"},
      {"D1009", "Multiple key definitions evaluate to same key: {{value}}"},
      {"T1010",
       "The matcher function argument passed to function {{token}} does not return the correct object "
       "structure"},
      {"D1011",
       "Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive"},
      {"D1012", "Evaluation timeout after {{value}} milliseconds. Check for infinite loop"},
      {"D1013", "Object property names starting with _jsonata_ are reserved for internal use: {{value}}"},
      {"T2001", "The left side of the {{token}} operator must evaluate to a number"},
      {"T2002", "The right side of the {{token}} operator must evaluate to a number"},
      {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
      {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
      {"T2006", "The right side of the function application operator ~> must be a function"},
      {"T2007", "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"},
      {"T2008", "The expressions within an order-by clause must evaluate to numeric or string values"},
      {"T2009",
       "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type"},
      {"T2010",
       "The expressions either side of operator {{token}} must evaluate to numeric or string values"},
      {"T2011", "The insert/update clause of the transform expression must evaluate to an object: {{value}}"},
      {"T2012",
       "The delete clause of the transform expression must evaluate to a string or array of strings: "
       "{{value}}"},
      {"T2013",
       "The transform expression clones the input object using the $clone() function.  This has been "
       "overridden in "
       "the current scope by a non-function."},
      {"D2014",
       "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to "
       "allocate "
       "{{value}}."},
      {"D2015", "The maximum sequence length of {{value}} was exceeded."},
      {"D3001", "Attempting to invoke string function on Infinity or NaN"},
      {"D3010", "Second argument of replace function cannot be an empty string"},
      {"D3011", "Fourth argument of replace function must evaluate to a positive number"},
      {"D3012", "Attempted to replace a matched string with a non-string value"},
      {"D3020", "Third argument of split function must evaluate to a positive number"},
      {"D3030", "Unable to cast value to a number: {{value}}"},
      {"D3040", "Third argument of match function must evaluate to a positive number"},
      {"D3050", "The second argument of reduce function must be a function with at least two arguments"},
      {"D3060", "The sqrt function cannot be applied to a negative number: {{value}}"},
      {"D3061",
       "The power function has resulted in a value that cannot be represented as a JSON number: "
       "base={{value}}, "
       "exponent={{exp}}"},
      {"D3070",
       "The single argument form of the sort function can only be applied to an array of strings or an array "
       "of "
       "numbers.  Use the second argument to specify a comparison function"},
      {"D3100", "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"},
      {"D3110",
       "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}"},
      {"D3120", "Syntax error in expression passed to function eval: {{value}}"},
      {"D3121", "Dynamic error evaluating the expression passed to function eval: {{value}}"},
      {"D3137", "{{{message}}}"},
      {"D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more."},
      {"D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0."},
      {"D3140", "Malformed URL passed to ${{{functionName}}}(): {{value}}"},
      {"D3141", "{{{message}}}"},
  };
  return m;
}

}  // namespace

namespace {

// JSON.stringify, as the message templates apply it.
void stringify(std::string& out, const json::Value& v) {
  switch (v.type()) {
    case json::Type::undefined:
    case json::Type::function:
    case json::Type::null:
      out += "null";
      return;
    case json::Type::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case json::Type::number:
      if (std::isfinite(v.as_number()))
        json::write_number(out, v.as_number());
      else
        out += "null";
      return;
    case json::Type::string:
      write_js_string(out, v.as_string());
      return;
    case json::Type::array: {
      out.push_back('[');
      bool first = true;
      for (const json::Value& item : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        stringify(out, item);
      }
      out.push_back(']');
      return;
    }
    case json::Type::object: {
      out.push_back('{');
      bool first = true;
      for (const json::Member& m : v.members()) {
        if (m.value.is_undefined() || m.value.is_function()) continue;
        if (!first) out.push_back(',');
        first = false;
        write_js_string(out, m.name());
        out.push_back(':');
        stringify(out, m.value);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string stringify_for_message(const json::Value& v) {
  if (v.is_undefined() || v.is_function()) return "undefined";
  std::string out;
  stringify(out, v);
  return out;
}

namespace {

std::string field(const JError& e, std::string_view name, bool raw) {
  if (name == "value") return e.has_value ? stringify_for_message(e.value) : "undefined";
  if (name == "value2") return e.has_value2 ? stringify_for_message(e.value2) : "undefined";
  if (name == "exp") return stringify_for_message(e.exp);
  if (name == "index") return e.index ? std::to_string(e.index) : "undefined";
  if (name == "message") return e.message;
  if (name == "functionName") return e.function_name;
  std::string text;
  if (name == "token") {
    if (!e.has_token) return "undefined";
    text = e.token;
  } else if (name == "type") {
    text = e.type;
  }
  if (raw) return text;
  std::string out;
  write_js_string(out, text);
  return out;
}

}  // namespace

std::string message_for(const JError& e) {
  if (e.message_is_final) return e.message;
  auto it = catalogue().find(e.code);
  if (it == catalogue().end()) return e.message;
  std::string_view t = it->second;
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    bool triple = t.compare(i, 3, "{{{") == 0;
    if (triple || t.compare(i, 2, "{{") == 0) {
      size_t open = triple ? 3 : 2;
      size_t close = t.find(triple ? "}}}" : "}}", i + open);
      if (close != std::string_view::npos) {
        out += field(e, t.substr(i + open, close - i - open), triple);
        i = close + open;
        continue;
      }
    }
    out.push_back(t[i++]);
  }
  return out;
}

Error to_public(const JError& e) {
  Error out;
  out.code = e.code;
  out.message = message_for(e);
  out.position = e.position < 0 ? 0 : static_cast<size_t>(e.position);
  out.token = e.token;
  if (e.has_value) out.value = e.value;
  json::ObjectBuilder details;
  if (e.index) details.set("index", json::Value(e.index));
  if (e.has_value2) details.set("value2", e.value2);
  if (!e.type.empty()) details.set("type", json::Value(e.type));
  if (!e.exp.is_undefined()) details.set("exp", e.exp);
  if (!e.function_name.empty()) details.set("functionName", json::Value(e.function_name));
  if (!details.empty()) out.details = std::move(details).build();
  return out;
}

JError from_public(Error e) {
  JError out(std::move(e.code));
  out.message = std::move(e.message);
  out.message_is_final = true;
  if (e.position) out.position = static_cast<int64_t>(e.position);
  if (!e.token.empty()) {
    out.token = std::move(e.token);
    out.has_token = true;
  }
  if (!e.value.is_undefined()) {
    out.value = std::move(e.value);
    out.has_value = true;
  }
  if (e.details.is_object()) {
    const json::Value& fn = e.details.get("functionName");
    if (fn.is_string()) out.function_name = std::string(fn.as_string());
    out.index = static_cast<int>(e.details.get("index").number_or(0));
  }
  return out;
}

}  // namespace hookd::jsonata::detail
