#include "core/event.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/ids.h"

namespace hookd {
namespace {

TEST(Event, SerializesAndParsesBackEveryField) {
  json::Value payload;
  ASSERT_TRUE(json::parse(R"({"a":[1,2],"id":820982911946154508})", payload));
  Event e = make_event("record:created", "env-1", payload, "acc-1");
  e.target_webhook_id = "wh-1";
  auto back = parse_event(serialize_event(e));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, e.id);
  EXPECT_EQ(back->type, "record:created");
  EXPECT_EQ(back->environment_id, "env-1");
  EXPECT_EQ(back->integrated_account_id, "acc-1");
  EXPECT_EQ(back->target_webhook_id, "wh-1");
  EXPECT_EQ(back->created_at, e.created_at);
  EXPECT_EQ(json::dump(back->payload), R"({"a":[1,2],"id":820982911946154508})");
  EXPECT_TRUE(ids::is_uuid(e.id));
}

// The record is written straight to text: exactly the JSON of its object (members in this order, strings
// escaped, an undefined payload as null, the optional ids only when set), also for a text built while another
// is (the per-thread buffer is lent once).
TEST(Event, TheRecordIsTheJsonOfItsObject) {
  auto reference = [](const Event& e) {
    json::ObjectBuilder b;
    b.set("id", e.id).set("event", e.type);
    b.set("payload", e.payload.is_undefined() ? json::Value(nullptr) : e.payload);
    b.set("environment_id", e.environment_id).set("created_at", clock::iso8601(e.created_at));
    if (!e.integrated_account_id.empty()) b.set("integrated_account_id", e.integrated_account_id);
    if (!e.target_webhook_id.empty()) b.set("target_webhook_id", e.target_webhook_id);
    return json::dump(std::move(b).build());
  };
  json::Value payload;
  ASSERT_TRUE(json::parse(R"({"q":"a\"b\\c\u0001","n":[1.5,-0,1e21],"o":{}})", payload));
  Event full = make_event("record:created", "env \"1\"", payload, "acc\n1");
  full.target_webhook_id = "wh-1";
  Event bare = make_event("test", "env-1", json::Value());
  for (const Event& e : {full, bare})
    EXPECT_EQ(serialize_event(e), reference(e));
  std::string outer = json::build_text([&](std::string& out) {
    out += serialize_event(full);  // borrows nothing: the buffer is this text's
    out += json::dump(payload);
  });
  EXPECT_EQ(outer, reference(full) + json::dump(payload));
}

TEST(Event, EnvelopeIsTrutosShapeWithoutInternalFields) {
  Event e = make_event("test", "env-1", json::Value::empty_object());
  e.target_webhook_id = "wh-1";
  json::Value env = envelope(e, "wh-1");
  std::vector<std::string> keys;
  for (const auto& m : env.members())
    keys.emplace_back(m.name());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "event", "payload", "environment_id", "created_at",
                                            "webhook_id"}));
}

TEST(Event, MalformedRecordsAreErrors) {
  for (const char* bad : {"", "[]", R"({"id":"x"})", R"({"id":1,"event":"test","environment_id":"e"})"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_event(bad).ok());
  }
}

// The dispatcher reads records without building the payload and writes the envelope around its text: the
// bytes must be the ones the tree-building path writes, for any payload.
TEST(Event, ARecordReadWithoutItsPayloadMakesTheSameEnvelope) {
  for (const char* text : {R"({"a":[1,2.5,-0.0,1e+21],"id":820982911946154508,"s":"caf\u00e9 \"q\" \\ \n"})",
                           R"([1,{"x":null}])", R"("text")", "null", "{}"}) {
    json::Value payload;
    ASSERT_TRUE(json::parse(text, payload)) << text;
    Event e = make_event("record:created", "env \"1\"", payload, "acc-1");
    e.target_webhook_id = "wh-9";
    std::string serialized = serialize_event(e);
    auto record = read_event_record(serialized);
    ASSERT_TRUE(record.ok()) << record.error().message;
    EXPECT_EQ(record->header.id, e.id);
    EXPECT_EQ(record->header.type, "record:created");
    EXPECT_EQ(record->header.environment_id, "env \"1\"");
    EXPECT_EQ(record->header.integrated_account_id, "acc-1");
    EXPECT_EQ(record->header.target_webhook_id, "wh-9");
    EXPECT_EQ(record->header.created_at, e.created_at);
    auto parsed = parse_event(serialized);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(envelope_json(*record, "wh-1"), json::dump(envelope(*parsed, "wh-1"))) << text;
  }
  for (const char* bad : {"", "[]", "{\"id\":1}", "{\"id\":\"x\",\"event\":\"t\"}", "not json"})
    EXPECT_FALSE(read_event_record(bad).ok()) << bad;
}

TEST(EventTypes, PatternsAndTheList) {
  EXPECT_TRUE(is_event_type("integrated_account:reactivated"));
  EXPECT_TRUE(is_event_type("sync_job_run:rate_limited"));
  EXPECT_FALSE(is_event_type("record:exploded"));
  EXPECT_TRUE(is_event_type_pattern("*"));
  EXPECT_TRUE(is_event_type_pattern("record:*"));
  EXPECT_FALSE(is_event_type_pattern("nothing:*"));
  EXPECT_FALSE(is_event_type_pattern("record"));
  EXPECT_FALSE(is_publishable_event_type("webhook:disabled")) << "only hookd itself says that";
}

}  // namespace
}  // namespace hookd
