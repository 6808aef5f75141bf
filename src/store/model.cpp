#include "store/model.h"

#include "core/clock.h"

namespace hookd::store {

namespace {

// Reads fields out of a stored record, remembering the first problem instead of failing at each call.
class Reader {
 public:
  Reader(const json::Value& v, std::string_view what) : v_(v), what_(what) {
    if (!v.is_object()) fail("is not an object");
  }
  std::string str(std::string_view key, bool required = true) {
    const json::Value& f = v_.get(key);
    if (f.is_string()) return std::string(f.as_string());
    if (required && (f.is_undefined() || f.is_null()))
      fail(std::string(key) + " is missing");
    else if (!f.is_undefined() && !f.is_null())
      fail(std::string(key) + " is not a string");
    return {};
  }
  bool boolean(std::string_view key, bool fallback) { return v_.get(key).bool_or(fallback); }
  int64_t integer(std::string_view key, int64_t fallback = 0) {
    return static_cast<int64_t>(v_.get(key).number_or(static_cast<double>(fallback)));
  }
  int64_t time(std::string_view key) {
    const json::Value& f = v_.get(key);
    if (f.is_number()) return static_cast<int64_t>(f.as_number());
    if (f.is_string())
      if (auto t = clock::parse_iso8601(f.as_string())) return *t;
    return 0;
  }
  json::Value object(std::string_view key) {
    const json::Value& f = v_.get(key);
    return f.is_object() ? f : json::Value::empty_object();
  }
  json::Value any(std::string_view key) {
    const json::Value& f = v_.get(key);
    return f.is_undefined() ? json::Value(nullptr) : f;
  }
  std::vector<std::string> strings(std::string_view key) {
    std::vector<std::string> out;
    const json::Value& f = v_.get(key);
    if (f.is_array())
      for (const auto& item : f.as_array())
        if (item.is_string()) out.emplace_back(item.as_string());
    return out;
  }
  template <typename T>
  Result<T> finish(T value) {
    if (!error_.empty()) return make_error(StoreErrc::corrupt_record, std::string(what_) + ": " + error_);
    return value;
  }

 private:
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  const json::Value& v_;
  std::string_view what_;
  std::string error_;
};

}  // namespace

json::Value time_value(int64_t unix_millis) {
  return json::Value(clock::iso8601(unix_millis));
}

std::string_view to_string(AccountStatus s) noexcept {
  switch (s) {
    case AccountStatus::active:
      return "active";
    case AccountStatus::connecting:
      return "connecting";
    case AccountStatus::post_install_error:
      return "post_install_error";
    case AccountStatus::validation_error:
      return "validation_error";
    case AccountStatus::needs_reauth:
      return "needs_reauth";
  }
  return "active";
}

std::optional<AccountStatus> account_status_from(std::string_view s) noexcept {
  for (auto st : {AccountStatus::active, AccountStatus::connecting, AccountStatus::post_install_error,
                  AccountStatus::validation_error, AccountStatus::needs_reauth})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

bool Webhook::wants(std::string_view event_type) const {
  if (event_types.empty()) return true;
  for (const auto& t : event_types) {
    if (t == event_type || t == "*") return true;
    // "record:*" subscribes to every record event.
    if (t.size() >= 2 && t.back() == '*' &&
        event_type.substr(0, t.size() - 1) == std::string_view(t).substr(0, t.size() - 1))
      return true;
  }
  return false;
}

json::Value to_json(const Environment& e) {
  json::ObjectBuilder b;
  b.set("id", e.id).set("name", e.name).set("variables", e.variables);
  b.set("created_at", time_value(e.created_at)).set("updated_at", time_value(e.updated_at));
  return std::move(b).build();
}

json::Value to_json(const ApiToken& t) {
  json::ObjectBuilder b;
  b.set("id", t.id).set("environment_id", t.environment_id).set("name", t.name).set("prefix", t.prefix);
  b.set("hash", t.hash).set("created_at", time_value(t.created_at));
  return std::move(b).build();
}

json::Value to_json(const Integration& i) {
  json::ObjectBuilder b;
  b.set("id", i.id).set("name", i.name).set("category", i.category).set("is_beta", i.is_beta);
  b.set("config", i.config).set("version", json::Value(i.version));
  b.set("created_at", time_value(i.created_at)).set("updated_at", time_value(i.updated_at));
  return std::move(b).build();
}

json::Value to_json(const EnvironmentIntegration& e) {
  json::ObjectBuilder b;
  b.set("id", e.id).set("environment_id", e.environment_id).set("integration_id", e.integration_id);
  b.set("override", e.override_config).set("is_enabled", e.is_enabled).set("version", json::Value(e.version));
  b.set("created_at", time_value(e.created_at)).set("updated_at", time_value(e.updated_at));
  return std::move(b).build();
}

json::Value to_json(const IntegratedAccount& a) {
  json::ObjectBuilder b;
  b.set("id", a.id).set("tenant_id", a.tenant_id).set("environment_id", a.environment_id);
  b.set("environment_integration_id", a.environment_integration_id).set("integration_id", a.integration_id);
  b.set("context", a.context).set("status", json::Value(to_string(a.status)));
  b.set("last_error", a.last_error.is_undefined() ? json::Value(nullptr) : a.last_error);
  b.set("last_action_result",
        a.last_action_result.is_undefined() ? json::Value(nullptr) : a.last_action_result);
  b.set("authentication_method", a.authentication_method)
      .set("region", a.region)
      .set("is_sandbox", a.is_sandbox);
  b.set("version", json::Value(a.version));
  b.set("created_at", time_value(a.created_at)).set("updated_at", time_value(a.updated_at));
  return std::move(b).build();
}

namespace {

// The fields of both forms; `with_secrets` adds the signing secrets (the stored form, and the answers that
// show them once).
json::Value webhook_json(const Webhook& w, bool with_secrets) {
  json::ObjectBuilder b;
  std::vector<json::Value> types;
  for (const auto& t : w.event_types)
    types.emplace_back(t);
  b.set("id", w.id).set("environment_id", w.environment_id).set("target_url", w.target_url);
  b.set("is_active", w.is_active).set("event_types", json::Value::array(std::move(types)));
  if (with_secrets) {
    b.set("secret", w.secret);
    if (!w.previous_secret.empty()) {
      b.set("previous_secret", w.previous_secret);
      b.set("previous_secret_expires_at", time_value(w.previous_secret_expires_at));
    }
  }
  if (!w.disabled_reason.empty()) b.set("disabled_reason", w.disabled_reason);
  b.set("ordering", w.ordering.empty() ? std::string("none") : w.ordering);
  b.set("created_at", time_value(w.created_at)).set("updated_at", time_value(w.updated_at));
  return std::move(b).build();
}

}  // namespace

json::Value to_json(const Webhook& w) {
  return webhook_json(w, true);
}

json::Value to_public_json(const Webhook& w) {
  return webhook_json(w, false);
}

Result<Environment> environment_from_json(const json::Value& v) {
  Reader r(v, "environment");
  Environment e{r.str("id"), r.str("name"), r.object("variables"), r.time("created_at"),
                r.time("updated_at")};
  return r.finish(std::move(e));
}

Result<ApiToken> api_token_from_json(const json::Value& v) {
  Reader r(v, "api token");
  ApiToken t{r.str("id"),     r.str("environment_id"), r.str("name", false),
             r.str("prefix"), r.str("hash"),           r.time("created_at")};
  return r.finish(std::move(t));
}

Result<Integration> integration_from_json(const json::Value& v) {
  Reader r(v, "integration");
  Integration i{
      r.str("id"),        r.str("name"),           r.str("category", false), r.boolean("is_beta", false),
      r.object("config"), r.integer("version", 1), r.time("created_at"),     r.time("updated_at")};
  return r.finish(std::move(i));
}

Result<EnvironmentIntegration> environment_integration_from_json(const json::Value& v) {
  Reader r(v, "environment integration");
  EnvironmentIntegration e{r.str("id"),          r.str("environment_id"),       r.str("integration_id"),
                           r.object("override"), r.boolean("is_enabled", true), r.integer("version", 1),
                           r.time("created_at"), r.time("updated_at")};
  return r.finish(std::move(e));
}

Result<IntegratedAccount> integrated_account_from_json(const json::Value& v) {
  Reader r(v, "integrated account");
  IntegratedAccount a;
  a.id = r.str("id");
  a.tenant_id = r.str("tenant_id");
  a.environment_id = r.str("environment_id");
  a.environment_integration_id = r.str("environment_integration_id");
  a.integration_id = r.str("integration_id");
  a.context = r.object("context");
  a.status = account_status_from(r.str("status")).value_or(AccountStatus::active);
  a.last_error = r.any("last_error");
  a.last_action_result = r.any("last_action_result");
  a.authentication_method = r.str("authentication_method", false);
  a.region = r.str("region", false);
  a.is_sandbox = r.boolean("is_sandbox", false);
  a.version = r.integer("version", 1);
  a.created_at = r.time("created_at");
  a.updated_at = r.time("updated_at");
  return r.finish(std::move(a));
}

Result<Webhook> webhook_from_json(const json::Value& v) {
  Reader r(v, "webhook");
  Webhook w;
  w.id = r.str("id");
  w.environment_id = r.str("environment_id");
  w.target_url = r.str("target_url");
  w.is_active = r.boolean("is_active", true);
  w.event_types = r.strings("event_types");
  w.secret = r.str("secret");
  w.previous_secret = r.str("previous_secret", false);
  w.previous_secret_expires_at = r.time("previous_secret_expires_at");
  w.disabled_reason = r.str("disabled_reason", false);
  w.ordering = r.str("ordering", false);
  if (w.ordering == "none") w.ordering.clear();
  w.created_at = r.time("created_at");
  w.updated_at = r.time("updated_at");
  return r.finish(std::move(w));
}

}  // namespace hookd::store
