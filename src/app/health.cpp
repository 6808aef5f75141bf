#include "app/health.h"

#include "core/metrics.h"

namespace hookd::app {

void register_health_routes(http::Router& router, ReadinessChecks checks) {
  router.add(http::Verb::get, "/healthz", [](http::RequestContext&) -> awaitable<http::Response> {
    json::ObjectBuilder b;
    b.set("status", "ok");
    co_return http::json_response(http::Status::ok, std::move(b).build());
  });
  router.add(http::Verb::get, "/readyz", [checks](http::RequestContext&) -> awaitable<http::Response> {
    // Ready: Redis answers, the producer is usable and, for dispatch, the consumer is in its group
    // (with partitions, or none when there are more dispatchers than partitions: a standby).
    error_code ec;
    co_await checks.redis->async_ping(redirect(ec));
    bool redis_ok = !ec;
    bool kafka_ok = checks.producer->healthy();
    bool dispatch_ok = !checks.dispatcher || checks.dispatcher->consuming();
    json::ObjectBuilder detail;
    detail.set("redis", redis_ok ? "ok" : "unavailable: " + ec.message());
    detail.set("kafka_producer", kafka_ok ? "ok" : "fatal error");
    if (checks.dispatcher)
      detail.set("dispatch_consumer", dispatch_ok ? "ok" : "not in the consumer group yet");
    bool ready = redis_ok && kafka_ok && dispatch_ok && !checks.stopping->load();
    json::ObjectBuilder b;
    b.set("status", ready ? "ready" : "not_ready").set("checks", std::move(detail).build());
    co_return http::json_response(ready ? http::Status::ok : http::Status::service_unavailable,
                                  std::move(b).build());
  });
  router.add(http::Verb::get, "/metrics", [](http::RequestContext&) -> awaitable<http::Response> {
    co_return http::text_response(http::Status::ok, metrics::registry().render(),
                                  "text/plain; version=0.0.4");
  });
}

}  // namespace hookd::app
