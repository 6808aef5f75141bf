// How a vendor webhook becomes record:* events: types, fan-out, vendor ids, normalized transform results.
#include "ingest/event_builder.h"

#include <set>

#include <gtest/gtest.h>

#include "core/ids.h"
#include "ingest/webhook_config.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

struct Fixture {
  store::IntegratedAccount account;
  store::Integration integration;
  Fixture() {
    account.id = "acc-1";
    account.tenant_id = "acme";
    account.environment_id = "env-1";
    account.environment_integration_id = "ei-1";
    integration.name = "shopify";
  }
  std::vector<Event> build(std::string_view headers, std::string_view body,
                           std::string_view transformed = {}) {
    json::Value h = parse(headers), b = parse(body);
    json::Value t = transformed.empty() ? json::Value() : parse(transformed);
    return build_record_events({account, integration, h, b, t, body});
  }
};

std::vector<std::string> ids_of(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events)
    ids.push_back(e.id);
  return ids;
}

// Found by probing: a request that failed after part of its events were stored was retried by the vendor, and
// the stored part was delivered twice under new ids. Ids are now the request's: a retry has the same ones.
TEST(EventIds, AreDerivedFromTheRequestSoARetryHasTheSameOnes) {
  Fixture f;
  const char* body = R"([{"id":1},{"id":2},{"id":3}])";
  auto first = ids_of(f.build(R"({"x-shopify-webhook-id":"d-1"})", body));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(ids_of(f.build(R"({"x-shopify-webhook-id":"d-1"})", body)), first) << "the vendor's retry";
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 3u) << "one id per element";
  for (const auto& id : first)
    EXPECT_TRUE(ids::is_uuid(id)) << id;
  EXPECT_NE(ids_of(f.build(R"({"x-shopify-webhook-id":"d-2"})", body)), first) << "another delivery";
  EXPECT_NE(ids_of(f.build(R"({"x-shopify-webhook-id":"d-1"})", R"([{"id":1},{"id":2},{"id":4}])")), first)
      << "other bytes";
  Fixture other;
  other.account.id = "acc-2";
  EXPECT_NE(ids_of(other.build(R"({"x-shopify-webhook-id":"d-1"})", body)), first) << "another account";
}

TEST(EventIds, CountMatchesWhatIsBuilt) {
  Fixture f;
  json::Value h = parse("{}"), array = parse("[1,2,3,4]"), one = parse(R"({"a":1})"), none;
  EXPECT_EQ(count_record_events({f.account, f.integration, h, array, none}), 4u);
  EXPECT_EQ(count_record_events({f.account, f.integration, h, one, none}), 1u);
  EXPECT_EQ(count_record_events({f.account, f.integration, h, one, array}), 4u)
      << "the transform's result counts";
}

TEST(RecordType, FromTheVendorsWords) {
  struct Case {
    const char* words;
    const char* type;
  } cases[] = {
      {"created", "record:created"},
      {"record:deleted", "record:deleted"},
      {"orders/create", "record:created"},
      {"contact.creation", "record:created"},
      {"contact.deletion", "record:deleted"},
      {"customer.subscription.updated", "record:updated"},
      {"issues opened", "record:created"},
      {"member_removed", "record:deleted"},
      {"address.updated", "record:updated"},
      {"pull_request synchronize", "record:updated"},
      {"meta", "record:meta"},
      {"", "record:updated"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.words);
    EXPECT_EQ(record_type_from_words(c.words), c.type);
  }
}

TEST(BuildRecordEvents, OneEventFromTheBodyWithTheVendorsDeliveryId) {
  Fixture f;
  auto events =
      f.build(R"({"x-shopify-topic":"orders/delete","x-shopify-webhook-id":"wh-1"})", R"({"id":42})");
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.type, "record:deleted");
  EXPECT_EQ(e.environment_id, "env-1");
  EXPECT_EQ(e.integrated_account_id, "acc-1");
  EXPECT_EQ(
      json::dump(e.payload),
      R"({"integrated_account_id":"acc-1","tenant_id":"acme","environment_integration_id":"ei-1",)"
      R"("integration":"shopify","resource":null,"raw_event_type":"orders/delete","vendor_event_id":"wh-1",)"
      R"("record":{"id":42}})");
}

TEST(BuildRecordEvents, AnArrayBodyFansOut) {
  Fixture f;
  auto events = f.build(R"({})", R"([{"eventId":101,"subscriptionType":"contact.creation","objectId":1},
                                    {"eventId":102,"subscriptionType":"contact.deletion","objectId":2}])");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "record:created");
  EXPECT_EQ(events[1].type, "record:deleted");
  EXPECT_EQ(events[0].payload.get("vendor_event_id").as_string(), "101");
  EXPECT_EQ(events[1].payload.get("record").get("objectId").as_number(), 2);
  EXPECT_NE(events[0].id, events[1].id);
}

TEST(BuildRecordEvents, ArrayWithAHeaderIdGetsIndexedIds) {
  Fixture f;
  auto events = f.build(R"({"x-github-delivery":"d-1"})", R"([{"a":1},{"a":2}])");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].payload.get("vendor_event_id").as_string(), "d-1#0");
  EXPECT_EQ(events[1].payload.get("vendor_event_id").as_string(), "d-1#1");
}

TEST(BuildRecordEvents, NormalizedTransformResultsNameTheirTypeResourceAndRecord) {
  Fixture f;
  auto events = f.build(R"({})", R"({"ignored":true})",
                        R"([{"event_type":"created","resource":"crm/contacts","id":"v-1","record":{"id":"c1"},
                            "raw_event_type":"contact.creation","method":"get","method_config":{"id":"c1"}},
                           {"event_type":"record:deleted","resource":"crm/contacts","body":{"id":"c2"}}])");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "record:created");
  EXPECT_EQ(events[0].payload.get("resource").as_string(), "crm/contacts");
  EXPECT_EQ(events[0].payload.get("vendor_event_id").as_string(), "v-1");
  EXPECT_EQ(json::dump(events[0].payload.get("record")), R"({"id":"c1"})");
  EXPECT_EQ(events[0].payload.get("method").as_string(), "get");
  EXPECT_EQ(events[1].type, "record:deleted");
  EXPECT_EQ(json::dump(events[1].payload.get("record")), R"({"id":"c2"})");
}

// Found by the catalog's Paddle test: a vendor body is the record even when it has an `event_type`,
// `resource` or `record` field of its own; only a transform's output is read as a normalized record.
TEST(BuildRecordEvents, AVendorsOwnEventTypeFieldDoesNotMakeItANormalizedRecord) {
  Fixture f;
  auto events =
      f.build(R"({})", R"({"event_id":"evt_1","event_type":"subscription.created","resource":{"id":"r"},)"
                       R"("record":"x"})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "record:created");
  EXPECT_EQ(events[0].payload.get("raw_event_type").string_or(""), "subscription.created");
  EXPECT_EQ(events[0].payload.get("record").get("event_id").string_or(""), "evt_1") << "the whole body";
}

TEST(BuildRecordEvents, ATransformReturningAContextUsesItsBody) {
  Fixture f;
  auto events = f.build(R"({})", R"({"old":1})",
                        R"({"body":{"new":2},"context":{"secret":"never sent"},"headers":{}})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::dump(events[0].payload.get("record")), R"({"new":2})");
  EXPECT_EQ(json::dump(events[0].payload).find("never sent"), std::string::npos)
      << "the context stays private";
}

TEST(BuildRecordEvents, StripeStyleEventIdsAreVendorIds) {
  Fixture f;
  auto events = f.build(R"({})", R"({"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","type":"invoice.created"})");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "record:created");
  EXPECT_EQ(events[0].payload.get("vendor_event_id").as_string(), "evt_1NG8Du2eZvKYlo2CUI79vXWy");
}

TEST(MergeConfig, OverrideMergesObjectsAndReplacesTheRest) {
  json::Value base = parse(R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"a",
      "compare_with":"{{headers.x}}","parts":["raw_body"]}}},"other":[1,2]})");
  json::Value over = parse(R"({"webhook":{"signature_verification":{"config":{"secret":"b","parts":["x",
      "raw_body"]}}},"other":[3]})");
  EXPECT_EQ(json::dump(merge_config(base, over)),
            R"({"webhook":{"signature_verification":{"format":"hmac","config":{"secret":"b",)"
            R"("compare_with":"{{headers.x}}","parts":["x","raw_body"]}}},"other":[3]})");
  EXPECT_EQ(json::dump(merge_config(base, json::Value::empty_object())), json::dump(base));
}

TEST(WebhookConfig, CompileErrorsNameTheWebhookField) {
  auto bad = WebhookConfig::compile(
      parse(R"({"signature_verification":{"format":"hmac","config":{"secret":"k"}}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "webhook.signature_verification.config.compare_with: is required");
  auto none = WebhookConfig::compile(json::Value());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr) << "no webhook section: the integration takes no webhooks";
  auto not_object = WebhookConfig::compile(parse(R"("yes")"));
  EXPECT_FALSE(not_object.ok());
}

}  // namespace
}  // namespace hookd::ingest
