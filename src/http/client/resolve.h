// Name resolution with a deadline, for the outbound client.
#pragma once

#include <string>
#include <vector>

#include "http/client/client.h"

namespace hookd::http {

struct Resolved {
  std::vector<asio::ip::address> addresses;  // de-duplicated, in resolver order
  ClientErrorKind error = ClientErrorKind::none;
  std::string message;
};

// IP literals resolve to themselves, `options.static_hosts` is consulted next, then DNS under
// options.resolve_timeout. Runs on the caller's executor.
awaitable<Resolved> resolve_host(const Url& url, const ClientOptions& options);

}  // namespace hookd::http
