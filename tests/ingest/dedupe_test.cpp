// De-duplication at ingest against fakes of the ports: a vendor's retry of a delivery id already published is
// answered as the first time and publishes nothing; event ids derive from (account, delivery id, index) so a
// changed body keeps them; a failed publish remembers nothing; a ledger that cannot be read lets the request
// be published; without the setting nothing changes. And the inbound record each request leaves (lineage).
#include <gtest/gtest.h>

#include "fake_ports.h"
#include "ingest/pipeline.h"

namespace hookd::ingest {
namespace {

using test::FakePublisher;
using test::FakeResolver;

store::ResolvedAccount account(const std::string& id, std::string_view webhook_section) {
  store::ResolvedAccount r;
  r.environment.id = "env1";
  r.integration.id = "int1";
  r.integration.name = "acme";
  EXPECT_TRUE(json::parse("{\"webhook\": " + std::string(webhook_section) + "}", r.integration.config));
  r.install.id = "inst1";
  r.install.environment_id = "env1";
  r.install.integration_id = "int1";
  r.account.id = id;
  r.account.environment_id = "env1";
  r.account.environment_integration_id = "inst1";
  r.account.integration_id = "int1";
  return r;
}

class DedupeTest : public ::testing::Test {
 protected:
  DedupeTest() : publisher_(std::make_shared<FakePublisher>()) {
    resolver_.accounts.emplace("by_header",
                               account("by_header", R"({"delivery_id":{"header":"X-Delivery"}})"));
    resolver_.accounts.emplace("by_expression",
                               account("by_expression", R"({"delivery_id":{"expression":"body.eventId"}})"));
    resolver_.accounts.emplace("plain", account("plain", "{}"));
    resolver_.accounts.emplace(
        "handshakes",
        account("handshakes",
                R"({"handle_verification":"body.challenge ? {'type':'verify','verification_response':)"
                R"({'status_code':200,'body':body.challenge}} : body.ping ? {'type':'meta'}",)"
                R"("signature_verification":{"format":"hmac","config":{"secret":"s","algorithm":"sha256",)"
                R"("string_type":"hex","compare_with":"{{headers.x-sig}}","parts":["raw_body"]}}})"));
  }

  IngestOutcome post(const std::string& account_id, std::string body, std::string delivery_id = {},
                     IngestOptions options = {}) {
    Pipeline pipeline(resolver_, publisher_, options);
    http::Request req{http::Verb::post, "/integrated-account-webhook/" + account_id, 11};
    req.set(bhttp::field::content_type, "application/json");
    if (!delivery_id.empty()) req.set("X-Delivery", delivery_id);
    req.body() = std::move(body);
    req.prepare_payload();
    http::RequestContext ctx{req, req.target(), {}, {}, "127.0.0.1", std::chrono::steady_clock::now()};
    return test::run_chain(pipeline, ctx, account_id);
  }

  static std::vector<std::string> answered_ids(const IngestOutcome& o) {
    json::Value v;
    EXPECT_TRUE(json::parse(o.response.body(), v)) << o.response.body();
    std::vector<std::string> ids;
    for (const json::Value& e : v.get("events").as_array())
      ids.emplace_back(e.get("id").string_or(""));
    return ids;
  }

  FakeResolver resolver_;
  std::shared_ptr<FakePublisher> publisher_;
};

TEST_F(DedupeTest, RetryWithAChangedBodyIsAnsweredWithTheSameIdsAndNotPublished) {
  IngestOutcome first = post("by_header", R"([{"id":"c1","attemptNumber":0},{"id":"c2"}])", "d-1");
  ASSERT_EQ(first.response.result(), http::Status::ok) << first.response.body();
  ASSERT_EQ(publisher_->published.size(), 2u);
  IngestOutcome retry = post("by_header", R"([{"id":"c1","attemptNumber":1},{"id":"c2"}])", "d-1");
  ASSERT_EQ(retry.response.result(), http::Status::ok) << retry.response.body();
  EXPECT_EQ(publisher_->published.size(), 2u) << "a duplicate publishes nothing";
  EXPECT_EQ(answered_ids(retry), answered_ids(first));
  ASSERT_EQ(retry.events.size(), 2u);
  EXPECT_EQ(retry.events[0].id, first.events[0].id);
  EXPECT_EQ(retry.events[0].type, first.events[0].type);

  ASSERT_EQ(resolver_.inbound.size(), 2u);
  EXPECT_EQ(resolver_.inbound[0].verdict, "accepted");
  EXPECT_EQ(resolver_.inbound[0].vendor_delivery_id, "d-1");
  ASSERT_EQ(resolver_.inbound[0].events.size(), 2u);
  EXPECT_EQ(resolver_.inbound[0].events[1].offset, 1) << "the publisher's positions are recorded";
  EXPECT_EQ(resolver_.inbound[1].verdict, "duplicate");
  EXPECT_EQ(resolver_.inbound[1].events[0].offset, -1) << "nothing published by the duplicate";
}

TEST_F(DedupeTest, EventIdsDependOnTheDeliveryIdNotOnTheBody) {
  resolver_.ledger_fails = make_error(store::StoreErrc::unavailable, "redis down");
  IngestOutcome a = post("by_header", R"({"id":"c1","attemptNumber":0})", "d-2");
  IngestOutcome b = post("by_header", R"({"id":"c1","attemptNumber":1})", "d-2");
  IngestOutcome c = post("by_header", R"({"id":"c1","attemptNumber":0})", "d-3");
  ASSERT_EQ(a.response.result(), http::Status::ok) << "a ledger that cannot be read does not refuse";
  ASSERT_EQ(b.response.result(), http::Status::ok);
  EXPECT_EQ(publisher_->published.size(), 3u) << "without the ledger, retries are published (same ids)";
  EXPECT_EQ(answered_ids(a), answered_ids(b));
  EXPECT_NE(answered_ids(a), answered_ids(c)) << "another delivery id is another event";
}

TEST_F(DedupeTest, AFailedPublishRemembersNothingSoTheRetryIsPublished) {
  publisher_->fail_with = bus::make_error_code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
  IngestOutcome failed = post("by_header", R"({"id":"c1"})", "d-4");
  EXPECT_EQ(failed.response.result(), http::Status::service_unavailable);
  EXPECT_TRUE(resolver_.ledger.empty());
  publisher_->fail_with = {};
  IngestOutcome retry = post("by_header", R"({"id":"c1"})", "d-4");
  ASSERT_EQ(retry.response.result(), http::Status::ok);
  EXPECT_EQ(publisher_->published.size(), 1u);
  EXPECT_EQ(resolver_.ledger.size(), 1u);
  ASSERT_EQ(resolver_.inbound.size(), 2u);
  EXPECT_EQ(resolver_.inbound[0].verdict, "publish_failed");
  EXPECT_EQ(resolver_.inbound[0].status_code, 503);
}

TEST_F(DedupeTest, TheExpressionFormReadsThePayload) {
  IngestOutcome first = post("by_expression", R"({"eventId":"e-9","v":1})");
  IngestOutcome retry = post("by_expression", R"({"eventId":"e-9","v":2})");
  IngestOutcome other = post("by_expression", R"({"eventId":"e-10","v":1})");
  EXPECT_EQ(publisher_->published.size(), 2u);
  EXPECT_EQ(answered_ids(first), answered_ids(retry));
  EXPECT_NE(answered_ids(first), answered_ids(other));
}

TEST_F(DedupeTest, WithoutADeliveryIdNothingChanges) {
  IngestOutcome a = post("by_header", R"({"id":"c1"})");  // the header is missing: no de-duplication
  IngestOutcome b = post("by_header", R"({"id":"c1"})");
  IngestOutcome c = post("plain", R"({"id":"c1"})", "d-5");
  IngestOutcome d = post("plain", R"({"id":"c1"})", "d-5");
  EXPECT_EQ(publisher_->published.size(), 4u);
  EXPECT_TRUE(resolver_.ledger.empty());
  EXPECT_EQ(answered_ids(a), answered_ids(b)) << "same bytes: same ids, as before";
  IngestOutcome e = post("plain", R"({"id":"c1","attemptNumber":1})", "d-5");
  EXPECT_NE(answered_ids(c), answered_ids(e))
      << "without the setting the body's bytes still name the request";
}

TEST_F(DedupeTest, EveryRequestThatReachedAnAccountLeavesAnInboundRecordWithItsVerdict) {
  EXPECT_EQ(post("handshakes", R"({"challenge":"c-1"})").response.result(), http::Status::ok);
  EXPECT_EQ(post("handshakes", R"({"ping":true})").response.result(), http::Status::ok);
  EXPECT_EQ(post("handshakes", R"({"id":"c1"})").response.result(), http::Status::unauthorized);
  EXPECT_EQ(post("plain", "{not json").response.result(), http::Status::bad_request);
  EXPECT_EQ(post("nobody", "{}").response.result(), http::Status::not_found);
  ASSERT_EQ(resolver_.inbound.size(), 4u) << "an unknown account leaves none";
  struct Want {
    const char* verdict;
    int status;
    const char* error;
  };
  const Want want[] = {{"verify", 200, ""},
                       {"meta", 200, ""},
                       {"signature_failed", 401, "signature_missing"},
                       {"refused", 400, "malformed_json"}};
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const store::InboundRecord& r = resolver_.inbound[i];
    EXPECT_EQ(r.verdict, want[i].verdict);
    EXPECT_EQ(r.status_code, want[i].status);
    EXPECT_EQ(r.error, want[i].error);
    EXPECT_EQ(r.environment_id, "env1");
    EXPECT_EQ(r.integration, "acme");
    EXPECT_EQ(r.method, "POST");
    EXPECT_TRUE(r.events.empty());
    EXPECT_FALSE(r.id.empty());
  }
}

TEST_F(DedupeTest, InboundRecordsCanBeLimitedToWhatWasNotAcceptedOrTurnedOff) {
  IngestOptions not_accepted;
  not_accepted.inbound_records = IngestOptions::InboundRecords::not_accepted;
  ASSERT_EQ(post("by_header", R"({"id":1})", "d-9", not_accepted).response.result(), http::Status::ok);
  EXPECT_TRUE(resolver_.inbound.empty()) << "an accepted request leaves no record";
  ASSERT_EQ(post("by_header", R"({"id":1})", "d-9", not_accepted).response.result(), http::Status::ok);
  ASSERT_EQ(resolver_.inbound.size(), 1u) << "a duplicate does";
  EXPECT_EQ(resolver_.inbound[0].verdict, "duplicate");

  IngestOptions none;
  none.inbound_records = IngestOptions::InboundRecords::none;
  ASSERT_EQ(post("by_header", R"({"id":1})", "d-9", none).response.result(), http::Status::ok);
  ASSERT_EQ(post("plain", R"({"id":2})", {}, none).response.result(), http::Status::ok);
  EXPECT_EQ(resolver_.inbound.size(), 1u) << "none: nothing more";
}

}  // namespace
}  // namespace hookd::ingest
