#include "store/store.h"

#include "core/clock.h"
#include "store/keys.h"

namespace hookd::store {

Error unavailable(const error_code& ec) {
  return make_error(StoreErrc::unavailable, "redis: " + ec.message());
}

Store::Store(RedisClientPtr redis)
    : redis_(std::move(redis)), changes_channel_(keys::config_changes(redis_->options().db)) {}

awaitable<Result<RedisReply>> Store::command(RedisCommand c) {
  error_code ec;
  RedisReply reply = co_await redis_->async_command(std::move(c), redirect(ec));
  if (ec) co_return unavailable(ec);
  if (reply.is_error()) co_return make_error(StoreErrc::redis_error, "redis: " + std::string(reply.str()));
  co_return reply;
}

awaitable<Result<RedisReply>> Store::transaction(std::vector<RedisCommand> commands) {
  error_code ec;
  RedisReply reply = co_await redis_->async_transaction(std::move(commands), redirect(ec));
  if (ec) co_return unavailable(ec);
  if (reply.is_error()) co_return make_error(StoreErrc::redis_error, "redis: " + std::string(reply.str()));
  co_return reply;
}

awaitable<Result<RedisReply>> Store::pipeline(std::vector<RedisCommand> commands) {
  error_code ec;
  RedisReply reply = co_await redis_->async_pipeline(std::move(commands), redirect(ec));
  if (ec) co_return unavailable(ec);
  if (reply.is_error()) co_return make_error(StoreErrc::redis_error, "redis: " + std::string(reply.str()));
  co_return reply;
}

awaitable<Result<RedisReply>> Store::run(const RedisScript& script, RedisCommand keys, RedisCommand args) {
  error_code ec;
  RedisReply reply = co_await script.async_run(*redis_, keys, args, redirect(ec));
  if (ec) co_return unavailable(ec);
  if (reply.is_error())
    co_return make_error(StoreErrc::redis_error, "redis script: " + std::string(reply.str()));
  co_return reply;
}

awaitable<Status> Store::replicated(std::string_view key) {
  if (redis_->options().wait_replicas <= 0) co_return Status{};
  error_code ec;
  co_await redis_->async_wait_replicas(key, redirect(ec));
  if (ec) co_return unavailable(ec);
  co_return Status{};
}

awaitable<Result<RedisReply>> Store::write_announced(RedisCommand write, std::string key) {
  std::vector<RedisCommand> cmds;
  cmds.push_back(std::move(write));
  cmds.push_back(RedisCommand{"PUBLISH", changes_channel_, key});
  auto r = co_await transaction(std::move(cmds));
  if (r.ok() && redis_->options().cluster) {
    // On a cluster the transaction's PUBLISH reaches subscribers on other nodes through the cluster bus, after
    // an unbounded delay: published again on the channel's node, where every subscriber listens
    // (ConfigCache), so that change_published() can order it before the writer's answer.
    std::vector<RedisCommand> direct;
    direct.push_back(RedisCommand{"EXISTS", changes_channel_});
    direct.push_back(RedisCommand{"PUBLISH", changes_channel_, std::move(key)});
    error_code ec;
    (void)co_await redis_->async_sequence(std::move(direct), redirect(ec));
  }
  co_return r;
}

awaitable<Result<RedisReply>> Store::get_many(const std::vector<std::string>& keys) {
  std::vector<RedisCommand> gets;
  gets.reserve(keys.size());
  for (const auto& k : keys)
    gets.push_back(RedisCommand{"GET", k});
  auto r = co_await pipeline(std::move(gets));
  if (!r.ok()) co_return r.error();
  for (const auto& e : r->elements())
    if (e.is_error()) co_return make_error(StoreErrc::redis_error, "redis: " + std::string(e.str()));
  co_return r;
}

awaitable<void> Store::change_published(std::vector<std::string> published) {
  // The write is done whatever this answers: a failed PING only loses the ordering it buys. On a cluster, the
  // PING goes to the channel's node (behind a read of the channel's name as a key), where the messages were
  // published and the subscribers listen. What a script published on its own keys' node is published there
  // first, in a round trip of its own: the PING must come in a later pass than the PUBLISH.
  if (redis_->options().cluster && !published.empty()) {
    std::vector<RedisCommand> direct;
    direct.push_back(RedisCommand{"EXISTS", changes_channel_});
    for (auto& key : published)
      direct.push_back(RedisCommand{"PUBLISH", changes_channel_, std::move(key)});
    error_code ec;
    (void)co_await redis_->async_sequence(std::move(direct), redirect(ec));
  }
  std::vector<RedisCommand> ping;
  if (redis_->options().cluster) ping.push_back(RedisCommand{"EXISTS", changes_channel_});
  ping.push_back(RedisCommand{"PING"});
  error_code ec;
  (void)co_await redis_->async_sequence(std::move(ping), redirect(ec));
}

awaitable<Result<json::Value>> Store::get_json(std::string key, std::string_view what) {
  auto r = co_await command(RedisCommand{"GET", key});
  if (!r.ok()) co_return r.error();
  if (r->is_nil()) co_return make_error(StoreErrc::not_found, std::string(what) + " not found");
  json::Value v;
  if (!json::parse(r->str(), v))
    co_return make_error(StoreErrc::corrupt_record, std::string(what) + " is not valid JSON");
  co_return v;
}

// --- environments ------------------------------------------------------------------------------------------

awaitable<Status> Store::put_environment(const Environment& e) {
  // Record, then index (store.h).
  std::string key = keys::environment(e.id);
  auto r = co_await write_announced(RedisCommand{"SET", key, json::dump(to_json(e))}, key);
  if (r.ok()) r = co_await command(RedisCommand{"SADD", keys::environments(), e.id});
  co_await change_published();
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> Store::update_environment(const Environment& e, int64_t read_updated_at) {
  // Stored as its ISO 8601 text (model.cpp), which a millisecond time stamp writes the same way every time.
  co_return co_await versioned_update(*this, keys::environment(e.id), clock::iso8601(read_updated_at),
                                      json::dump(to_json(e)), "environment", "updated_at");
}

awaitable<Result<Environment>> Store::get_environment(std::string_view id) {
  auto v = co_await get_json(keys::environment(id), "environment");
  if (!v.ok()) co_return v.error();
  co_return environment_from_json(*v);
}

awaitable<Result<std::vector<Environment>>> Store::list_environments() {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::environments()});
  if (!ids.ok()) co_return ids.error();
  std::vector<Environment> out;
  for (const auto& id : ids->elements()) {
    auto e = co_await get_environment(id.str());
    if (e.ok()) out.push_back(std::move(e).value());  // an index entry whose record is gone is skipped
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  co_return out;
}

// --- API tokens --------------------------------------------------------------------------------------------

awaitable<Status> Store::put_token(const ApiToken& t) {
  // Three slots, in order (store.h): the record a bearer token is checked against, the id's pointer to it, the
  // environment's index. A crash before the end leaves a token nobody was told (its creation failed).
  std::vector<RedisCommand> steps;
  steps.push_back(RedisCommand{"SET", keys::token_hash(t.hash), json::dump(to_json(t))});
  steps.push_back(RedisCommand{"SET", keys::api_token(t.id), t.hash});
  steps.push_back(RedisCommand{"SADD", keys::environment_tokens(t.environment_id), t.id});
  for (auto& step : steps)
    if (auto r = co_await command(std::move(step)); !r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<ApiToken>> Store::find_token(std::string_view token_hash) {
  auto v = co_await get_json(keys::token_hash(token_hash), "api token");
  if (!v.ok()) co_return v.error();
  co_return api_token_from_json(*v);
}

awaitable<Result<ApiToken>> Store::get_token(std::string_view id) {
  auto h = co_await command(RedisCommand{"GET", keys::api_token(id)});
  if (!h.ok()) co_return h.error();
  if (h->is_nil()) co_return make_error(StoreErrc::not_found, "api token not found");
  co_return co_await find_token(h->str());
}

awaitable<Result<std::vector<ApiToken>>> Store::list_tokens(std::string_view environment_id) {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::environment_tokens(environment_id)});
  if (!ids.ok()) co_return ids.error();
  std::vector<ApiToken> out;
  for (const auto& id : ids->elements()) {
    auto t = co_await get_token(id.str());
    if (t.ok()) out.push_back(std::move(t).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  co_return out;
}

awaitable<Status> Store::delete_token(const ApiToken& t) {
  // The record first: the token stops authenticating at once; then the pointer and the index entry (readers
  // skip an id whose record is gone).
  std::vector<RedisCommand> steps;
  steps.push_back(RedisCommand{"DEL", keys::token_hash(t.hash)});
  steps.push_back(RedisCommand{"DEL", keys::api_token(t.id)});
  steps.push_back(RedisCommand{"SREM", keys::environment_tokens(t.environment_id), t.id});
  for (auto& step : steps)
    if (auto r = co_await command(std::move(step)); !r.ok()) co_return r.error();
  co_return Status{};
}

}  // namespace hookd::store
