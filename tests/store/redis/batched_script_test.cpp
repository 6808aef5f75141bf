// Group commit of scripts (ScriptBatcher): items sent while a call is in flight go together in the next call,
// each caller gets its own item's reply, and one item's failure is that item's alone.
#include <functional>
#include <future>
#include <mutex>

#include "core/metrics.h"
#include "redis_test_util.h"
#include "store/redis/batched_script.h"

namespace hookd::store::test {
namespace {

using ScriptBatcherTest = RedisTest;

// Sets KEYS[1] to ARGV[1] and answers ARGV[1]; ARGV[1] == "bad" answers an error reply, "nil" answers nothing,
// and "raise" makes a command fail (INCR of a text value).
const BatchedScript& set_script() {
  static const BatchedScript s("test_set", R"lua(
if ARGV[1] == 'bad' then return redis.error_reply('ERR bad item') end
if ARGV[1] == 'raise' then
  redis.call('SET', KEYS[1], 'text')
  redis.call('INCR', KEYS[1])
end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[1] == 'nil' then return nil end
batch.count = (batch.count or 0) + 1
return {ARGV[1], batch.count}
)lua");
  return s;
}

uint64_t batches() {
  return metrics::registry()
      .counter("hookd_redis_batches_total", "Batched Redis script calls sent", "script=\"test_set\"")
      .value();
}

// Submits every value at once (callback form, so none waits for another) and waits for all replies.
// `after_submit` runs once every item is handed to the batcher (before any answer is awaited).
std::vector<Result> run_all(ScriptBatcher& batcher, const std::vector<std::string>& keys,
                            const std::vector<std::string>& values,
                            const std::function<void()>& after_submit = {}) {
  // Shared with the callbacks: the last one may still be unlocking when this function has returned.
  struct State {
    std::mutex mu;
    std::vector<Result> results;
    size_t left = 0;
    std::promise<void> all_done;
  };
  auto state = std::make_shared<State>();
  state->results.resize(values.size());
  state->left = values.size();
  auto done = state->all_done.get_future();
  for (size_t i = 0; i < values.size(); ++i)
    batcher.async_run(RedisCommand{keys[i]}, RedisCommand{values[i]},
                      [state, i](error_code ec, RedisReply r) {
                        std::lock_guard lock(state->mu);
                        state->results[i] = {ec, std::move(r)};
                        if (--state->left == 0) state->all_done.set_value();
                      });
  if (after_submit) after_submit();
  if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "not every item was answered within 20 s";
    return std::vector<Result>(values.size());
  }
  std::lock_guard lock(state->mu);
  return state->results;
}

// run_all with `server` frozen while the items are submitted. The first item's call is sent (and so in flight)
// inside its own async_run, before the next item is submitted; the server answers it only after thaw(), so
// every other item is queued behind it, however slowly this thread submits them.
std::vector<Result> run_all_behind_first(RedisServerProcess& server, ScriptBatcher& batcher,
                                         const std::vector<std::string>& keys,
                                         const std::vector<std::string>& values) {
  server.freeze();
  return run_all(batcher, keys, values, [&] { server.thaw(); });
}

TEST_F(ScriptBatcherTest, ItemsSentTogetherShareCallsAndEachGetsItsOwnReply) {
  RedisServerProcess server;
  auto client = connect(server.options());
  ASSERT_TRUE(connected(*client));
  auto batcher = ScriptBatcher::create(client, set_script(), 64);
  constexpr size_t kItems = 1000;
  std::vector<std::string> keys, values;
  for (size_t i = 0; i < kItems; ++i) {
    keys.push_back(key("k" + std::to_string(i)));
    values.push_back("v" + std::to_string(i));
  }
  uint64_t before = batches();
  auto results = run_all_behind_first(server, *batcher, keys, values);
  uint64_t calls = batches() - before;

  for (size_t i = 0; i < kItems; ++i) {
    ASSERT_FALSE(results[i].ec) << i << ": " << results[i].ec.message();
    ASSERT_TRUE(results[i].reply.is_array()) << i << ": " << results[i].reply;
    ASSERT_EQ(results[i].reply[0], RedisReply::make_string(values[i]))
        << "item " << i << " got another's reply";
  }
  Admin admin(server.options());
  for (size_t i = 0; i < kItems; i += 97)
    EXPECT_EQ(admin.command({"GET", keys[i]}), RedisReply::make_string(values[i]));
  // The first item went alone; the other 999 waited behind it and went in calls of at most 64.
  EXPECT_EQ(calls, 1 + (kItems - 1 + 63) / 64);
  // `batch` is shared within a call and fresh in the next: the counts restart at 1 in every call.
  size_t firsts = 0;
  for (const auto& r : results)
    firsts += r.reply[1] == RedisReply::make_integer(1);
  EXPECT_EQ(firsts, calls);
}

TEST_F(ScriptBatcherTest, AFailingItemFailsAloneAndTheOthersInItsCallAreWritten) {
  RedisServerProcess server;
  auto client = connect(server.options());
  ASSERT_TRUE(connected(*client));
  Admin admin(server.options());
  auto batcher = ScriptBatcher::create(client, set_script());
  // The first item goes at once; the rest wait for it and go together in one call.
  std::vector<std::string> values = {"first", "a", "bad", "b", "raise", "c", "nil", "d"};
  std::vector<std::string> keys;
  for (const auto& v : values)
    keys.push_back(key(v));
  uint64_t before = batches();
  auto results = run_all_behind_first(server, *batcher, keys, values);
  EXPECT_EQ(batches() - before, 2u);

  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& v = values[i];
    ASSERT_FALSE(results[i].ec) << v << ": " << results[i].ec.message();
    if (v == "bad") {
      EXPECT_TRUE(results[i].reply.is_error("ERR")) << results[i].reply;
      EXPECT_TRUE(admin.command({"GET", keys[i]}).is_nil()) << "an item that failed wrote nothing";
    } else if (v == "raise") {
      EXPECT_TRUE(results[i].reply.is_error()) << results[i].reply;
      EXPECT_EQ(admin.command({"GET", keys[i]}), RedisReply::make_string("text"))
          << "what the item wrote before failing stays, as in a script of its own";
    } else if (v == "nil") {
      EXPECT_TRUE(results[i].reply.is_nil()) << results[i].reply;
      EXPECT_EQ(admin.command({"GET", keys[i]}), RedisReply::make_string(v));
    } else {
      EXPECT_TRUE(results[i].reply.is_array()) << v << ": " << results[i].reply;
      EXPECT_EQ(admin.command({"GET", keys[i]}), RedisReply::make_string(v));
    }
  }
}

TEST_F(ScriptBatcherTest, AFlushedScriptCacheIsReloadedForTheNextCall) {
  auto client = connect();
  auto batcher = ScriptBatcher::create(client, set_script());
  ASSERT_FALSE(run_all(*batcher, {key("w")}, {"w"})[0].ec);
  ASSERT_FALSE(exec(*client, {"SCRIPT", "FLUSH"}).ec);
  auto results = run_all(*batcher, {key("x"), key("y"), key("z")}, {"x", "y", "z"});
  for (const auto& r : results) {
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(r.reply.is_array()) << r.reply;
  }
}

TEST_F(ScriptBatcherTest, AnUnreachableServerFailsTheWaitingItemsAndTheBatcherGoesOnAfterwards) {
  RedisServerProcess server;
  auto client = connect(server.options());
  ASSERT_TRUE(connected(*client));
  auto batcher = ScriptBatcher::create(client, set_script());
  std::vector<std::string> keys = {key("p"), key("q"), key("r")}, values = {"p", "q", "r"};
  server.stop();
  for (const auto& r : run_all(*batcher, keys, values))
    EXPECT_TRUE(r.ec) << "answered without a server: " << r.reply;
  server.start();
  ASSERT_TRUE(connected(*client));
  for (const auto& r : run_all(*batcher, keys, values)) {
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(r.reply.is_array()) << r.reply;
  }
}

}  // namespace
}  // namespace hookd::store::test
