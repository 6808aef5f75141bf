#include "dispatch/notices.h"
#include "dispatch/redis_fields.h"

#include "core/clock.h"
#include "store/keys.h"

namespace hookd::dispatch {

using store::RedisCommand;
using store::RedisReply;
using store::StoreErrc;

namespace keys = store::keys;

namespace {

Notice notice_from_hash(const RedisReply& r) {
  Notice n;
  const auto& el = r.elements();
  for (size_t i = 0; i + 1 < el.size(); i += 2) {
    std::string_view k = el[i].str(), v = el[i + 1].str();
    if (k == "id")
      n.id = v;
    else if (k == "environment_id")
      n.environment_id = v;
    else if (k == "type")
      n.type = v;
    else if (k == "webhook_id")
      n.webhook_id = v;
    else if (k == "target_url")
      n.target_url = v;
    else if (k == "reason")
      n.reason = v;
    else if (k == "created_at")
      n.created_at = field_int(v);
    else if (k == "published_at")
      n.published_at = field_int(v);
    else if (k == "event")
      n.event_json = v;
  }
  return n;
}

std::string unpublished_member(const Notice& n) {
  return n.environment_id + "/" + n.id;
}

}  // namespace

json::Value to_json(const Notice& n) {
  json::ObjectBuilder b(9);
  b.set("id", n.id).set("type", n.type).set("environment_id", n.environment_id);
  b.set("webhook_id", n.webhook_id).set("target_url", n.target_url).set("reason", n.reason);
  b.set("created_at", clock::iso8601(n.created_at)).set("published", n.published_at != 0);
  b.set("published_at", n.published_at ? json::Value(clock::iso8601(n.published_at)) : json::Value(nullptr));
  return std::move(b).build();
}

awaitable<Status> NoticeStore::record(const Notice& n, std::chrono::seconds retention) {
  // The unpublished entry first: a crash after it leaves an entry whose record is missing (the sweep drops
  // it), never a record nobody would publish.
  auto queued =
      co_await store_.command(RedisCommand{"SADD", keys::unpublished_notices(), unpublished_member(n)});
  if (!queued.ok()) co_return queued.error();
  std::string key = keys::notice(n.environment_id, n.id);
  std::string index = keys::environment_notices(n.environment_id);
  auto ttl = static_cast<int64_t>(retention.count());
  std::vector<RedisCommand> commands;
  // HSETNX on the id: recording the same notice again (a retry) keeps what was recorded, published_at too.
  commands.push_back(RedisCommand{"HSETNX", key, "id", n.id});
  commands.push_back(RedisCommand{"HSET", key, "environment_id", n.environment_id, "type", n.type,
                                  "webhook_id", n.webhook_id, "target_url", n.target_url, "reason", n.reason,
                                  "created_at", n.created_at, "event", n.event_json});
  commands.push_back(RedisCommand{"EXPIRE", key, ttl});
  commands.push_back(RedisCommand{"ZADD", index, n.created_at, n.id});
  commands.push_back(RedisCommand{"ZREMRANGEBYSCORE", index, "-inf",
                                  "(" + std::to_string(clock::now_millis() - ttl * 1000)});
  commands.push_back(RedisCommand{"EXPIRE", index, ttl});
  auto r = co_await store_.transaction(std::move(commands));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> NoticeStore::mark_published(const Notice& n, int64_t now) {
  std::string key = keys::notice(n.environment_id, n.id);
  // Only a notice that still exists gets the field (HSET would bring an expired one back without a TTL).
  auto exists = co_await store_.command(RedisCommand{"EXISTS", key});
  if (!exists.ok()) co_return exists.error();
  if (exists->integer() == 1) {
    auto set = co_await store_.command(RedisCommand{"HSET", key, "published_at", now});
    if (!set.ok()) co_return set.error();
  }
  auto done =
      co_await store_.command(RedisCommand{"SREM", keys::unpublished_notices(), unpublished_member(n)});
  if (!done.ok()) co_return done.error();
  co_return Status{};
}

awaitable<Result<Notice>> NoticeStore::get(std::string_view environment_id, std::string_view id) {
  auto r = co_await store_.command(RedisCommand{"HGETALL", keys::notice(environment_id, id)});
  if (!r.ok()) co_return r.error();
  if (r->elements().empty()) co_return make_error(StoreErrc::not_found, "notice not found");
  co_return notice_from_hash(*r);
}

awaitable<Result<std::vector<Notice>>> NoticeStore::list(std::string_view environment_id, size_t limit) {
  RedisCommand query{"ZREVRANGE", keys::environment_notices(environment_id), 0,
                     static_cast<int64_t>(limit) - 1};
  auto ids = co_await store_.command(std::move(query));
  if (!ids.ok()) co_return ids.error();
  std::vector<Notice> out;
  for (const auto& e : ids->elements()) {
    auto n = co_await get(environment_id, e.str());
    if (n.ok())
      out.push_back(std::move(n).value());
    else if (n.error().code != StoreErrc::not_found)
      co_return n.error();
  }
  co_return out;
}

awaitable<Result<std::vector<Notice>>> NoticeStore::unpublished() {
  auto members = co_await store_.command(RedisCommand{"SMEMBERS", keys::unpublished_notices()});
  if (!members.ok()) co_return members.error();
  std::vector<Notice> out;
  for (const auto& e : members->elements()) {
    std::string_view member = e.str();
    size_t slash = member.find('/');
    if (slash == std::string_view::npos) continue;  // not one record() wrote
    std::string env(member.substr(0, slash)), id(member.substr(slash + 1));
    auto n = co_await get(env, id);
    if (n.ok()) {
      out.push_back(std::move(n).value());
    } else if (n.error().code == StoreErrc::not_found) {
      // Expired, or recorded only halfway by a crash: nothing to publish.
      (void)co_await store_.command(RedisCommand{"SREM", keys::unpublished_notices(), member});
    } else {
      co_return n.error();
    }
  }
  co_return out;
}

}  // namespace hookd::dispatch
