// /healthz (the process answers), /readyz (a request now would be served) and /metrics (Prometheus).
#pragma once

#include <atomic>

#include "bus/producer.h"
#include "dispatch/dispatcher.h"
#include "http/router.h"
#include "store/redis/client.h"

namespace hookd::app {

// What readiness checks; the pointers outlive the router. `dispatcher` is null on nodes without the dispatch
// role.
struct ReadinessChecks {
  store::RedisClient* redis = nullptr;
  bus::Producer* producer = nullptr;
  dispatch::Dispatcher* dispatcher = nullptr;
  const std::atomic<bool>* stopping = nullptr;
};

void register_health_routes(http::Router& router, ReadinessChecks checks);

}  // namespace hookd::app
