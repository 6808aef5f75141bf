#include "http/message.h"

namespace hookd::http {

std::string_view RequestContext::param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

const std::string* RequestContext::query_value(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

std::string_view status_code_word(Status status) noexcept {
  switch (status) {
    case Status::bad_request:
      return "bad_request";
    case Status::unauthorized:
      return "unauthorized";
    case Status::forbidden:
      return "forbidden";
    case Status::not_found:
      return "not_found";
    case Status::method_not_allowed:
      return "method_not_allowed";
    case Status::conflict:
      return "conflict";
    case Status::payload_too_large:
      return "payload_too_large";
    case Status::unsupported_media_type:
      return "unsupported_media_type";
    case Status::unprocessable_entity:
      return "unprocessable_entity";
    case Status::too_many_requests:
      return "too_many_requests";
    case Status::request_header_fields_too_large:
      return "request_header_fields_too_large";
    case Status::request_timeout:
      return "request_timeout";
    case Status::not_implemented:
      return "not_implemented";
    case Status::service_unavailable:
      return "service_unavailable";
    case Status::gateway_timeout:
      return "gateway_timeout";
    default:
      return static_cast<unsigned>(status) >= 500 ? "internal_error" : "error";
  }
}

Response json_response(Status status, const json::Value& body, unsigned version) {
  Response res{status, version};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.body() = json::dump(body);
  res.prepare_payload();
  return res;
}

Response error_response(Status status, std::string_view code, std::string_view message, unsigned version) {
  Response res{status, version};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.set(boost::beast::http::field::cache_control, "no-store");
  std::string& b = res.body();
  b = "{\"error\":";
  json::write_string(b, code);
  b += ",\"message\":";
  json::write_string(b, message);
  b += "}";
  res.prepare_payload();
  return res;
}

Response text_response(Status status, std::string body, std::string_view content_type, unsigned version) {
  Response res{status, version};
  res.set(boost::beast::http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view k = item.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    std::string key, value;
    if (!percent_decode(k, key, true)) key = std::string(k);
    if (!percent_decode(v, value, true)) value = std::string(v);
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace hookd::http
