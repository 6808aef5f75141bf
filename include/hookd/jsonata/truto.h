// Truto's JSONata function set: the standard library plus the extensions of npm @truto/truto-jsonata that
// webhook configs use ($sign, $digest, $parseQuery, $dtFromIso, ...), with Truto's versions of $string,
// $keys, $each, $sift, $join, $base64encode and $base64decode. See src/jsonata/truto/README.md for every
// function.
//
//   auto expr = jsonata::compile(config.payload_transform, jsonata::truto::truto_functions());
//   auto out = jsonata::evaluate(*expr.value(), payload);
//   json::Value result = jsonata::truto::to_json_value(out.value());  // what Truto would serialise
#pragma once

#include "hookd/jsonata.h"

namespace hookd::jsonata::truto {

// The set, built once (thread-safe, immutable).
const FunctionSet& truto_functions();

// Truto unwraps its "native" wrapper objects before a result leaves the evaluation, and JSON serialisation
// then turns them into text: a DateTime ($dtFromIso, ...) becomes its ISO string, a Duration its ISO
// duration, a URL ($parseUrl) its href. This does the same for a result (recursively); other values come back
// as they are.
json::Value to_json_value(const json::Value& result);

}  // namespace hookd::jsonata::truto
