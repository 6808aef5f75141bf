#include "ingest/event_builder.h"

#include <cctype>

#include "core/crypto.h"
#include "core/ids.h"

namespace hookd::ingest {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  for (auto n : needles)
    if (haystack.find(n) != std::string::npos) return true;
  return false;
}

bool is_normalized(const json::Value& e) {
  return e.is_object() && (e.contains("event_type") || e.contains("resource") || e.contains("record"));
}

// The words a vendor uses to say what happened, from headers and the element.
std::string vendor_words(const json::Value& headers, const json::Value& element) {
  std::string words;
  auto add = [&](const json::Value& v) {
    if (v.is_string()) {
      words += ' ';
      words += v.as_string();
    }
  };
  add(headers.get("x-shopify-topic"));
  add(headers.get("x-github-event"));
  if (element.is_object()) {
    add(element.get("type"));
    add(element.get("event_type"));
    add(element.get("event").get("type"));
    add(element.get("action"));
    add(element.get("topic"));
    add(element.get("subscriptionType"));
    add(element.get("eventType"));
  }
  return words;
}

std::string vendor_delivery_id(const json::Value& headers, const json::Value& body) {
  if (std::string id = delivery_id_from_headers(headers); !id.empty()) return id;
  if (body.is_object()) {
    for (const char* k : {"event_id", "eventId"}) {
      const json::Value& v = body.get(k);
      if (v.is_string()) return std::string(v.as_string());
      if (v.is_number()) {
        std::string s;
        json::write_number(s, v.as_number());
        return s;
      }
    }
    const json::Value& id = body.get("id");
    if (id.is_string() && id.as_string().substr(0, 4) == "evt_") return std::string(id.as_string());
  }
  return {};
}

json::Value id_value(const std::string& id) {
  return id.empty() ? json::Value(nullptr) : json::Value(id);
}

}  // namespace

std::string delivery_id_from_headers(const json::Value& headers) {
  for (const char* h : {"x-github-delivery", "x-shopify-webhook-id", "webhook-id", "svix-id", "x-webhook-id",
                        "x-event-id", "idempotency-key"}) {
    const json::Value& v = headers.get(h);
    if (v.is_string() && !v.as_string().empty()) return std::string(v.as_string());
  }
  return {};
}

std::string record_type_from_words(std::string_view words) {
  std::string w = lower(words);
  if (w == "created" || w == "record:created") return "record:created";
  if (w == "updated" || w == "record:updated") return "record:updated";
  if (w == "deleted" || w == "record:deleted") return "record:deleted";
  if (w == "meta" || w == "record:meta") return "record:meta";
  if (contains_any(w, {"delet", "remov", "destroy", "archiv"})) return "record:deleted";
  if (contains_any(w, {"updat", "chang", "edit", "modif"})) return "record:updated";
  if (contains_any(w, {"creat", "added", ".add", "/add", "new", "insert", "opened"})) return "record:created";
  return "record:updated";
}

size_t count_record_events(const EventSource& s) {
  const json::Value& root = s.transformed.is_undefined() ? s.body : s.transformed;
  return root.is_array() ? root.size() : 1;
}

bool makes_record_events(const EventSource& s) {
  const json::Value* root = s.transformed.is_undefined() ? &s.body : &s.transformed;
  if (root->is_array()) return root->size() > 0;
  if (!s.transformed.is_undefined() && s.transformed.is_object() && !is_normalized(s.transformed))
    root = &s.transformed.get("body");
  return !root->is_undefined() && !root->is_null();
}

std::vector<Event> build_record_events(const EventSource& s) {
  const json::Value& root = s.transformed.is_undefined() ? s.body : s.transformed;
  std::vector<json::Value> elements;
  bool fanned_out = root.is_array();
  // Only what a transform returned may be a normalized record: a vendor's own body is the record even when
  // it happens to have an `event_type`, `resource` or `record` field (Paddle, PayPal).
  bool from_transform = !s.transformed.is_undefined();
  if (fanned_out) {
    elements = root.as_array();
  } else if (from_transform && s.transformed.is_object() && !is_normalized(s.transformed)) {
    // A transform that returned a whole payload context: its body is the record.
    elements.push_back(s.transformed.get("body"));
    from_transform = false;
  } else {
    elements.push_back(root);
  }

  const bool configured = !s.delivery_id.empty();
  std::string header_id = configured ? std::string(s.delivery_id) : vendor_delivery_id(s.headers, s.body);
  // What identifies this request: a retry of it has the same account, delivery id header and bytes; with a
  // configured delivery id, the same account and id whatever the bytes (a distinct prefix keeps the two kinds
  // of name apart).
  std::string request_name = configured
                                 ? s.account.id + "\ndelivery-id\n" + header_id + '\n'
                                 : s.account.id + '\n' + header_id + '\n' +
                                       crypto::hex(crypto::hash(crypto::Digest::sha256, s.raw_body)) + '\n';
  // The payload's member names, made once (not a string node each per event).
  static const struct {
    json::Value account_id{"integrated_account_id"}, tenant_id{"tenant_id"},
        install_id{"environment_integration_id"}, integration{"integration"}, resource{"resource"},
        vendor_event_id{"vendor_event_id"}, record{"record"};
  } keys;
  std::vector<Event> events;
  events.reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    const json::Value& e = elements[i];
    std::string type;
    json::Value record = e;
    json::ObjectBuilder payload(12);
    payload.append_unique(keys.account_id, s.account.id);
    payload.append_unique(keys.tenant_id, s.account.tenant_id);
    payload.append_unique(keys.install_id, s.account.environment_integration_id);
    payload.append_unique(keys.integration, s.integration.name);
    std::string vendor_id;
    if (from_transform && is_normalized(e)) {
      const json::Value& et = e.get("event_type");
      type = et.is_string() ? record_type_from_words(et.as_string())
                            : record_type_from_words(vendor_words(s.headers, e.get("record")));
      record = e.contains("record") ? e.get("record") : e.contains("body") ? e.get("body") : e;
      payload.append_unique(keys.resource, e.contains("resource") ? e.get("resource") : json::Value(nullptr));
      for (const char* pass : {"raw_event_type", "method", "method_config"})
        if (e.contains(pass)) payload.set(pass, e.get(pass));
      const json::Value& id = e.get("id");
      if (id.is_string())
        vendor_id = id.as_string();
      else if (id.is_number())
        json::write_number(vendor_id, id.as_number());
    } else {
      std::string words = vendor_words(s.headers, e);
      type = record_type_from_words(words);
      payload.append_unique(keys.resource, nullptr);
      if (!words.empty()) payload.set("raw_event_type", std::string(words.substr(1)));
      if (fanned_out) vendor_id = vendor_delivery_id(json::Value::empty_object(), e);
    }
    if (vendor_id.empty() && !header_id.empty())
      vendor_id = fanned_out ? header_id + "#" + std::to_string(i) : header_id;
    payload.set(keys.vendor_event_id, id_value(vendor_id));
    payload.set(keys.record, record.is_undefined() ? json::Value(nullptr) : record);
    events.push_back(
        make_event(std::move(type), s.account.environment_id, std::move(payload).build(), s.account.id));
    events.back().id = ids::uuid_from_name(request_name + std::to_string(i));
  }
  return events;
}

}  // namespace hookd::ingest
