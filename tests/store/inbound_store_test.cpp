// Inbound request records (lineage) against a real Redis: each account keeps only its newest N records and none
// older than the retention (the hash and the listing together), the indexes by vendor delivery id and event id
// find them, listing pages newest first with a verdict filter, and one environment never reads another's.
#include <thread>

#include <gtest/gtest.h>

#include "core/ids.h"
#include "run_coroutine.h"
#include "slot_audit.h"
#include "services.h"
#include "store/inbound.h"
#include "store/keys.h"

namespace hookd::store {
namespace {

using namespace std::chrono_literals;

constexpr int kDb = 4;  // shared with the other store tests, under the same resource lock
constexpr int64_t kNow = 1'800'000'000'000;

class InboundStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::redis_flush(kDb);
    auto ro = RedisOptions::from_url(test::redis_url(kDb));
    ASSERT_TRUE(ro.ok()) << ro.error().message;
    redis_ = RedisClient::create(io_.get_executor(), test::SlotAudit::on(*ro));
    store_ = std::make_unique<Store>(redis_);
    inbound_ = std::make_unique<InboundStore>(*store_);
  }
  void TearDown() override {
    redis_->close();
    work_.reset();
    io_.stop();
    thread_.join();
    audit_.check();
  }
  template <typename T>
  T run(awaitable<T> a) {
    return test::run(io_, std::move(a));
  }

  InboundRecord make(std::string env, std::string account, int64_t at, std::string verdict,
                     std::string vendor_id, std::vector<std::string> event_ids = {}) {
    InboundRecord r;
    r.id = ids::uuid_v7(at);
    r.received_at = at;
    r.environment_id = std::move(env);
    r.integrated_account_id = std::move(account);
    r.method = "POST";
    r.verdict = std::move(verdict);
    r.status_code = r.verdict == "accepted" ? 200 : 401;
    r.vendor_delivery_id = std::move(vendor_id);
    for (size_t i = 0; i < event_ids.size(); ++i)
      r.events.push_back({event_ids[i], "record:created", 1, static_cast<int64_t>(i)});
    return r;
  }

  // Writes are fire-and-forget, and one batcher sends them in order: once the last is readable, all are done.
  void write_all(const std::vector<InboundRecord>& records, InboundLimits limits) {
    for (const InboundRecord& r : records)
      inbound_->record(r, limits);
    const InboundRecord& last = records.back();
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = run(store_->command(RedisCommand(
          "HEXISTS", keys::inbound_records(last.environment_id, last.integrated_account_id), last.id)));
      if (reply.ok() && reply->integer() == 1) return;
      std::this_thread::yield();
    }
    FAIL() << "the records were never written";
  }

  int64_t hash_size(std::string_view env, std::string_view account) {
    auto reply = run(store_->command(RedisCommand("HLEN", keys::inbound_records(env, account))));
    return reply.ok() ? reply->integer() : -1;
  }

  test::SlotAudit audit_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_{[this] { io_.run(); }};
  RedisClientPtr redis_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<InboundStore> inbound_;
};

// What is stored is written straight to text: valid JSON with every field, whatever a vendor put in it (its
// delivery id, the error of a refusal), read back as it was.
TEST(InboundRecordText, HoldsEveryFieldAndReadsBack) {
  InboundRecord sparse;
  sparse.id = "x";
  EXPECT_EQ(to_json_text(sparse),
            R"({"id":"x","received_at":0,"environment_id":"","integrated_account_id":"",)"
            R"("environment_integration_id":"","integration":"","method":"","verdict":"","status_code":0,)"
            R"("error":null,"vendor_delivery_id":null,"transform_result_bytes":null,"events":[]})");
  InboundRecord full;
  full.id = ids::uuid_v7(kNow);
  full.received_at = kNow;
  full.environment_id = "env";
  full.integrated_account_id = "acc \"quoted\" \\ back";
  full.environment_integration_id = "ei\n\t\x01";
  full.integration = "caf\xc3\xa9";
  full.method = "POST";
  full.verdict = "signature_failed";
  full.status_code = 401;
  full.error = "signature_mismatch";
  full.vendor_delivery_id = "d-1\u2028";
  full.transform_result_bytes = 1234;
  full.events = {{"e1", "record:created", 3, 9'007'199'254'740'000}, {"e2", "record:updated", -1, -1}};
  std::string text = to_json_text(full);
  EXPECT_EQ(json::dump(to_json(full)), text) << "the API's tree is the stored text";
  auto back = inbound_record_from_json(text);
  ASSERT_TRUE(back.ok()) << text;
  EXPECT_EQ(to_json_text(*back), text);
  EXPECT_EQ(back->integrated_account_id, full.integrated_account_id);
  EXPECT_EQ(back->environment_integration_id, full.environment_integration_id);
  EXPECT_EQ(back->vendor_delivery_id, full.vendor_delivery_id);
  EXPECT_EQ(back->transform_result_bytes, 1234);
  ASSERT_EQ(back->events.size(), 2u);
  EXPECT_EQ(back->events[0].offset, 9'007'199'254'740'000);
  EXPECT_EQ(back->events[1].partition, -1);
}

TEST_F(InboundStoreTest, AnAccountKeepsItsNewestRecordsOnly) {
  std::vector<InboundRecord> records;
  for (int i = 0; i < 5; ++i)
    records.push_back(
        make("env1", "a1", kNow + i, "accepted", "d-" + std::to_string(i), {"e-" + std::to_string(i)}));
  write_all(records, {.retention = std::chrono::hours(1), .max_per_account = 3});
  EXPECT_EQ(hash_size("env1", "a1"), 3) << "the records themselves go, not only their listing";
  auto page = run(inbound_->recent("env1", "a1", "", "", 10));
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].id, records[4].id) << "newest first";
  EXPECT_EQ(page->items[2].id, records[2].id);
  EXPECT_EQ(page->items[0].events.at(0).id, "e-4");
  EXPECT_EQ(page->items[0].events.at(0).partition, 1);

  auto gone = run(inbound_->by_event_id("env1", "e-0"));
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->empty()) << "an index entry of a trimmed record finds nothing";
  auto kept = run(inbound_->by_vendor_delivery_id("env1", "d-4"));
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->at(0).id, records[4].id);
}

// The count that decides the trim is read once per call and kept up within it: records written together (the
// first goes alone, the other 39 wait for it and share the next call), and in calls after them, leave the
// newest max_per_account (up to an eighth more between trims).
TEST_F(InboundStoreTest, TheNewestRecordsAreKeptWithinACallAndAcrossCalls) {
  auto batch = [&](int from, int n) {
    std::vector<InboundRecord> records;
    for (int i = from; i < from + n; ++i)
      records.push_back(make("env1", "a2", kNow + i, "accepted", "", {"t-" + std::to_string(i)}));
    write_all(records, {.retention = std::chrono::hours(1), .max_per_account = 16});
  };
  batch(0, 40);
  int64_t within = hash_size("env1", "a2");
  EXPECT_GE(within, 16);
  EXPECT_LE(within, 18) << "16 kept, and at most an eighth more";
  batch(40, 40);
  int64_t across = hash_size("env1", "a2");
  EXPECT_GE(across, 16);
  EXPECT_LE(across, 18);
  auto page = run(inbound_->recent("env1", "a2", "", "", 100));
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(static_cast<int64_t>(page->items.size()), across) << "the listing and the records agree";
  EXPECT_EQ(page->items[0].events.at(0).id, "t-79") << "the newest stay";
  EXPECT_EQ(page->items.back().events.at(0).id, "t-" + std::to_string(80 - across));
}

TEST_F(InboundStoreTest, AnEnvironmentsIndexesAreAFewKeysNotOnePerEvent) {
  std::vector<InboundRecord> records;
  for (int i = 0; i < 300; ++i)
    records.push_back(make("env1", "a1", kNow + i, "accepted", "d-" + std::to_string(i),
                           {"e-" + std::to_string(i), "f-" + std::to_string(i)}));
  // A vendor retrying one delivery 25 times: its index keeps the newest 20 records.
  for (int i = 0; i < 25; ++i)
    records.push_back(make("env1", "a1", kNow + 1000 + i, "duplicate", "again"));
  write_all(records, {.retention = std::chrono::hours(1), .max_per_account = 1000});
  auto keys = run(store_->command(RedisCommand("KEYS", "hookd:inbound:{env1}:*")));
  ASSERT_TRUE(keys.ok());
  // Records, listing, the index days, and one index hash per kind for the one day.
  EXPECT_EQ(keys->elements().size(), 5u);
  auto by_event = run(inbound_->by_event_id("env1", "f-123"));
  ASSERT_TRUE(by_event.ok());
  ASSERT_EQ(by_event->size(), 1u);
  EXPECT_EQ(by_event->at(0).id, records[123].id);
  auto again = run(inbound_->by_vendor_delivery_id("env1", "again"));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 20u);
  EXPECT_EQ(again->front().id, records.back().id) << "newest first";
  EXPECT_EQ(again->back().id, records[300 + 5].id) << "the 5 oldest were dropped from the index";
}

TEST_F(InboundStoreTest, RecordsOlderThanTheRetentionGo) {
  std::vector<InboundRecord> records = {make("env1", "a1", kNow - 2 * 3600'000, "accepted", "old"),
                                        make("env1", "a1", kNow, "accepted", "new")};
  write_all(records, {.retention = std::chrono::hours(1), .max_per_account = 100});
  EXPECT_EQ(hash_size("env1", "a1"), 1);
  auto old = run(inbound_->by_vendor_delivery_id("env1", "old"));
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->empty());
}

TEST_F(InboundStoreTest, ListingPagesNewestFirstWithAVerdictFilter) {
  std::vector<InboundRecord> records;
  for (int i = 0; i < 6; ++i)
    records.push_back(make("env1", "a1", kNow + i, i % 2 ? "signature_failed" : "accepted", "d"));
  write_all(records, {.retention = std::chrono::hours(1), .max_per_account = 100});
  auto first = run(inbound_->recent("env1", "a1", "signature_failed", "", 2));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].id, records[5].id);
  EXPECT_EQ(first->items[1].id, records[3].id);
  ASSERT_FALSE(first->next_cursor.empty());
  std::string cursor = first->next_cursor;
  auto second = run(inbound_->recent("env1", "a1", "signature_failed", cursor, 2));
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].id, records[1].id);
  EXPECT_TRUE(second->next_cursor.empty());
  auto by_vendor = run(inbound_->by_vendor_delivery_id("env1", "d", "a1"));
  ASSERT_TRUE(by_vendor.ok());
  EXPECT_EQ(by_vendor->size(), 6u);
  auto other_account = run(inbound_->by_vendor_delivery_id("env1", "d", "a2"));
  ASSERT_TRUE(other_account.ok());
  EXPECT_TRUE(other_account->empty());
}

// Requests of several environments answered at once: their records are written in calls of one environment
// each (a script's keys must share a slot on a Redis Cluster, and each environment's records are in its own
// slot), and every one is stored. The slot audit fails the test if a call spanned slots.
TEST_F(InboundStoreTest, RecordsOfSeveralEnvironmentsWrittenTogetherAreAllStored) {
  std::vector<InboundRecord> records;
  for (int i = 0; i < 60; ++i)
    records.push_back(make("env-" + std::to_string(i % 3), "a1", kNow + i, "accepted",
                           "m-" + std::to_string(i), {"me-" + std::to_string(i)}));
  for (const InboundRecord& r : records)
    inbound_->record(r, {});
  for (const InboundRecord& r : records) {
    std::vector<InboundRecord> found;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         found.empty() && std::chrono::steady_clock::now() < deadline;) {
      auto by_event = run(inbound_->by_event_id(r.environment_id, r.events.at(0).id));
      ASSERT_TRUE(by_event.ok()) << by_event.error().message;
      found = std::move(by_event).value();
    }
    ASSERT_EQ(found.size(), 1u) << r.environment_id << " " << r.events.at(0).id << " was never stored";
    EXPECT_EQ(found[0].id, r.id);
  }
}

TEST_F(InboundStoreTest, AnotherEnvironmentReadsNothing) {
  write_all({make("env1", "a1", kNow, "accepted", "d-1", {"e-1"})}, {});
  for (auto env : {"env2", "env1x", ""}) {
    SCOPED_TRACE(env);
    auto by_vendor = run(inbound_->by_vendor_delivery_id(env, "d-1"));
    auto by_event = run(inbound_->by_event_id(env, "e-1"));
    auto recent = run(inbound_->recent(env, "a1", "", "", 10));
    ASSERT_TRUE(by_vendor.ok() && by_event.ok() && recent.ok());
    EXPECT_TRUE(by_vendor->empty());
    EXPECT_TRUE(by_event->empty());
    EXPECT_TRUE(recent->items.empty());
  }
  auto found = run(inbound_->by_event_id("env1", "e-1"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u);
}

}  // namespace
}  // namespace hookd::store
