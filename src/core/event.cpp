#include "core/event.h"

#include <array>
#include <optional>

#include "core/clock.h"
#include "core/ids.h"

namespace hookd {

namespace {

constexpr std::array<std::string_view, 37> kTypes = {
    "integrated_account:created",
    "integrated_account:updated",
    "integrated_account:deleted",
    "integrated_account:active",
    "integrated_account:reactivated",
    "integrated_account:authentication_error",
    "integrated_account:forbidden_error",
    "integrated_account:post_install_error",
    "integrated_account:validation_error",
    "integrated_account:post_connect_form_submitted",
    "sync_job_run:created",
    "sync_job_run:updated",
    "sync_job_run:started",
    "sync_job_run:completed",
    "sync_job_run:failed",
    "sync_job_run:deleted",
    "sync_job_run:record",
    "sync_job_run:record_error",
    "sync_job_run:rate_limited",
    "record:created",
    "record:updated",
    "record:deleted",
    "record:meta",
    "environment_integration:created",
    "environment_integration:updated",
    "environment_integration:deleted",
    "api_token:created",
    "api_token:deleted",
    "sync_job_cron_trigger:failed",
    "batch_job:created",
    "batch_job:updated",
    "batch_job:started",
    "batch_job:completed",
    "batch_job:failed",
    "batch_job:deleted",
    "test",
    "webhook:disabled",
};

}  // namespace

std::span<const std::string_view> event_types() noexcept {
  return kTypes;
}

bool is_event_type(std::string_view type) noexcept {
  for (auto t : kTypes)
    if (t == type) return true;
  return false;
}

bool is_publishable_event_type(std::string_view type) noexcept {
  return is_event_type(type) && type != "webhook:disabled";
}

bool is_event_type_pattern(std::string_view pattern) noexcept {
  if (pattern == "*" || is_event_type(pattern)) return true;
  if (pattern.size() < 3 || pattern.substr(pattern.size() - 2) != ":*") return false;
  std::string_view prefix = pattern.substr(0, pattern.size() - 1);  // "record:"
  for (auto t : kTypes)
    if (t.substr(0, prefix.size()) == prefix) return true;
  return false;
}

Event make_event(std::string type, std::string environment_id, json::Value payload,
                 std::string integrated_account_id) {
  Event e;
  e.created_at = clock::now_millis();
  e.id = ids::uuid_v7(e.created_at);
  e.type = std::move(type);
  e.environment_id = std::move(environment_id);
  e.integrated_account_id = std::move(integrated_account_id);
  e.payload = std::move(payload);
  return e;
}

// The text of the event's JSON object, written directly: a tree of its seven members (their strings copied into
// nodes, then freed) cost more than writing them.
std::string serialize_event(const Event& e) {
  return json::build_text([&e](std::string& out) {
    out += "{\"id\":";
    json::write_string(out, e.id);
    out += ",\"event\":";
    json::write_string(out, e.type);
    // (A function is no JSON: left out, as JSON.stringify leaves out a member holding one.)
    if (!e.payload.is_function()) {
      out += ",\"payload\":";
      if (e.payload.is_undefined())
        out += "null";
      else
        json::write(out, e.payload);
    }
    out += ",\"environment_id\":";
    json::write_string(out, e.environment_id);
    out += ",\"created_at\":";
    json::write_string(out, clock::iso8601(e.created_at));
    if (!e.integrated_account_id.empty()) {
      out += ",\"integrated_account_id\":";
      json::write_string(out, e.integrated_account_id);
    }
    if (!e.target_webhook_id.empty()) {
      out += ",\"target_webhook_id\":";
      json::write_string(out, e.target_webhook_id);
    }
    out.push_back('}');
  });
}

Result<Event> parse_event(std::string_view text) {
  json::Value v;
  json::ParseError err;
  if (!json::parse(text, v, &err))
    return make_error(CoreErrc::malformed_event, "event is not JSON: " + err.message);
  const json::Value& id = v.get("id");
  const json::Value& type = v.get("event");
  const json::Value& env = v.get("environment_id");
  if (!id.is_string() || !type.is_string() || !env.is_string())
    return make_error(CoreErrc::malformed_event, "event lacks id, event or environment_id");
  Event e;
  e.id = std::string(id.as_string());
  e.type = std::string(type.as_string());
  e.environment_id = std::string(env.as_string());
  e.integrated_account_id = std::string(v.get("integrated_account_id").string_or(""));
  e.target_webhook_id = std::string(v.get("target_webhook_id").string_or(""));
  e.payload = v.get("payload");
  e.created_at = clock::parse_iso8601(v.get("created_at").string_or("")).value_or(0);
  return e;
}

json::Value envelope(const Event& e, std::string_view webhook_id) {
  json::ObjectBuilder b(6);
  b.append_unique("id", json::Value(e.id));
  b.append_unique("event", json::Value(e.type));
  b.append_unique("payload", e.payload.is_undefined() ? json::Value(nullptr) : e.payload);
  b.append_unique("environment_id", json::Value(e.environment_id));
  b.append_unique("created_at", json::Value(clock::iso8601(e.created_at)));
  b.append_unique("webhook_id", json::Value(webhook_id));
  return std::move(b).build();
}

namespace {

// A member's value when it is a JSON string: its text (escapes resolved), nullopt otherwise.
std::optional<std::string> string_member(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"') return std::nullopt;
  if (raw.find('\\') == std::string_view::npos) return std::string(raw.substr(1, raw.size() - 2));
  json::Value v;
  if (!json::parse(raw, v) || !v.is_string()) return std::nullopt;
  return std::string(v.as_string());
}

}  // namespace

Result<EventRecord> read_event_record(std::string_view text) {
  static constexpr std::string_view kNames[] = {
      "id", "event", "environment_id", "created_at", "payload", "integrated_account_id", "target_webhook_id"};
  std::string_view raw[std::size(kNames)];
  if (!json::raw_members(text, kNames, raw))
    return make_error(CoreErrc::malformed_event, "event is not a JSON object");
  auto id = string_member(raw[0]);
  auto type = string_member(raw[1]);
  auto env = string_member(raw[2]);
  if (!id || !type || !env)
    return make_error(CoreErrc::malformed_event, "event lacks id, event or environment_id");
  EventRecord r;
  r.header.id = std::move(*id);
  r.header.type = std::move(*type);
  r.header.environment_id = std::move(*env);
  r.header.created_at = clock::parse_iso8601(string_member(raw[3]).value_or("")).value_or(0);
  r.payload = raw[4].empty() ? std::string_view("null") : raw[4];
  r.header.integrated_account_id = string_member(raw[5]).value_or("");
  r.header.target_webhook_id = string_member(raw[6]).value_or("");
  return r;
}

std::string envelope_json(const EventRecord& e, std::string_view webhook_id) {
  std::string out;
  out.reserve(e.payload.size() + 256);
  out += "{\"id\":";
  json::write_string(out, e.header.id);
  out += ",\"event\":";
  json::write_string(out, e.header.type);
  out += ",\"payload\":";
  out += e.payload;
  out += ",\"environment_id\":";
  json::write_string(out, e.header.environment_id);
  out += ",\"created_at\":";
  json::write_string(out, clock::iso8601(e.header.created_at));
  out += ",\"webhook_id\":";
  json::write_string(out, webhook_id);
  out += '}';
  return out;
}

}  // namespace hookd
