// One hookd process: the roles its configuration asks for, wired together, on one io_context.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "admin/replay_runner.h"
#include "app/config.h"
#include "app/shutdown_deadline.h"
#include "bus/producer.h"
#include "dispatch/dispatcher.h"
#include "http/server.h"
#include "ingest/pipeline.h"
#include "store/config_cache.h"
#include "store/store.h"

namespace hookd::app {

class Service {
 public:
  // `deadline` bounds the exit once stop() is called; main disarms it after the Service is destroyed.
  Service(Config config, ShutdownDeadline& deadline);
  ~Service();
  // Connects, binds, starts every role. Errors say what failed (port in use, Kafka config...).
  Status start();
  // Runs the I/O threads until stop(); returns after a clean shutdown.
  void run();
  // Graceful: stop accepting, finish in-flight requests and attempts, flush Kafka. Safe from any thread,
  // once. Bounded: it arms the shutdown deadline (see app/shutdown_deadline.h).
  void stop();
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  // On stop: waits (bounded) until the dispatcher's attempts in flight are recorded.
  void drain_attempts();
  Config config_;
  asio::io_context io_;
  std::unique_ptr<bus::MockCluster> mock_;
  store::RedisClientPtr redis_;
  std::unique_ptr<store::Store> store_;
  store::ConfigCachePtr config_cache_;  // ingest only; the pipeline's resolver points to it
  std::shared_ptr<bus::Producer> producer_;
  std::shared_ptr<bus::Producer> immediate_producer_;  // ingest's unbatched one (ports.h: kafka_publisher)
  std::shared_ptr<http::ClientPool> client_;
  std::shared_ptr<dispatch::Dispatcher> dispatcher_;
  std::unique_ptr<dispatch::DeliveryStore> deliveries_;  // for admin on a node without the dispatch role
  std::unique_ptr<ingest::Pipeline> pipeline_;
  std::shared_ptr<admin::ReplayRunner> replay_;  // admin only: replay jobs
  std::shared_ptr<http::Server> server_;
  // Signals are waited for on a thread of their own: a SIGTERM must be seen even when every I/O thread is
  // busy.
  asio::io_context signal_io_{1};
  asio::signal_set signals_{signal_io_, SIGINT, SIGTERM};
  std::thread signal_thread_;
  std::atomic<bool> stopping_{false};
  std::thread stopper_;
  ShutdownDeadline& deadline_;
};

}  // namespace hookd::app
