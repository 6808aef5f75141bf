// The stages before publishing: resolve the account and its config, build the payload context, run the two
// JSONata expressions, check the signature.
#include <charconv>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "ingest/handshake.h"
#include "ingest/payload_context.h"
#include "ingest/pipeline.h"
#include "ingest/reply.h"
#include "ingest/request_url.h"

namespace hookd::ingest {

StageStatus load_config(IngestState& s, WebhookConfigCache& configs) {
  using http::Status;
  const auto& integration = s.resolved.integration;
  if (!s.resolved.install.is_enabled) {
    s.response = http::error_response(Status::not_found, "not_found",
                                      "integration " + integration.name + " is disabled in this environment");
    return StageStatus::stop;
  }
  auto config = configs.get(integration, s.resolved.install);
  if (!config.ok()) {
    // Configs are validated when stored; this one was stored before a stricter hookd, or written around the
    // API.
    log::error("ingest.config_invalid",
               {{"integration", integration.name}, {"error", config.error().message}});
    s.response = http::error_response(Status::internal_server_error, "config_error", config.error().message);
    return StageStatus::stop;
  }
  if (!*config) {
    s.response = http::error_response(Status::not_found, "not_found",
                                      "integration " + integration.name + " does not accept webhooks");
    return StageStatus::stop;
  }
  s.config = std::move(config).value();
  return StageStatus::proceed;
}

namespace {

using http::error_response;
using http::Status;

class ResolveStage final : public Stage {
 public:
  ResolveStage(AccountResolver& resolver, WebhookConfigCache& configs)
      : resolver_(resolver), configs_(configs) {}
  std::string_view name() const override { return "resolve"; }
  awaitable<StageStatus> run(IngestState& s) override {
    auto resolved = co_await resolver_.resolve_account(s.account_id);
    if (!resolved.ok()) {
      s.response = error_response(resolved.error());
      co_return StageStatus::stop;
    }
    s.resolved = std::move(resolved).value();
    co_return load_config(s, configs_);
  }

 private:
  AccountResolver& resolver_;
  WebhookConfigCache& configs_;
};

// The time signature checks compare timestamps and tokens with: the clock, or in test mode the one the
// configuration or the request sets (so that published vectors with old timestamps can be checked).
int64_t verification_time(const IngestState& s, const IngestOptions& options) {
  if (!options.test_mode) return clock::now_millis();
  if (auto header = s.http.request.find("x-hookd-test-clock"); header != s.http.request.end()) {
    int64_t seconds = 0;
    std::string_view text = header->value();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size()) return seconds * 1000;
  }
  return options.test_clock_millis > 0 ? options.test_clock_millis : clock::now_millis();
}

}  // namespace

bool signature_holds(const IngestState& s, const IngestOptions& options) {
  if (s.signature_verified) return true;
  if (!s.config->signature) return false;
  VerifyScope scope{{s.context, s.headers, s.http.request.body()},
                    &s.http,
                    verification_time(s, options),
                    &options.expression_limits};
  return s.config->signature->verify(scope).ok();
}

namespace {

// Checks the request's signature against the payload context built so far; on failure sets the answer: 401
// naming the failed step, or 500 when the account's or integration's configuration is at fault.
StageStatus check_signature(IngestState& s, const IngestOptions& options) {
  VerifyScope scope{{s.context, s.headers, s.http.request.body()},
                    &s.http,
                    verification_time(s, options),
                    &options.expression_limits};
  SignatureVerdict verdict = s.config->signature->verify(scope);
  if (verdict.ok()) {
    s.signature_verified = true;
    return StageStatus::proceed;
  }
  std::string_view code = failure_code(verdict.failure);
  if (is_config_failure(verdict.failure)) {
    log::error("ingest.signature_config_error",
               {{"account_id", s.account_id}, {"error", std::string(code)}, {"detail", verdict.detail}});
    s.response = error_response(Status::internal_server_error, code,
                                "the signature check of this account is misconfigured: " + verdict.detail);
    return StageStatus::stop;
  }
  metrics::registry()
      .counter("hookd_ingest_signature_failures_total", "Vendor requests refused by signature_verification.",
               "reason=\"" + std::string(code) + "\"")
      .inc();
  s.response = error_response(Status::unauthorized, code, verdict.detail);
  s.verdict = "signature_failed";
  return StageStatus::stop;
}

class ContextStage final : public Stage {
 public:
  explicit ContextStage(const IngestOptions& options) : options_(options) {}
  std::string_view name() const override { return "context"; }
  awaitable<StageStatus> run(IngestState& s) override {
    s.headers = headers_object(s.http.request);
    const auto& a = s.resolved.account;
    std::optional<std::string> url = request_url(s.http, options_.public_url, options_.trusted_proxies);
    // Where the config allows, the bytes are authenticated before any work is spent parsing them (in an
    // account's chain: the install-level chain has no account, hence no secret, yet).
    // Only for POST: another method must first be found to be a webhook at all (the method stage).
    // The body's bytes as a string value, copied once for both contexts below.
    json::Value raw_body(std::string_view(s.http.request.body()));
    if (s.install_id.empty() && s.http.request.method() == http::Verb::post &&
        s.config->signature_checkable_before_parsing()) {
      s.context =
          build_payload_context({s.http, s.headers, json::Value(), a.context,
                                 s.resolved.environment.variables, a.id, a.environment_id, url, raw_body});
      if (check_signature(s, options_) == StageStatus::stop) co_return StageStatus::stop;
    }
    auto body =
        parse_body(s.http.request[bhttp::field::content_type], s.http.request.body(), options_.body_limits);
    if (!body.ok()) {
      s.response = error_response(body.error());
      co_return StageStatus::stop;
    }
    s.body = std::move(body).value();
    s.context = build_payload_context({s.http, s.headers, s.body, a.context, s.resolved.environment.variables,
                                       a.id, a.environment_id, std::move(url), std::move(raw_body)});
    co_return StageStatus::proceed;
  }

 private:
  const IngestOptions& options_;
};

// What payload_transform returned, as the context later stages read: an object replaces the context but keeps
// what the request brought (the account context, environment variables, the bytes received); any other value
// becomes the body.
json::Value transformed_context(const json::Value& original, const json::Value& result) {
  static const json::Value kBody("body");
  static const json::Value kKept[] = {
      json::Value("context"), json::Value("environment_variables"), json::Value("raw_body"),
      json::Value("url"),     json::Value("integrated_account_id"), json::Value("environment_id")};
  json::ObjectBuilder b = result.is_object() ? json::ObjectBuilder(result) : json::ObjectBuilder(original);
  if (!result.is_object()) b.set(kBody, result.is_undefined() ? json::Value(nullptr) : result);
  for (const json::Value& keep : kKept)
    if (!b.find(keep.as_string())) b.set(keep, original.get(keep.as_string()));
  return std::move(b).build();
}

class TransformStage final : public Stage {
 public:
  explicit TransformStage(const IngestOptions& options) : options_(options) {}
  std::string_view name() const override { return "payload_transform"; }
  awaitable<StageStatus> run(IngestState& s) override {
    if (!s.config->payload_transform) co_return StageStatus::proceed;
    auto result = s.config->payload_transform->evaluate(s.context, options_.expression_limits);
    if (!result.ok()) {
      // A config problem, not the vendor's: 5xx so the vendor retries once the config is fixed.
      log::warn("ingest.transform_failed", {{"account_id", s.account_id}, {"error", result.error().message}});
      s.response = error_response(Status::internal_server_error, "transform_failed",
                                  "payload_transform failed: " + result.error().message);
      co_return StageStatus::stop;
    }
    s.transformed = std::move(result).value();
    s.context = transformed_context(s.context, s.transformed);
    co_return StageStatus::proceed;
  }

 private:
  const IngestOptions& options_;
};

class VerificationStage final : public Stage {
 public:
  VerificationStage(AccountResolver& resolver, const IngestOptions& options)
      : resolver_(resolver), options_(options) {}
  std::string_view name() const override { return "handle_verification"; }
  awaitable<StageStatus> run(IngestState& s) override {
    if (!s.config->handle_verification) co_return StageStatus::proceed;
    auto result = s.config->handle_verification->evaluate(s.context, options_.expression_limits);
    if (!result.ok()) {
      log::warn("ingest.verification_failed",
                {{"account_id", s.account_id}, {"error", result.error().message}});
      s.response = error_response(Status::internal_server_error, "verification_failed",
                                  "handle_verification failed: " + result.error().message);
      co_return StageStatus::stop;
    }
    const json::Value& v = *result;
    if (v.is_undefined() || v.is_null()) co_return StageStatus::proceed;
    if (!v.is_object()) {
      s.response = error_response(Status::internal_server_error, "verification_failed",
                                  "handle_verification must return an object with a type");
      co_return StageStatus::stop;
    }
    std::string_view type = v.get("type").string_or("payload");
    s.update_context = v.get("update_context");
    if (type == "payload") co_return StageStatus::proceed;
    if (type != "verify" && type != "meta") {
      s.response = error_response(
          Status::internal_server_error, "verification_failed",
          "handle_verification returned type '" + std::string(type) + "' (expected verify, meta or payload)");
      co_return StageStatus::stop;
    }
    // The answer first: a broken verification_response stores nothing.
    std::optional<http::Response> reply;
    if (type == "verify") {
      auto spec = parse_reply(v.get("verification_response"), "verification_response");
      if (!spec.ok()) {
        log::warn("ingest.verification_failed",
                  {{"account_id", s.account_id}, {"error", spec.error().message}});
        s.response = error_response(Status::internal_server_error, "verification_failed",
                                    "handle_verification returned an invalid " + spec.error().message);
        co_return StageStatus::stop;
      }
      reply = build_reply(*spec);
    }
    // `require_signature`: the answer is given only to a request whose signature holds (Discord's PING, Xero's
    // intent to receive, Zoom's URL validation: the vendor checks that a forged request is refused). Signed, its
    // context update is trusted as a payload's is.
    const bool require_signature = v.get("require_signature").bool_or(false);
    // At an environment integration's URL there is no account, hence no secret yet: the account's own chain
    // answers, after the lookup.
    if (require_signature && s.account_id.empty()) co_return StageStatus::proceed;
    if (require_signature) {
      if (!s.config->signature) {
        s.response = error_response(Status::internal_server_error, "verification_failed",
                                    "handle_verification asked for require_signature but the integration has "
                                    "no signature_verification");
        co_return StageStatus::stop;
      }
      if (!s.signature_verified && check_signature(s, options_) == StageStatus::stop)
        co_return StageStatus::stop;
      if (s.update_context.is_object()) {
        auto merged = co_await resolver_.merge_account_context(s.account_id, s.update_context);
        if (!merged.ok()) {
          s.response = error_response(merged.error());
          co_return StageStatus::stop;
        }
      }
    } else if (s.update_context.is_object() && s.account_id.empty()) {
      // Handshakes and meta events are answered without a signature check, yet their context update is stored
      // now (a vendor may hand over the signing secret in the handshake itself) under handshake.h's rule. A
      // handshake at an environment integration's URL names no account yet: nothing to update.
      log::warn("ingest.update_context_ignored",
                {{"environment_integration_id", s.install_id}, {"reason", "no integrated account"}});
    } else if (s.update_context.is_object()) {
      if (co_await store_handshake_context(s, resolver_, options_) == StageStatus::stop)
        co_return StageStatus::stop;
    }
    s.verdict = reply ? "verify" : "meta";
    if (reply) {
      s.response = std::move(reply);
    } else {
      json::ObjectBuilder b;
      b.set("status", "ignored").set("reason", "meta event");
      s.response = http::json_response(Status::ok, std::move(b).build());
    }
    co_return StageStatus::stop;
  }

 private:
  AccountResolver& resolver_;
  const IngestOptions& options_;
};

class SignatureStage final : public Stage {
 public:
  explicit SignatureStage(const IngestOptions& options) : options_(options) {}
  std::string_view name() const override { return "signature_verification"; }
  awaitable<StageStatus> run(IngestState& s) override {
    if (!s.config->signature || s.signature_verified) co_return StageStatus::proceed;
    co_return check_signature(s, options_);
  }

 private:
  const IngestOptions& options_;
};

}  // namespace

std::unique_ptr<Stage> make_resolve_stage(AccountResolver& resolver, WebhookConfigCache& configs) {
  return std::make_unique<ResolveStage>(resolver, configs);
}
std::unique_ptr<Stage> make_context_stage(const IngestOptions& options) {
  return std::make_unique<ContextStage>(options);
}
std::unique_ptr<Stage> make_transform_stage(const IngestOptions& options) {
  return std::make_unique<TransformStage>(options);
}
std::unique_ptr<Stage> make_verification_stage(AccountResolver& resolver, const IngestOptions& options) {
  return std::make_unique<VerificationStage>(resolver, options);
}
std::unique_ptr<Stage> make_signature_stage(const IngestOptions& options) {
  return std::make_unique<SignatureStage>(options);
}

}  // namespace hookd::ingest
