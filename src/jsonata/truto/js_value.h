// JavaScript's view of JSON values, for reproducing what Truto's JavaScript functions do with them:
// String(v), truthiness, property order of objects (array-index keys first, ascending), decodeURIComponent.
// Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hookd/json.h"
#include "jsonata/format/format.h"

namespace hookd::jsonata::truto {

// The pure helpers report errors like the format library: `code` is the JavaScript error's name (TypeError,
// RangeError, InvalidCharacterError, ...) where Truto's JavaScript throws one.
template <class T>
using Result = format::Result<T>;
using Error = format::Error;
Error js_error(std::string_view name, std::string message);

// String(v) / `'' + v`: "undefined", "null", "true", JavaScript number text, arrays joined with "," (null and
// undefined elements empty), "[object Object]" for objects.
std::string js_string(const json::Value& v);

// JavaScript truthiness (every object and array is true; "", 0, NaN, null, undefined, false are false).
bool js_truthy(const json::Value& v);

// A canonical array index ("0", "17", not "017" or "4294967295"): JavaScript lists these keys first,
// ascending.
bool is_array_index(std::string_view key);

// Builds an object whose key order is JavaScript's: assignment to an existing key keeps its place,
// array-index keys come first in numeric order, the others in insertion order.
class JsObjectBuilder {
 public:
  JsObjectBuilder& set(std::string_view key, json::Value value);
  const json::Value* find(std::string_view key) const;
  bool erase(std::string_view key);
  size_t size() const noexcept { return members_.size(); }
  json::Value build() &&;

 private:
  std::vector<std::pair<std::string, json::Value>> members_;
  std::unordered_map<std::string, size_t> index_;
};

// jsonata-js marks some arrays with enumerable properties (sequence, keepSingleton, outerWrapper,
// tupleStream, cons; all `true`) that Object.keys lists after the indices, so lodash and qs see them. hookd's
// engine keeps them as tag bits on the array handle (1, 2, 4, 8, 16, in that order); these are their names.
std::vector<std::string> jsonata_array_flags(const json::Value& array);

// decodeURIComponent: nullopt where JavaScript throws a URIError (bad escape, invalid UTF-8).
std::optional<std::string> decode_uri_component(std::string_view s);

}  // namespace hookd::jsonata::truto
