// The ingest chains against fakes of their two ports (ingest/ports.h): no Redis, no Kafka. What the e2e suite
// checks with real services, these check for the answers that are hard to provoke there (a store that is down,
// a broker that refuses) and for the outcome the routes get back.
#include "ingest/pipeline.h"

#include <gtest/gtest.h>

#include "fake_ports.h"

#include <map>

namespace hookd::ingest {
namespace {

using test::FakePublisher;
using test::FakeResolver;

store::ResolvedAccount account(std::string id) {
  store::ResolvedAccount r;
  r.environment.id = "env1";
  r.integration.id = "int1";
  r.integration.name = "acme";
  EXPECT_TRUE(json::parse(R"({"webhook": {}})", r.integration.config));
  r.install.id = "inst1";
  r.install.environment_id = "env1";
  r.install.integration_id = "int1";
  r.account.id = std::move(id);
  r.account.environment_id = "env1";
  r.account.environment_integration_id = "inst1";
  r.account.integration_id = "int1";
  return r;
}

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : publisher_(std::make_shared<FakePublisher>()) {
    resolver_.accounts.emplace("a1", account("a1"));
  }

  IngestOutcome post(std::string account_id, std::string body, IngestOptions options = {}) {
    Pipeline pipeline(resolver_, publisher_, options);
    http::Request req{http::Verb::post, "/integrated-account-webhook/" + account_id, 11};
    req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    http::RequestContext ctx{req, req.target(), {}, {}, "127.0.0.1", std::chrono::steady_clock::now()};
    return test::run_chain(pipeline, ctx, std::move(account_id));
  }

  static json::Value body_of(const http::Response& r) {
    json::Value v;
    EXPECT_TRUE(json::parse(r.body(), v)) << r.body();
    return v;
  }

  FakeResolver resolver_;
  std::shared_ptr<FakePublisher> publisher_;
};

TEST_F(PipelineTest, AcceptedEventsArePublishedAndReturnedWithTheAnswer) {
  IngestOutcome o = post("a1", R"({"type": "contact.created", "id": "c1"})");
  ASSERT_EQ(o.response.result(), http::Status::ok) << o.response.body();
  ASSERT_EQ(o.events.size(), 1u);
  ASSERT_EQ(publisher_->published.size(), 1u);
  EXPECT_EQ(publisher_->published[0].key, "a1");
  EXPECT_EQ(o.events[0].integrated_account_id, "a1");
  auto events = body_of(o.response).get("events");
  ASSERT_TRUE(events.is_array());
  ASSERT_EQ(events.as_array().size(), 1u);
  EXPECT_EQ(events.as_array()[0].get("id").as_string(), o.events[0].id);
  EXPECT_EQ(events.as_array()[0].get("event").as_string(), o.events[0].type);
}

TEST_F(PipelineTest, UnknownAccountIs404AndPublishesNothing) {
  IngestOutcome o = post("nope", "{}");
  EXPECT_EQ(o.response.result(), http::Status::not_found);
  EXPECT_EQ(body_of(o.response).get("message").as_string(), "integrated account nope not found");
  EXPECT_TRUE(o.events.empty());
  EXPECT_TRUE(publisher_->published.empty());
}

TEST_F(PipelineTest, StoreDownIs503WithoutTheDetail) {
  resolver_.fail_with = make_error(store::StoreErrc::unavailable, "redis: connect 10.9.8.7:6379 refused");
  IngestOutcome o = post("a1", "{}");
  EXPECT_EQ(o.response.result(), http::Status::service_unavailable);
  EXPECT_EQ(o.response.body().find("10.9.8.7"), std::string::npos) << o.response.body();
  EXPECT_TRUE(publisher_->published.empty());
}

TEST_F(PipelineTest, PublishFailureIs503WithRetryAfterAndNoEvents) {
  publisher_->fail_with = bus::make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  IngestOutcome o = post("a1", R"({"type": "contact.created"})");
  EXPECT_EQ(o.response.result(), http::Status::service_unavailable);
  EXPECT_EQ(o.response[bhttp::field::retry_after], "5");
  EXPECT_TRUE(o.events.empty()) << "an outcome lists only events Kafka acknowledged";
}

TEST_F(PipelineTest, BrokerRefusingTheSizeIs413) {
  publisher_->fail_with = bus::make_error_code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  IngestOutcome o = post("a1", R"({"type": "contact.created"})");
  EXPECT_EQ(o.response.result(), http::Status::payload_too_large);
  EXPECT_EQ(body_of(o.response).get("error").as_string(), "event_too_large");
}

TEST_F(PipelineTest, LimitsRefuseTheWholeRequestBeforePublishing) {
  IngestOptions options;
  options.max_events_per_request = 2;
  IngestOutcome o = post("a1", R"([{"type": "a"}, {"type": "b"}, {"type": "c"}])", options);
  EXPECT_EQ(o.response.result(), http::Status::payload_too_large);
  EXPECT_EQ(body_of(o.response).get("error").as_string(), "too_many_events");
  EXPECT_TRUE(publisher_->published.empty());

  options = {};
  options.max_event_bytes = 64;
  o = post("a1", R"({"type": "a", "padding": ")" + std::string(200, 'x') + R"("})", options);
  EXPECT_EQ(o.response.result(), http::Status::payload_too_large);
  EXPECT_EQ(body_of(o.response).get("error").as_string(), "event_too_large");
  EXPECT_TRUE(publisher_->published.empty());
}

TEST_F(PipelineTest, MalformedBodyIs400) {
  IngestOutcome o = post("a1", "{not json");
  EXPECT_EQ(o.response.result(), http::Status::bad_request);
  EXPECT_EQ(body_of(o.response).get("error").as_string(), "malformed_json");
  EXPECT_TRUE(publisher_->published.empty());
}

}  // namespace
}  // namespace hookd::ingest
