// Maps (method, path) to a handler. Patterns are literal segments and `{name}` parameters: "/webhook/{id}".
// Matching is by segment, so "/webhook/test" (literal) wins over "/webhook/{id}" when both are registered.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace hookd::http {

using Handler = std::function<awaitable<Response>(RequestContext&)>;

class Router {
 public:
  void add(Verb method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;   // null: see status
    Status status = Status::not_found;  // ok, not_found or method_not_allowed
    std::string allow;                  // for 405: the methods the path does take
    std::string_view pattern;           // the matched route, for metrics and logs
  };
  Match match(Verb method, std::string_view path,
              std::map<std::string, std::string, std::less<>>& params) const;

  struct RouteInfo {
    Verb method;
    std::string pattern;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" marks a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace hookd::http
