// Truto's "native" values as JSONata sees them: objects of data plus method functions (a luxon DateTime, a
// Duration, a URL). Methods are shared function values that read their object from the call's context (in
// `$dt.toISO()` the step's input is `$dt`). Internal to the truto library.
#pragma once

#include <optional>

#include "hookd/jsonata.h"
#include "jsonata/truto/js_value.h"
#include "jsonata/truto/luxon.h"
#include "jsonata/truto/url.h"

namespace hookd::jsonata::truto {

// A format-library style error as the engine's error.
jsonata::Error to_engine_error(const Error& e);

json::Value wrap_datetime(const luxon::DateTime& dt);
std::optional<luxon::DateTime> unwrap_datetime(const json::Value& v);
json::Value wrap_duration(const luxon::Duration& d);
std::optional<luxon::Duration> unwrap_duration(const json::Value& v);
json::Value wrap_url(const url::Url& u);

// What JSON.stringify makes of a native wrapper (its toJSON): the ISO text or the href; nullopt for other
// values.
std::optional<json::Value> native_json(const json::Value& v);

void add_datetime_functions(FunctionSet::Builder& b);

}  // namespace hookd::jsonata::truto
