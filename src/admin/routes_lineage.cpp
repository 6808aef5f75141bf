// Lineage and inbound requests (environment token): what became of a vendor's webhook, in one answer.
//
//   GET /lineage?vendor_delivery_id=…[&integrated_account_id=…]   by the vendor's delivery id
//   GET /lineage?event_id=…                                        by one of the events it became
//       -> { inbound: [records, newest first], events: [{ id, event, partition, offset, inbound_id,
//                                                         deliveries: [delivery with its attempts] }] }
//   GET /inbound?integrated_account_id=…[&verdict=…][&limit=…][&cursor=…]
//       -> { result: [records, newest first], next_cursor }
//
// Inbound records are observability (store/inbound.h): written in the background, kept for
// HOOKD_INBOUND_RETENTION, the newest HOOKD_INBOUND_MAX_PER_ACCOUNT per account. Every read is scoped to the
// token's environment: another environment's ids find nothing (404), as if they did not exist. Deliveries are
// read through the DeliveryStore's event index, and kept only when they belong to the token's environment.
#include <set>

#include "admin/routes.h"
#include "store/inbound.h"

namespace hookd::admin {

namespace {

using dispatch::DeliveryStore;

constexpr std::string_view kVerdicts[] = {"accepted",         "duplicate",      "verify", "meta",
                                          "signature_failed", "publish_failed", "refused"};

awaitable<json::Value> deliveries_of(AdminContext& c, const std::string& event_id, const Principal& p) {
  std::vector<json::Value> out;
  // Named, not temporaries inside the co_await: GCC 12 destroys those twice.
  const dispatch::DeliveryFilter all;
  const std::string first_page;
  auto page = co_await c.deliveries.list(DeliveryStore::Index::event, p.environment_id, event_id, all,
                                         first_page, 200);
  if (page.ok()) {
    for (const dispatch::Delivery& d : page->items) {
      if (d.environment_id != p.environment_id) continue;
      json::ObjectBuilder b(dispatch::to_json(d));
      std::vector<json::Value> attempts;
      auto list = co_await c.deliveries.attempts(d.environment_id, d.id);
      if (list.ok())
        for (const auto& a : *list)
          attempts.push_back(dispatch::to_json(a));
      b.set("attempts", json::Value::array(std::move(attempts)));
      out.push_back(std::move(b).build());
    }
  }
  co_return json::Value::array(std::move(out));
}

// The events of `records` (only `only_event` when given), each once, with the position of the request that
// published it (a duplicate's record names the same ids without one), and its deliveries.
awaitable<json::Value> events_of(AdminContext& c, const std::vector<store::InboundRecord>& records,
                                 const std::string& only_event, const Principal& p) {
  struct Found {
    const store::InboundEvent* event;
    const store::InboundRecord* record;
  };
  std::vector<std::string> order;
  std::map<std::string, Found> found;
  for (auto r = records.rbegin(); r != records.rend(); ++r) {  // oldest first: the publishing request
    for (const store::InboundEvent& e : r->events) {
      if (!only_event.empty() && e.id != only_event) continue;
      auto it = found.find(e.id);
      if (it == found.end()) {
        order.push_back(e.id);
        found.emplace(e.id, Found{&e, &*r});
      } else if (it->second.event->partition < 0 && e.partition >= 0) {
        it->second = Found{&e, &*r};
      }
    }
  }
  std::vector<json::Value> out;
  for (const std::string& id : order) {
    const Found& f = found.at(id);
    json::ObjectBuilder b;
    b.set("id", id).set("event", f.event->type);
    b.set("partition",
          f.event->partition < 0 ? json::Value(nullptr) : json::Value(static_cast<int>(f.event->partition)));
    b.set("offset", f.event->offset < 0 ? json::Value(nullptr) : json::Value(f.event->offset));
    b.set("inbound_id", f.record->id);
    b.set("deliveries", co_await deliveries_of(c, id, p));
    out.push_back(std::move(b).build());
  }
  co_return json::Value::array(std::move(out));
}

awaitable<http::Response> route_lineage(AdminContext& c, http::RequestContext& req, const Principal& p) {
  const std::string* vendor_id = req.query_value("vendor_delivery_id");
  const std::string* event_id = req.query_value("event_id");
  if ((vendor_id == nullptr) == (event_id == nullptr))
    co_return validation_error("vendor_delivery_id",
                               "exactly one of vendor_delivery_id and event_id is required");
  if ((vendor_id && vendor_id->empty()) || (event_id && event_id->empty()))
    co_return validation_error(vendor_id ? "vendor_delivery_id" : "event_id", "must not be empty");
  const std::string* account = req.query_value("integrated_account_id");
  std::string account_id = account ? *account : "";
  std::string env = p.environment_id;
  store::InboundStore inbound(c.store);
  Result<std::vector<store::InboundRecord>> records = std::vector<store::InboundRecord>{};
  std::string only_event;
  if (vendor_id) {
    std::string id = *vendor_id;
    records = co_await inbound.by_vendor_delivery_id(env, id, account_id);
  } else {
    only_event = *event_id;
    records = co_await inbound.by_event_id(env, only_event);
  }
  if (!records.ok()) co_return http::error_response(records.error());
  if (records->empty())
    co_return not_found(
        vendor_id ? "inbound request with vendor_delivery_id" : "inbound request with event_id",
        vendor_id ? *vendor_id : *event_id);
  std::vector<json::Value> inbound_json;
  for (const auto& r : *records)
    inbound_json.push_back(store::to_json(r));
  json::ObjectBuilder out;
  if (vendor_id)
    out.set("vendor_delivery_id", *vendor_id);
  else
    out.set("event_id", *event_id);
  out.set("inbound", json::Value::array(std::move(inbound_json)));
  out.set("events", co_await events_of(c, *records, only_event, p));
  co_return http::json_response(http::Status::ok, std::move(out).build());
}

awaitable<http::Response> route_inbound(AdminContext& c, http::RequestContext& req, const Principal& p) {
  http::Response err;
  auto limit = page_limit(req, 50, 200, err);
  if (!limit) co_return err;
  const std::string* account = req.query_value("integrated_account_id");
  if (!account || account->empty()) co_return validation_error("integrated_account_id", "is required");
  std::string verdict;
  if (const std::string* v = req.query_value("verdict")) {
    bool known = false;
    for (std::string_view k : kVerdicts)
      known = known || k == *v;
    if (!known)
      co_return validation_error("verdict",
                                 "must be one of accepted, duplicate, verify, meta, signature_failed, "
                                 "publish_failed, refused");
    verdict = *v;
  }
  const std::string* cursor = req.query_value("cursor");
  std::string after = cursor ? *cursor : "";
  std::string env = p.environment_id;
  std::string account_id = *account;
  store::InboundStore inbound(c.store);
  auto page = co_await inbound.recent(env, account_id, verdict, after, *limit);
  if (!page.ok()) co_return http::error_response(page.error());
  std::vector<json::Value> items;
  for (const auto& r : page->items)
    items.push_back(store::to_json(r));
  co_return page_response(std::move(items), page->next_cursor);
}

constexpr Route routes[] = {
    {http::Verb::get, "/lineage", Access::environment, route_lineage},
    {http::Verb::get, "/inbound", Access::environment, route_inbound},
};

}  // namespace

std::span<const Route> lineage_routes() {
  return routes;
}

}  // namespace hookd::admin
