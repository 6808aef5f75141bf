// Answers whose shape is configuration: the `verification_response` a handle_verification `verify` returns, and
// an integration's `webhook.accept_response` (the answer to an accepted event).
//
//   { "status_code": 200, "headers": { "Content-Type": "text/plain" }, "body": "..." }
//
// `status_code` defaults to 200. `headers` names must be HTTP tokens and values have no CR, LF or NUL; the
// framing headers (Content-Length, Transfer-Encoding, Connection) are hookd's and are ignored. `body`: a string is
// sent byte for byte (text/plain unless the headers name a Content-Type), an object or array as JSON
// (application/json unless named), absent or null is an empty body. A 1xx, 204 or 304 answer has no body.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "ingest/errc.h"

namespace hookd::ingest {

struct ReplySpec {
  int status_code = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // as configured, framing headers left out
  std::string body;                                          // the bytes to send
  std::string default_content_type;                          // when `headers` names none ("" for no body)
};

struct ReplyRules {
  int min_status = 100;
  int max_status = 599;
  // Store-time validation (accept_response): unknown fields are refused, header values must be strings and
  // the body a string, object, array or null. At request time (verification_response) scalars are written as
  // text, unknown fields ignored.
  bool strict = false;
};

// Reads a reply spec; errors (IngestErrc::invalid_config) name the field under `field`, e.g.
// "webhook.accept_response.status_code: must be 200-299". `spec` absent or null is the default reply (200, no
// body); anything else that is not an object is an error.
Result<ReplySpec> parse_reply(const json::Value& spec, std::string_view field, const ReplyRules& rules = {});

http::Response build_reply(const ReplySpec& spec, unsigned version = 11);

// True for a header name that is an RFC 9110 token.
bool valid_header_name(std::string_view name) noexcept;
// True for a header value without CR, LF or NUL.
bool valid_header_value(std::string_view value) noexcept;

}  // namespace hookd::ingest
