// Integrations and their installs per environment: the config records every ingest request resolves.
#include "store/keys.h"
#include "store/store.h"

namespace hookd::store {

namespace {

// Replaces a versioned JSON record only if its stored version is the expected one.
//   KEYS: the record
//   ARGV: expected version, the new JSON, the config change channel (the key is published there), the name of
//         the record's version field
//   -> 1 replaced, 0 version conflict, -1 not found
const RedisScript& compare_and_set() {
  static const RedisScript s(R"lua(
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
local ok, rec = pcall(cjson.decode, cur)
if not ok then return 0 end
local version = rec[ARGV[4]]
-- A number (a version) compares as a number, anything else (a time stamp's text) as its text.
if type(version) == 'number' then
  if version ~= tonumber(ARGV[1]) then return 0 end
elseif version ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
return 1
)lua");
  return s;
}

}  // namespace

// Shared with the account functions.
awaitable<Status> versioned_update(Store& store, std::string key, std::string expected, std::string json,
                                   std::string_view what, std::string_view version_field) {
  auto r = co_await store.run(compare_and_set(), RedisCommand{key},
                              RedisCommand{expected, json, store.changes_channel(), version_field});
  if (!r.ok()) co_return r.error();
  if (r->integer() == -1) co_return make_error(StoreErrc::not_found, std::string(what) + " not found");
  if (r->integer() == 0)
    co_return make_error(StoreErrc::conflict,
                         std::string(what) + " was changed concurrently; read it again and retry");
  std::vector<std::string> published{std::move(key)};  // not a braced list in the co_await (GCC 12)
  co_await store.change_published(std::move(published));
  co_return Status{};
}

awaitable<Status> Store::create_integration(const Integration& i) {
  auto claimed = co_await command(RedisCommand{"SET", keys::integration_name(i.name), i.id, "NX"});
  if (!claimed.ok()) co_return claimed.error();
  if (claimed->is_nil())
    co_return make_error(StoreErrc::conflict, "an integration named '" + i.name + "' already exists");
  // The name is claimed, then the record, then the index (store.h).
  std::string key = keys::integration(i.id);
  auto r = co_await write_announced(RedisCommand{"SET", key, json::dump(to_json(i))}, key);
  if (r.ok()) r = co_await command(RedisCommand{"SADD", keys::integrations(), i.id});
  co_await change_published();
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> Store::update_integration(const Integration& i, int64_t expected_version) {
  co_return co_await versioned_update(*this, keys::integration(i.id), expected_version,
                                      json::dump(to_json(i)), "integration");
}

awaitable<Result<Integration>> Store::get_integration(std::string_view id_or_name) {
  auto v = co_await get_json(keys::integration(id_or_name), "integration");
  if (!v.ok() && v.error().code == StoreErrc::not_found) {
    auto id = co_await command(RedisCommand{"GET", keys::integration_name(id_or_name)});
    if (!id.ok()) co_return id.error();
    if (id->is_nil()) co_return make_error(StoreErrc::not_found, "integration not found");
    v = co_await get_json(keys::integration(id->str()), "integration");
  }
  if (!v.ok()) co_return v.error();
  co_return integration_from_json(*v);
}

awaitable<Result<std::vector<Integration>>> Store::list_integrations() {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::integrations()});
  if (!ids.ok()) co_return ids.error();
  std::vector<Integration> out;
  for (const auto& id : ids->elements()) {
    auto i = co_await get_integration(id.str());
    if (i.ok()) out.push_back(std::move(i).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  co_return out;
}

awaitable<Status> Store::create_environment_integration(const EnvironmentIntegration& e) {
  // Record, then index (store.h).
  std::string key = keys::environment_integration(e.id);
  auto r = co_await write_announced(RedisCommand{"SET", key, json::dump(to_json(e))}, key);
  if (r.ok())
    r = co_await command(RedisCommand{"SADD", keys::environment_integrations(e.environment_id), e.id});
  co_await change_published();
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Status> Store::update_environment_integration(const EnvironmentIntegration& e,
                                                        int64_t expected_version) {
  co_return co_await versioned_update(*this, keys::environment_integration(e.id), expected_version,
                                      json::dump(to_json(e)), "environment integration");
}

awaitable<Result<EnvironmentIntegration>> Store::get_environment_integration(std::string_view id) {
  auto v = co_await get_json(keys::environment_integration(id), "environment integration");
  if (!v.ok()) co_return v.error();
  co_return environment_integration_from_json(*v);
}

awaitable<Result<std::vector<EnvironmentIntegration>>> Store::list_environment_integrations(
    std::string_view env) {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::environment_integrations(env)});
  if (!ids.ok()) co_return ids.error();
  std::vector<EnvironmentIntegration> out;
  for (const auto& id : ids->elements()) {
    auto e = co_await get_environment_integration(id.str());
    if (e.ok()) out.push_back(std::move(e).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  co_return out;
}

}  // namespace hookd::store
