// One synchronous HTTP/1.1 request to a local server, for tests that act as a vendor or an admin client.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hookd/json.h"

namespace hookd::test {

struct HttpResult {
  int status = 0;  // 0: no answer (connection refused, closed)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  json::Value json() const;  // the body parsed (undefined if it is not JSON)
  std::string header(std::string_view name) const;
};

HttpResult http_call(uint16_t port, std::string_view method, std::string_view target,
                     std::string_view body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace hookd::test
