// The admin API: what operators and customers' backends call (Truto's paths;
// `Authorization: Bearer <token>`).
//
// Two kinds of token. The operator token (from the service's configuration) manages environments, their API
// tokens and the integration catalog. An environment's API token works inside that environment only: every
// data-plane route takes the environment from the token, and another environment's ids answer 404, as if they
// did not exist. Tokens are stored as SHA-256 hashes.
#pragma once

#include <memory>
#include <string>

#include "bus/producer.h"
#include "dispatch/dispatcher.h"
#include "http/client/ssrf.h"
#include "http/router.h"
#include "store/store.h"

namespace hookd::admin {

struct AdminOptions {
  std::string operator_token;      // empty: operator routes are closed
  http::SsrfPolicy target_policy;  // what customers' target URLs may point at
  std::chrono::milliseconds secret_rotation_overlap{std::chrono::hours(24)};
  double rate_limit_per_second = 100;  // per API token on this node; 0: no limit
};

class RateLimiter;
class ReplayRunner;

struct AdminContext {
  store::Store& store;
  std::shared_ptr<bus::Producer> producer;
  // null when this node does not dispatch: replays still work
  std::shared_ptr<dispatch::Dispatcher> dispatcher;
  dispatch::DeliveryStore& deliveries;
  AdminOptions options;
  std::shared_ptr<RateLimiter> limiter;  // made by register_routes when null
  // Replay jobs (admin/replay_runner.h); null: the replay routes answer 503.
  std::shared_ptr<ReplayRunner> replay;
};

void register_routes(http::Router& router, std::shared_ptr<AdminContext> ctx);

}  // namespace hookd::admin
