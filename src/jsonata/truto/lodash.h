// The lodash (4.17, lodash-es) functions @truto/truto-jsonata exposes, on JSON values: property paths
// ("a.b[0]"), iteratee shorthands, castArray wrapping, JavaScript string conversion and key order. Internal.
#pragma once

#include <string>

#include "hookd/json.h"

namespace hookd::jsonata::truto::lodash {

// _.castArray(v): arrays as they are, anything else (undefined too) wrapped in a one-element array.
json::Value cast_array(const json::Value& v);

// _.groupBy / _.keyBy over castArray(collection). The iteratee is a property path (string, number), an object
// (_.matches), a [path, value] pair (_.matchesProperty), undefined/null (identity) or a function, which Truto
// hands to lodash as an async wrapper: every element then lands under "[object Promise]", as in Truto.
json::Value group_by(const json::Value& collection, const json::Value& iteratee);
json::Value key_by(const json::Value& collection, const json::Value& iteratee);

// _.pick / _.omit with one path or an array of paths ("a", "a.b", "a[0].b", ["a", "b"]).
json::Value pick(const json::Value& object, const json::Value& paths);
json::Value omit(const json::Value& object, const json::Value& paths);

// _.compact(castArray(v)), _.flatten / _.flattenDepth(castArray(v), depth), _.values(v).
json::Value compact(const json::Value& v);
json::Value flatten(const json::Value& v, double depth = 1);
json::Value values(const json::Value& v);

// _.join(castArray(v), separator): Array.prototype.join, "," by default.
std::string join(const json::Value& v, const json::Value& separator);

// _.toNumber: numbers as they are, strings trimmed and read as JavaScript numbers (with 0b/0o prefixes),
// arrays through their string form, null 0, anything unreadable NaN.
double to_number(const json::Value& v);

// _.get(object, path): the value at a property path, undefined when absent.
json::Value get(const json::Value& object, const json::Value& path);

}  // namespace hookd::jsonata::truto::lodash
