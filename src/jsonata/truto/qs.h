// Query strings the way the npm `qs` package (6.15, which @truto/truto-jsonata's $parseQuery/$stringifyQuery
// call) reads and writes them: nested brackets (`a[b][0]=c`), arrays (`a[]=1&a[]=2`, indices up to
// arrayLimit), duplicate keys combined into arrays, '+' as space, RFC 3986 percent-encoding.
//
// Supported options (an object, as qs takes it): parse: allowDots, allowEmptyArrays, allowSparse, arrayLimit,
// charset ("utf-8" | "iso-8859-1"), comma, decodeDotInKeys, delimiter (string), depth, duplicates,
// ignoreQueryPrefix, parameterLimit, parseArrays, strictDepth, strictMerge, strictNullHandling,
// throwOnLimitExceeded; stringify: addQueryPrefix, allowDots, allowEmptyArrays, arrayFormat, charset,
// commaRoundTrip, delimiter, encode, encodeDotInKeys, encodeValuesOnly, format, indices, skipNulls,
// strictNullHandling. Function-valued options (decoder, encoder, filter, sort, serializeDate) are ignored:
// JSONata values are not JavaScript functions.
#pragma once

#include "hookd/json.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::qs {

// qs.parse(input, options). `input` is usually a string; an object's members are read as already split pairs.
// Errors (code = the JavaScript error's name): TypeError for invalid options, RangeError for exceeded limits
// with throwOnLimitExceeded.
Result<json::Value> parse(const json::Value& input, const json::Value& options);

// qs.stringify(object, options); "" for anything but an object or array.
Result<std::string> stringify(const json::Value& object, const json::Value& options);

}  // namespace hookd::jsonata::truto::qs
