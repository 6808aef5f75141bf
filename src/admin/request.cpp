#include "admin/request.h"

#include <algorithm>

#include "admin/rate_limit.h"
#include "core/crypto.h"
#include "core/log.h"

namespace hookd::admin {

awaitable<std::optional<Principal>> authenticate(AdminContext& ctx, const http::RequestContext& req,
                                                 http::Response& error) {
  std::string_view auth = req.request[bhttp::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || !beast::iequals(auth.substr(0, kBearer.size()), kBearer)) {
    error = http::error_response(http::Status::unauthorized, "unauthorized",
                                 "missing bearer token (Authorization: Bearer <token>)");
    error.set(bhttp::field::www_authenticate, "Bearer");
    co_return std::nullopt;
  }
  std::string_view token = auth.substr(kBearer.size());
  // Compare hashes, not tokens: the comparison's time then says nothing about the operator token.
  std::string hash = crypto::sha256_hex(token);
  if (!ctx.options.operator_token.empty() &&
      crypto::constant_time_equal(hash, crypto::sha256_hex(ctx.options.operator_token)))
    co_return Principal{true, {}, "operator"};
  auto t = co_await ctx.store.find_token(hash);
  if (t.ok()) co_return Principal{false, t->environment_id, t->id};
  if (t.error().is(Fault::unavailable)) {
    error = http::error_response(t.error());
    co_return std::nullopt;
  }
  error = http::error_response(http::Status::unauthorized, "unauthorized", "invalid or revoked token");
  error.set(bhttp::field::www_authenticate, "Bearer error=\"invalid_token\"");
  co_return std::nullopt;
}

std::optional<json::Value> object_body(const http::RequestContext& req, http::Response& error) {
  const std::string& body = req.request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::Value::empty_object();
  json::Value v;
  json::ParseError err;
  if (!json::parse(body, v, &err)) {
    error = http::error_response(http::Status::bad_request, "malformed_json",
                                 "the body is not valid JSON: " + err.describe());
    return std::nullopt;
  }
  if (!v.is_object()) {
    error =
        http::error_response(http::Status::bad_request, "validation_error", "the body must be a JSON object");
    return std::nullopt;
  }
  return v;
}

http::Response validation_error(std::string_view field, std::string_view problem) {
  json::ObjectBuilder b;
  b.set("error", "validation_error").set("message", std::string(field) + ": " + std::string(problem));
  b.set("field", json::Value(field));
  return http::json_response(http::Status::bad_request, std::move(b).build());
}

http::Response not_found(std::string_view what, std::string_view id) {
  return http::error_response(http::Status::not_found, "not_found",
                              std::string(what) + " " + std::string(id) + " not found");
}

awaitable<std::optional<store::Webhook>> load_webhook(AdminContext& c, std::string_view id,
                                                      const Principal& p, http::Response& error) {
  auto w = co_await c.store.get_webhook(id);
  if (w.ok() && w->environment_id == p.environment_id) co_return std::move(w).value();
  error = !w.ok() && w.error().code != store::StoreErrc::not_found ? http::error_response(w.error())
                                                                   : not_found("webhook", id);
  co_return std::nullopt;
}

std::optional<size_t> page_limit(const http::RequestContext& req, size_t def, size_t max,
                                 http::Response& error) {
  const std::string* v = req.query_value("limit");
  if (!v) return def;
  size_t n = 0;
  bool ok = !v->empty() && v->size() < 7;
  for (char c : *v)
    ok = ok && c >= '0' && c <= '9';
  if (ok) n = std::stoul(*v);
  if (!ok || n < 1 || n > max) {
    error = validation_error("limit", "must be a whole number from 1 to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

http::Response page_response(std::vector<json::Value> items, const std::string& next_cursor) {
  json::ObjectBuilder b;
  b.set("result", json::Value::array(std::move(items)));
  b.set("next_cursor", next_cursor.empty() ? json::Value(nullptr) : json::Value(next_cursor));
  return http::json_response(http::Status::ok, std::move(b).build());
}

http::Response list_page(const http::RequestContext& req, std::vector<json::Value> items) {
  http::Response error;
  auto limit = page_limit(req, 100, 500, error);
  if (!limit) return error;
  using Key = std::pair<std::string_view, std::string_view>;
  auto key = [](const json::Value& v) -> Key {
    return {v.get("created_at").string_or(""), v.get("id").string_or("")};
  };
  std::sort(items.begin(), items.end(),
            [&](const json::Value& a, const json::Value& b) { return key(a) < key(b); });
  auto begin = items.begin();
  if (const std::string* cursor = req.query_value("cursor")) {
    auto raw = crypto::from_base64(*cursor);
    size_t sep = raw ? raw->find('\n') : std::string::npos;
    if (sep == std::string::npos) return validation_error("cursor", "is not one this API returned");
    Key after{std::string_view(*raw).substr(0, sep), std::string_view(*raw).substr(sep + 1)};
    begin = std::upper_bound(items.begin(), items.end(), after,
                             [&](const Key& k, const json::Value& v) { return k < key(v); });
  }
  auto end = static_cast<size_t>(items.end() - begin) > *limit ? begin + static_cast<std::ptrdiff_t>(*limit)
                                                               : items.end();
  std::string next;
  if (end != items.end()) {
    Key last = key(*(end - 1));
    next = crypto::base64(std::string(last.first) + "\n" + std::string(last.second), true, false);
  }
  return page_response(std::vector<json::Value>(begin, end), next);
}

awaitable<bool> publish(AdminContext& ctx, std::string type, std::string environment_id, json::Value payload,
                        std::string integrated_account_id) {
  Event event = make_event(std::move(type), std::move(environment_id), std::move(payload),
                           std::move(integrated_account_id));
  co_return co_await publish_event(ctx, event);
}

awaitable<bool> publish_event(AdminContext& ctx, const Event& event) {
  bus::OutgoingMessage m{
      event.integrated_account_id.empty() ? event.environment_id : event.integrated_account_id,
      serialize_event(event),
      {{"event", event.type}, {"event_id", event.id}}};
  if (error_code ec = co_await ctx.producer->publish(m)) {
    log::error("admin.event_not_published",
               {{"event_id", event.id}, {"event", event.type}, {"error", ec.message()}});
    co_return false;
  }
  co_return true;
}

std::optional<http::Response> rate_limited(AdminContext& ctx, const Principal& p) {
  std::chrono::milliseconds wait{0};
  if (!ctx.limiter || ctx.limiter->allow(p.token_id, &wait)) return std::nullopt;
  auto res = http::error_response(http::Status::too_many_requests, "too_many_requests",
                                  "this token is over its request rate (" +
                                      std::to_string(static_cast<int>(ctx.options.rate_limit_per_second)) +
                                      "/s); retry later");
  res.set(bhttp::field::retry_after, std::to_string(std::max<int64_t>(1, (wait.count() + 999) / 1000)));
  return res;
}

http::Handler environment_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler) {
  return [ctx, handler = std::move(handler)](http::RequestContext& req) -> awaitable<http::Response> {
    http::Response error;
    auto principal = co_await authenticate(*ctx, req, error);
    if (!principal) co_return error;
    if (principal->is_operator)
      co_return http::error_response(
          http::Status::forbidden, "forbidden",
          "this route works inside an environment: use that environment's API token");
    if (auto limited = rate_limited(*ctx, *principal)) co_return std::move(*limited);
    co_return co_await handler(*ctx, req, *principal);
  };
}

http::Handler operator_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler) {
  return [ctx, handler = std::move(handler)](http::RequestContext& req) -> awaitable<http::Response> {
    http::Response error;
    auto principal = co_await authenticate(*ctx, req, error);
    if (!principal) co_return error;
    if (!principal->is_operator)
      co_return http::error_response(http::Status::forbidden, "forbidden",
                                     "this route needs the operator token");
    if (auto limited = rate_limited(*ctx, *principal)) co_return std::move(*limited);
    co_return co_await handler(*ctx, req, *principal);
  };
}

http::Handler any_token_route(std::shared_ptr<AdminContext> ctx, EnvHandler handler) {
  return [ctx, handler = std::move(handler)](http::RequestContext& req) -> awaitable<http::Response> {
    http::Response error;
    auto principal = co_await authenticate(*ctx, req, error);
    if (!principal) co_return error;
    if (auto limited = rate_limited(*ctx, *principal)) co_return std::move(*limited);
    co_return co_await handler(*ctx, req, *principal);
  };
}

}  // namespace hookd::admin
