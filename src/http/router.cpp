#include "http/router.h"

namespace hookd::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

void Router::add(Verb method, std::string_view pattern, Handler handler) {
  Route r{method, std::string(pattern), {}, std::move(handler)};
  for (auto seg : split_path(pattern))
    r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Verb method, std::string_view path,
                            std::map<std::string, std::string, std::less<>>& params) const {
  auto segments = split_path(path);
  Match result;
  const Route* best = nullptr;
  int best_literals = -1;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_param(r.segments[i])) {
        ok = !segments[i].empty();
      } else {
        ok = r.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      // The path exists with another method: remember it for the Allow header.
      std::string_view name = boost::beast::http::to_string(r.method);
      if (result.allow.find(name) == std::string::npos) {
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += name;
      }
      continue;
    }
    if (literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
  }
  if (!best) {
    result.status = result.allow.empty() ? Status::not_found : Status::method_not_allowed;
    return result;
  }
  params.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!is_param(best->segments[i])) continue;
    std::string name = best->segments[i].substr(1, best->segments[i].size() - 2);
    std::string value;
    if (!percent_decode(segments[i], value, false)) value = std::string(segments[i]);
    params.emplace(std::move(name), std::move(value));
  }
  result.handler = &best->handler;
  result.status = Status::ok;
  result.pattern = best->pattern;
  result.allow.clear();
  return result;
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_)
    out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace hookd::http
