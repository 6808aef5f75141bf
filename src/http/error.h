// The one place a typed Error becomes an HTTP answer: the status follows from the error's fault, the JSON body's
// `error` is the module's code name ("not_found", "invalid_cursor", "too_many_fields"), except that
// dependency and internal failures answer with a generic code and are logged.
#pragma once

#include "core/result.h"
#include "http/message.h"

namespace hookd::http {

Status status_for(const Error& e) noexcept;

// {"error": ..., "message": ...}; validation errors that name a field answer
// {"error": "validation_error", "message": "<field>: ...", "field": "<field>"}.
Response error_response(const Error& e, unsigned version = 11);

}  // namespace hookd::http
