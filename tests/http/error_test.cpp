// Typed errors: every module's codes compare by value and by fault, and http::error_response is the one mapping
// of them to an answer.
#include "http/error.h"

#include <gtest/gtest.h>

#include "ingest/errc.h"
#include "store/errc.h"

namespace hookd {
namespace {

using store::StoreErrc;

json::Value body_of(const http::Response& r) {
  json::Value v;
  EXPECT_TRUE(json::parse(r.body(), v)) << r.body();
  return v;
}

TEST(ErrorTest, CodesCompareByValueAndByFault) {
  Error e = make_error(StoreErrc::not_found, "webhook w1 not found");
  EXPECT_EQ(e.code, StoreErrc::not_found);
  EXPECT_NE(e.code, StoreErrc::conflict);
  EXPECT_TRUE(e.is(Fault::not_found));
  EXPECT_FALSE(e.is(Fault::conflict));
  EXPECT_EQ(e.fault(), Fault::not_found);
  EXPECT_EQ(e.name(), "not_found");
  EXPECT_STREQ(e.code.category().name(), "hookd.store");
  // Same name in two modules, two different codes: a branch on one never catches the other.
  Error config = make_error(ingest::IngestErrc::invalid_config, "webhook: must be an object");
  EXPECT_NE(config.code, make_error_code(StoreErrc::invalid_cursor));
  EXPECT_TRUE(config.is(Fault::invalid_config));
}

TEST(ErrorTest, ResultWithoutValueIsAnInternalError) {
  Result<int> r;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, CoreErrc::no_result);
  EXPECT_EQ(r.error().fault(), Fault::internal);
}

TEST(ErrorTest, ForeignCodesAreInternal) {
  Error e{std::make_error_code(std::errc::io_error), "disk", {}};
  EXPECT_EQ(e.fault(), Fault::internal);
  EXPECT_EQ(http::status_for(e), http::Status::internal_server_error);
}

TEST(ErrorTest, StatusFollowsTheFault) {
  struct Case {
    Error error;
    http::Status status;
    std::string body_error;
  };
  const Case cases[] = {
      {make_error(StoreErrc::not_found, "delivery d1 not found"), http::Status::not_found, "not_found"},
      {make_error(StoreErrc::conflict, "changed concurrently"), http::Status::conflict, "conflict"},
      {make_error(ingest::IngestErrc::malformed_json, "not JSON"), http::Status::bad_request,
       "malformed_json"},
      {make_error(ingest::IngestErrc::too_many_fields, "too many"), http::Status::payload_too_large,
       "too_many_fields"},
      {make_error(StoreErrc::unavailable, "redis: connection refused"), http::Status::service_unavailable,
       "service_unavailable"},
      {make_error(StoreErrc::corrupt_record, "not JSON"), http::Status::internal_server_error,
       "internal_error"},
      {make_error(StoreErrc::redis_error, "ERR"), http::Status::internal_server_error, "internal_error"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(http::status_for(c.error), c.status) << c.error.message;
    auto r = http::error_response(c.error);
    EXPECT_EQ(r.result(), c.status);
    EXPECT_EQ(body_of(r).get("error").as_string(), c.body_error) << r.body();
  }
}

TEST(ErrorTest, DependencyDetailStaysInTheLog) {
  auto r = http::error_response(make_error(StoreErrc::unavailable, "redis: connect 10.1.2.3:6379 refused"));
  EXPECT_EQ(r.body().find("10.1.2.3"), std::string::npos) << r.body();
  EXPECT_EQ(r[boost::beast::http::field::retry_after], "5") << "a 503 says when to come back";
}

TEST(ErrorTest, ValidationErrorsNameTheirField) {
  auto r = http::error_response(make_error(StoreErrc::invalid_cursor, "not one this API returned", "cursor"));
  EXPECT_EQ(r.result(), http::Status::bad_request);
  auto b = body_of(r);
  EXPECT_EQ(b.get("error").as_string(), "validation_error");
  EXPECT_EQ(b.get("field").as_string(), "cursor");
  EXPECT_EQ(b.get("message").as_string(), "cursor: not one this API returned");
}

}  // namespace
}  // namespace hookd
