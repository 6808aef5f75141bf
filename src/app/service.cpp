#include "app/service.h"

#include "admin/admin.h"
#include "admin/replay_runner.h"
#include "app/health.h"
#include "ingest/routes.h"
#include "core/log.h"
#include "core/metrics.h"

namespace hookd::app {

Service::Service(Config config, ShutdownDeadline& deadline)
    : config_(std::move(config)), io_(config_.threads), deadline_(deadline) {}

Service::~Service() {
  signal_io_.stop();
  if (signal_thread_.joinable()) signal_thread_.join();
  if (stopper_.joinable()) stopper_.join();
}

Status Service::start() {
  auto ex = io_.get_executor();
  redis_ = store::RedisClient::create(ex, config_.redis);
  store_ = std::make_unique<store::Store>(redis_);

  bus::KafkaOptions kafka = config_.kafka;
  if (kafka.brokers.empty()) {
    auto mock = bus::MockCluster::create(config_.mock_brokers, kafka.topic, 3);
    if (!mock.ok()) return mock.error();
    mock_ = std::move(mock).value();
    kafka.brokers = mock_->bootstrap_servers();
    log::warn("kafka.mock_cluster", {{"bootstrap", kafka.brokers},
                                     {"note",
                                      "in-process mock cluster: events do not survive a restart; set "
                                      "HOOKD_KAFKA_BROKERS for real brokers"}});
  }
  auto producer = bus::Producer::create(ex, kafka);
  if (!producer.ok()) return producer.error();
  producer_ = *producer;
  if (config_.role_ingest && config_.kafka_immediate_below > 0) {
    bus::KafkaOptions immediate = kafka;
    immediate.linger = std::chrono::milliseconds(0);
    auto second = bus::Producer::create(ex, immediate);
    if (!second.ok()) return second.error();
    immediate_producer_ = *second;
  }

  auto router = std::make_shared<http::Router>();

  if ((config_.role_ingest || config_.role_dispatch) && config_.config_cache_size > 0)
    config_cache_ = store::ConfigCache::create(*store_, ex, config_.redis,
                                               static_cast<size_t>(config_.config_cache_size));
  if (config_.role_ingest) {
    pipeline_ = std::make_unique<ingest::Pipeline>(
        ingest::store_resolver(*store_, config_cache_.get()),
        ingest::kafka_publisher(producer_, immediate_producer_,
                                static_cast<size_t>(config_.kafka_immediate_below)),
        config_.ingest);
    ingest::register_routes(*router, *pipeline_);
  }
  if (config_.role_dispatch || config_.role_admin) {
    auto client = http::ClientPool::create(ex, config_.client);
    if (!client.ok())
      return make_error(AppErrc::invalid_config, "delivery client: " + client.error().message);
    client_ = std::move(client).value();
  }
  if (config_.role_dispatch) {
    dispatcher_ = std::make_shared<dispatch::Dispatcher>(ex, *store_, client_, producer_, config_.dispatch,
                                                         config_cache_.get());
    bus::ConsumerOptions consumer = config_.consumer;
    consumer.max_in_flight = config_.dispatch.max_concurrent_attempts;
    if (Status s = dispatcher_->start(kafka, consumer); !s.ok()) return s;
  } else {
    deliveries_ = std::make_unique<dispatch::DeliveryStore>(*store_, config_.dispatch);
  }
  if (config_.role_admin) {
    auto ctx = std::make_shared<admin::AdminContext>(admin::AdminContext{
        *store_, producer_, dispatcher_, dispatcher_ ? dispatcher_->deliveries() : *deliveries_,
        config_.admin, nullptr, nullptr});
    admin::ReplayOptions replay = config_.replay;
    replay.kafka = kafka;
    replay_ =
        std::make_shared<admin::ReplayRunner>(ex, *store_, ctx->deliveries, dispatcher_, std::move(replay));
    replay_->start();
    ctx->replay = replay_;
    admin::register_routes(*router, ctx);
  }

  register_health_routes(*router, {redis_.get(), producer_.get(), dispatcher_.get(), &stopping_});
  server_ = std::make_shared<http::Server>(io_, config_.server, router);
  if (error_code ec = server_->listen())
    return make_error(AppErrc::listen_failed, "cannot listen on " + config_.server.address + ":" +
                                                  std::to_string(config_.server.port) + ": " + ec.message());
  server_->start();
  signals_.async_wait([this](const error_code& ec, int sig) {
    if (ec) return;
    log::info("service.signal", {{"signal", sig}});
    stop();
  });
  signal_thread_ = std::thread([this] { signal_io_.run(); });
  log::info("service.started", {{"port", server_->port()},
                                {"ingest", config_.role_ingest},
                                {"dispatch", config_.role_dispatch},
                                {"admin", config_.role_admin},
                                {"threads", config_.threads},
                                {"redis", config_.redis.redacted_url()},
                                {"kafka", mock_ ? std::string("mock") : kafka.brokers}});
  return {};
}

void Service::run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < config_.threads; ++i)
    threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : threads)
    t.join();
}

void Service::drain_attempts() {
  // Attempts in flight finish and are recorded before Redis is closed: one cut off would be sent again by
  // another dispatcher once its lease ran out. Bounded by most of the shutdown timeout (the rest is for the
  // producer's flush); what is left then is handed over by its lease.
  const auto bound = config_.shutdown_timeout * 3 / 4;
  const auto until = std::chrono::steady_clock::now() + bound;
  size_t left = dispatcher_->attempts_in_flight();
  if (left > 0) log::info("service.draining_attempts", {{"in_flight", left}});
  while (left > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = dispatcher_->attempts_in_flight();
  }
  if (left > 0) log::warn("service.attempts_cut_off", {{"in_flight", left}});
}

void Service::stop() {
  if (stopping_.exchange(true)) return;
  deadline_.arm(config_.shutdown_timeout);
  // Shutting down blocks (the consumer leaves its group, the producer flushes): not on an I/O thread.
  stopper_ = std::thread([this] {
    log::info("service.stopping", {});
    if (server_) server_->stop();
    if (dispatcher_) {
      dispatcher_->stop();
      drain_attempts();
    }
    if (replay_) replay_->stop();
    // Let requests already waiting for Kafka get their acknowledgement.
    producer_->flush(std::chrono::seconds(5));
    if (immediate_producer_) immediate_producer_->flush(std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    producer_->stop();
    if (immediate_producer_) immediate_producer_->stop();
    asio::post(signal_io_, [this] {
      error_code ignored;
      signals_.cancel(ignored);
    });
    if (config_cache_) config_cache_->close();
    redis_->close();
    if (client_) client_->close_idle();
    io_.stop();
    log::info("service.stopped", {});
  });
}

}  // namespace hookd::app
