#include "ingest/reply.h"

#include <cmath>

namespace hookd::ingest {

bool valid_header_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool valid_header_value(std::string_view value) noexcept {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

namespace {

Error bad(std::string_view field, std::string_view member, std::string_view problem) {
  std::string message(field);
  if (!member.empty()) message.append(".").append(member);
  message.append(": ").append(problem);
  return make_error(IngestErrc::invalid_config, message);
}

bool framing_header(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

bool body_allowed(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace

Result<ReplySpec> parse_reply(const json::Value& spec, std::string_view field, const ReplyRules& rules) {
  ReplySpec out;
  if (spec.is_undefined() || spec.is_null()) return out;
  if (!spec.is_object()) return bad(field, "", "must be an object with status_code, headers and body");
  if (rules.strict)
    for (const auto& m : spec.members())
      if (m.name() != "status_code" && m.name() != "headers" && m.name() != "body")
        return bad(field, m.name(), "unknown field (status_code, headers, body)");

  const json::Value& status = spec.get("status_code");
  if (!status.is_undefined() && !status.is_null()) {
    std::string range = std::to_string(rules.min_status) + "-" + std::to_string(rules.max_status);
    if (!status.is_number() || std::trunc(status.as_number()) != status.as_number())
      return bad(field, "status_code", "must be an integer " + range);
    double n = status.as_number();
    if (n < rules.min_status || n > rules.max_status) return bad(field, "status_code", "must be " + range);
    out.status_code = static_cast<int>(n);
  }

  const json::Value& headers = spec.get("headers");
  if (!headers.is_undefined() && !headers.is_null()) {
    if (!headers.is_object()) return bad(field, "headers", "must be an object of header names to values");
    for (const auto& m : headers.members()) {
      std::string name(m.name());
      if (!valid_header_name(name)) return bad(field, "headers", "'" + name + "' is not a valid header name");
      if (m.value.is_undefined() || m.value.is_null()) continue;
      std::string value;
      if (m.value.is_string())
        value = m.value.as_string();
      else if (rules.strict)
        return bad(field, "headers." + name, "must be a string");
      else
        json::write(value, m.value);
      if (!valid_header_value(value)) return bad(field, "headers." + name, "must not contain CR, LF or NUL");
      if (framing_header(name)) continue;  // framing is hookd's: a config cannot break the HTTP response
      out.headers.emplace_back(std::move(name), std::move(value));
    }
  }

  const json::Value& body = spec.get("body");
  if (body.is_string()) {
    out.body = body.as_string();
    out.default_content_type = "text/plain; charset=utf-8";
  } else if (body.is_object() || body.is_array()) {
    out.body = json::dump(body);
    out.default_content_type = "application/json";
  } else if (!body.is_undefined() && !body.is_null()) {
    if (rules.strict) return bad(field, "body", "must be a string, an object, an array or null");
    out.body = json::dump(body);
    out.default_content_type = "application/json";
  }
  if (!body_allowed(out.status_code)) {
    out.body.clear();
    out.default_content_type.clear();
  }
  return out;
}

http::Response build_reply(const ReplySpec& spec, unsigned version) {
  http::Response res{static_cast<http::Status>(spec.status_code), version};
  bool has_content_type = false;
  for (const auto& [name, value] : spec.headers) {
    res.insert(name, value);
    has_content_type = has_content_type || beast::iequals(name, "content-type");
  }
  if (!has_content_type && !spec.default_content_type.empty())
    res.set(bhttp::field::content_type, spec.default_content_type);
  if (body_allowed(spec.status_code)) {
    res.body() = spec.body;
    res.prepare_payload();
  }
  return res;
}

}  // namespace hookd::ingest
