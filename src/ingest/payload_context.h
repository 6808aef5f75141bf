// Step 4 of the ingest path: the payload context every later stage reads.
//
//   { method, url, path, query, headers, body, raw_body, context, environment_variables, integrated_account_id,
//     environment_id }
//
// `url` is the public URL the vendor called, query string as sent (request_url.h); absent when hookd does not
// know its public address (no HOOKD_PUBLIC_URL, no trusted proxy).
//
// `headers` has lower-case names (repeated headers joined with ", ", as Node does). `query` maps names to
// strings (arrays when repeated). `body` is parsed by content type: JSON (application/json, */*+json), form
// fields (application/x-www-form-urlencoded) or else the text itself; an empty body is absent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ingest/errc.h"
#include "http/message.h"
#include "hookd/json.h"

namespace hookd::ingest {

// Bounds on the work parsing one body may take (the body is not authenticated yet when it is parsed).
struct BodyLimits {
  size_t max_form_fields = 10'000;  // HOOKD_MAX_FORM_FIELDS; more is an error (413)
};

// Parses a body by its Content-Type. A JSON content type with malformed JSON is an error (malformed_json, 400
// for the vendor); a form over the field limit too (too_many_fields, 413). Linear in the body's size.
Result<json::Value> parse_body(std::string_view content_type, std::string_view body,
                               const BodyLimits& limits = {});

// Form fields (`a=1&b=2&a=3` -> {"a":["1","3"],"b":"2"}); empty fields (`a&&b`) are skipped.
Result<json::Value> parse_form(std::string_view body, const BodyLimits& limits = {});

json::Value headers_object(const http::Request& request);
json::Value query_object(const std::vector<std::pair<std::string, std::string>>& query);

struct ContextInputs {
  const http::RequestContext& request;
  json::Value headers;  // from headers_object()
  json::Value body;     // from parse_body()
  json::Value account_context;
  json::Value environment_variables;
  std::string_view integrated_account_id;
  std::string_view environment_id;
  std::optional<std::string> url = {};  // from request_url(); absent: no `url` in the context
  json::Value raw_body = {};            // the body as a string value when the caller has one already
};

json::Value build_payload_context(const ContextInputs& in);

}  // namespace hookd::ingest
