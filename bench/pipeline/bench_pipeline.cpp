// The ingest chain alone, in process: the Shopify order tools/bench-ingest posts (bench/data), signed, through
// the same integration config (HMAC over the raw body plus a JSONata payload_transform), with the account
// served from memory and a publisher that takes the serialized events and acknowledges at once. No sockets,
// no Redis, no Kafka: what the chain itself costs per request, and a bare baseline in the same run (the body
// parsed into a json::Value and dropped), so the figure is a ratio as well as a time.
//
//   bench_pipeline [--seconds S] [--iterations N] [body.json]
//
// --iterations N runs exactly N requests (for callgrind: instructions per request are repeatable).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/crypto.h"
#include "core/log.h"
#include "ingest/pipeline.h"

namespace hookd::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace bhttp = boost::beast::http;

constexpr const char* kSecret = "shpss_bench_secret";
constexpr const char* kConfig = R"({"webhook":{
  "payload_transform":"{'event_type': $contains(headers.`x-shopify-topic`, 'create') ? 'created' : 'updated', 'resource': 'ecommerce/orders', 'raw_event_type': headers.`x-shopify-topic`, 'id': headers.`x-shopify-webhook-id`, 'record': {'id': $string(body.id), 'number': body.order_number, 'email': body.email, 'status': body.financial_status, 'currency': body.currency, 'total': $number(body.total_price), 'tax': $number(body.total_tax), 'customer': {'id': $string(body.customer.id), 'name': body.customer.first_name & ' ' & body.customer.last_name}, 'items': [body.line_items.{'sku': sku, 'title': title, 'quantity': quantity, 'price': $number(price)}], 'created_at': body.created_at}}",
  "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}","algorithm":"sha256",
    "string_type":"base64","compare_with":"{{headers.x-shopify-hmac-sha256}}","parts":["raw_body"]}}}})";

class MemoryResolver final : public ingest::AccountResolver {
 public:
  store::ResolvedAccount account;
  awaitable<Result<store::ResolvedAccount>> resolve_account(std::string_view) override { co_return account; }
  awaitable<Result<store::EnvironmentIntegration>> get_environment_integration(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "none");
  }
  awaitable<Result<store::Integration>> get_integration(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "none");
  }
  awaitable<Result<store::Environment>> get_environment(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "none");
  }
  awaitable<Result<std::vector<std::string>>> find_accounts_by_context(const store::EnvironmentIntegration&,
                                                                       std::string_view,
                                                                       std::string_view) override {
    co_return std::vector<std::string>{};
  }
  awaitable<Status> merge_account_context(std::string_view, const json::Value&) override {
    co_return Status{};
  }
};

class AckingPublisher final : public ingest::EventPublisher {
 public:
  size_t bytes = 0;
  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages) override {
    for (const auto& m : messages)
      bytes += m.value.size();
    co_return error_code{};
  }
};

store::ResolvedAccount bench_account() {
  store::ResolvedAccount r;
  r.integration.id = "int-bench";
  r.integration.name = "shopify-bench";
  if (!json::parse(kConfig, r.integration.config)) std::abort();
  r.install.id = "ei-bench";
  r.install.environment_id = "env-bench";
  r.install.integration_id = "int-bench";
  r.environment.id = "env-bench";
  r.environment.name = "bench";
  r.account.id = "ia-bench";
  r.account.tenant_id = "acme";
  r.account.environment_id = "env-bench";
  r.account.environment_integration_id = "ei-bench";
  r.account.integration_id = "int-bench";
  if (!json::parse(std::string(R"({"webhook_secret":")") + kSecret + "\"}", r.account.context)) std::abort();
  return r;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::Request bench_request(const std::string& body) {
  http::Request req{http::Verb::post, "/integrated-account-webhook/ia-bench", 11};
  req.set(bhttp::field::host, "hooks.example.com");
  req.set(bhttp::field::content_type, "application/json");
  req.set("X-Shopify-Topic", "orders/create");
  req.set("X-Shopify-Shop-Domain", "bench.myshopify.com");
  req.set("X-Shopify-API-Version", "2024-10");
  req.set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  req.set("X-Shopify-Hmac-Sha256", crypto::base64(crypto::hmac(crypto::Digest::sha256, kSecret, body)));
  req.body() = body;
  req.prepare_payload();
  return req;
}

// One request through the chain, as the route runs it; true when it was accepted.
bool run_once(asio::io_context& io, ingest::Pipeline& pipeline, http::Request& req) {
  http::RequestContext ctx{req, req.target(), {}, {}, "127.0.0.1", Clock::now()};
  bool accepted = false;
  asio::co_spawn(io, pipeline.handle(ctx, "ia-bench"), [&](std::exception_ptr e, ingest::IngestOutcome o) {
    if (e) std::rethrow_exception(e);
    accepted = o.response.result_int() == 200;
  });
  io.restart();
  io.run();
  return accepted;
}

struct Round {
  double seconds = 0;
  long count = 0;
  double per_second() const { return count / seconds; }
};

template <typename F>
Round measure(double seconds, long iterations, F&& once) {
  Round r;
  auto start = Clock::now();
  for (;;) {
    once();
    ++r.count;
    if (iterations > 0
            ? r.count >= iterations
            : (r.count % 256 == 0 && std::chrono::duration<double>(Clock::now() - start).count() >= seconds))
      break;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

int run(int argc, char** argv) {
  double seconds = 3;
  long iterations = 0;
  std::string body_path = HOOKD_BENCH_BODY_DEFAULT;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--iterations" && i + 1 < argc)
      iterations = std::atol(argv[++i]);
    else
      body_path = a;
  }
  log::init("warn");  // as tools/bench-ingest runs hookd
  std::string body = read_all(body_path);
  if (body.empty()) {
    std::fprintf(stderr, "bench_pipeline: cannot read %s\n", body_path.c_str());
    return 2;
  }
  MemoryResolver resolver;
  resolver.account = bench_account();
  auto publisher = std::make_shared<AckingPublisher>();
  ingest::Pipeline pipeline(resolver, publisher, ingest::IngestOptions{});
  asio::io_context io;
  http::Request req = bench_request(body);
  if (!run_once(io, pipeline, req)) {
    std::fprintf(stderr, "bench_pipeline: the request was not accepted\n");
    return 1;
  }
  Round bare = measure(seconds, iterations, [&] {
    json::Value v;
    if (!json::parse(req.body(), v)) std::abort();
  });
  Round chain = measure(seconds, iterations, [&] {
    if (!run_once(io, pipeline, req)) std::abort();
  });
  std::printf("body %zu bytes, event %zu bytes\n", body.size(), publisher->bytes / (chain.count + 1));
  std::printf("bare parse   %10.0f /s  %8.2f us\n", bare.per_second(), 1e6 / bare.per_second());
  std::printf("ingest chain %10.0f /s  %8.2f us  (%.1f x the parse)\n", chain.per_second(),
              1e6 / chain.per_second(), bare.per_second() / chain.per_second());
  return 0;
}

}  // namespace
}  // namespace hookd::bench

int main(int argc, char** argv) {
  return hookd::bench::run(argc, argv);
}
