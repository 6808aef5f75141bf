// Events: what travels through Kafka from ingest and admin to dispatch, and what customers receive.
//
// On the wire to customers (Truto's envelope): { id, event, payload, environment_id, created_at, webhook_id
// }. On Kafka the same object without webhook_id (one record serves every endpoint of the environment). `id`
// is assigned once, when the event is created, and never changes: retries and replays carry it unchanged, so
// receivers de-duplicate by it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "hookd/json.h"

namespace hookd {

struct Event {
  std::string id;
  std::string type;  // "record:created", "integrated_account:active", ...
  std::string environment_id;
  std::string integrated_account_id;  // the Kafka key when set (one account's events stay in order)
  json::Value payload;
  int64_t created_at = 0;  // unix ms
  // Set for an event meant for one endpoint only (POST /webhook/test); never part of the envelope.
  std::string target_webhook_id;
};

// Every event type hookd knows (Truto's list plus hookd's own `webhook:disabled`), for validation and docs.
std::span<const std::string_view> event_types() noexcept;
bool is_event_type(std::string_view type) noexcept;
// Types internal producers may publish through POST /event (all but the ones only hookd itself emits).
bool is_publishable_event_type(std::string_view type) noexcept;
// A subscription pattern: an exact type, "*", or "prefix:*" ("record:*").
bool is_event_type_pattern(std::string_view pattern) noexcept;

// A new event with a fresh time-ordered id and the current time.
Event make_event(std::string type, std::string environment_id, json::Value payload,
                 std::string integrated_account_id = {});

// Kafka record value.
std::string serialize_event(const Event& e);
Result<Event> parse_event(std::string_view text);

// What a customer's endpoint receives for this event.
json::Value envelope(const Event& e, std::string_view webhook_id);

// An event read from its Kafka record without building its payload: what the dispatcher routes, schedules and
// signs with. `payload` is the payload's JSON text as the record holds it (a view into the record's text,
// which must outlive this).
struct EventRecord {
  Event header;  // every field; payload left undefined
  std::string_view payload;
};
Result<EventRecord> read_event_record(std::string_view text);
// The envelope's JSON text, as json::dump(envelope(...)) writes it, with the payload copied as text.
std::string envelope_json(const EventRecord& e, std::string_view webhook_id);

}  // namespace hookd
