#include "core/event.h"

#include <gtest/gtest.h>

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
