// Request and response types shared by every route, and the helpers that build hookd's JSON answers.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.h"
#include "hookd/json.h"

namespace hookd::http {

// The body stays the exact bytes received: signatures are computed over them.
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Status = boost::beast::http::status;
using Verb = boost::beast::http::verb;

// What a route handler sees: the request, the parsed target and where it came from.
struct RequestContext {
  Request& request;
  std::string_view path;  // target without the query, percent-encoded as received
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string, std::less<>> params;  // decoded path parameters ({id} -> value)
  std::string remote_address;
  std::chrono::steady_clock::time_point received_at;

  std::string_view param(std::string_view name) const;
  // First value of a query parameter, or nullptr.
  const std::string* query_value(std::string_view name) const;
};

// `{"error": code, "message": message}` with the status, JSON content type and no-store caching.
Response error_response(Status status, std::string_view code, std::string_view message,
                        unsigned version = 11);
Response json_response(Status status, const json::Value& body, unsigned version = 11);
Response text_response(Status status, std::string body, std::string_view content_type, unsigned version = 11);

// The error code word for a status: 400 "bad_request", 401 "unauthorized", 404 "not_found", ...
std::string_view status_code_word(Status status) noexcept;

// Percent-decoding ('+' as space only when `plus_as_space`, as in form bodies and query strings). Returns
// false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space);
// Splits `a=1&b=2` into decoded pairs (keys without '=' get an empty value). Malformed escapes are kept
// verbatim.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace hookd::http
