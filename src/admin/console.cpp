#include "admin/console.h"

namespace hookd::admin::console {

namespace {

// Every console answer, 404 included: scripts and styles only from hookd itself (no inline script, so an
// injected string cannot run), no framing (clickjacking of the replay and rotate buttons), no sniffing.
void set_security_headers(http::Response& res) {
  res.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// If-None-Match is a list of entity tags ("a", "b") or "*".
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  return if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

const Asset* find_asset(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (const Asset& a : assets())
    if (a.name == name) return &a;
  return nullptr;
}

std::string_view content_type(std::string_view name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

http::Response serve(std::string_view name, const http::Request& request) {
  const Asset* asset = find_asset(name);
  if (!asset) {
    http::Response res = http::error_response(http::Status::not_found, "not_found",
                                              "no console file " + std::string(name), request.version());
    set_security_headers(res);
    return res;
  }
  http::Response res{http::Status::ok, request.version()};
  if (etag_matches(request[bhttp::field::if_none_match], asset->etag)) {
    res.result(http::Status::not_modified);
  } else {
    res.set(bhttp::field::content_type, content_type(asset->name));
    res.body() = std::string(asset->data);
    res.prepare_payload();
  }
  // The names carry no version, so the browser must ask again each time (no-cache), but an unchanged file
  // costs a 304 thanks to the ETag; a new binary's files are used at once.
  res.set(bhttp::field::cache_control, "no-cache");
  res.set(bhttp::field::etag, asset->etag);
  set_security_headers(res);
  return res;
}

void register_routes(http::Router& router) {
  auto index = [](http::RequestContext& req) -> awaitable<http::Response> {
    co_return serve("", req.request);
  };
  auto file = [](http::RequestContext& req) -> awaitable<http::Response> {
    co_return serve(req.param("file"), req.request);
  };
  for (http::Verb verb : {http::Verb::get, http::Verb::head}) {
    router.add(verb, "/console", index);
    router.add(verb, "/console/{file}", file);
  }
}

}  // namespace hookd::admin::console
