// Step 8's input: the `record:*` events a vendor webhook becomes.
//
// What is an event: the payload context's `body`, or what payload_transform returned. An array fans out: one
// event per element (HubSpot, for one, posts arrays of events). An element a transform returned that is an
// object with any of `event_type`, `resource` or `record` is a normalized record (a vendor's own body never
// is, whatever its fields): it names its type (`created` or
// `record:created`), its resource and its record (`record`, else `body`, else the element); `raw_event_type`,
// `method`, `method_config` and `id` pass through. Anything else is the record itself.
//
// The type, when nothing names it, comes from what the vendor says the event is (X-Shopify-Topic,
// X-GitHub-Event with `action`, `type`, `event_type`, `event.type`, `action`, `topic`, `subscriptionType`,
// `eventType`): a word meaning delete/remove gives record:deleted, create/add/new gives record:created,
// anything else record:updated.
//
// The vendor's own delivery id (for de-duplication) is the element's `id` from a transform, else a
// delivery-id header (X-GitHub-Delivery, X-Shopify-Webhook-Id, webhook-id, svix-id, X-Webhook-Id, X-Event-Id,
// Idempotency-Key), else the body's `event_id` / `eventId` / Stripe-style `evt_` id; with an index suffix
// (#i) when an array fanned out.
#pragma once

#include <vector>

#include "core/event.h"
#include "store/model.h"

namespace hookd::ingest {

struct EventSource {
  const store::IntegratedAccount& account;
  const store::Integration& integration;
  const json::Value& headers;  // the request's, lower-case names
  const json::Value& body;     // the parsed body as received
  // payload_transform's result, or undefined without a transform.
  const json::Value& transformed;
  // The bytes received: with the vendor's delivery id, what makes a request the same request again.
  std::string_view raw_body = {};
  // The vendor's delivery id as the integration names it (webhook.delivery_id), when it gave one: it replaces
  // the guessed delivery-id header, and event ids derive from (account, it, index) only, not from the bytes,
  // since vendors' retries often change the body (HubSpot's attemptNumber).
  std::string_view delivery_id = {};
};

// The events of one request. Their ids are derived from the request (account, the vendor's delivery id
// header, the body's bytes, the element's position; or account, configured delivery id, position), so a vendor's retry of a request that failed after part
// of its events were stored republishes the same ids, and the dispatcher's de-duplication by id makes it
// harmless.
std::vector<Event> build_record_events(const EventSource& source);

// How many events build_record_events would make, without making them (to refuse a request over the limit
// before doing the work).
size_t count_record_events(const EventSource& source);

// False when the request carries nothing to publish: no body (or a null one) and no transform result naming a
// record, or an empty array. How a GET or HEAD that no handshake answered is told from a vendor's event.
bool makes_record_events(const EventSource& source);

// The first of the well-known delivery-id headers the request has (X-GitHub-Delivery, X-Shopify-Webhook-Id,
// webhook-id, svix-id, X-Webhook-Id, X-Event-Id, Idempotency-Key), or "".
std::string delivery_id_from_headers(const json::Value& headers);

// "record:created" from "created", "record:created", or a vendor's own words ("orders/create",
// "contact.deletion").
std::string record_type_from_words(std::string_view words);

}  // namespace hookd::ingest
