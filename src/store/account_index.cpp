#include "store/account_index.h"

#include <algorithm>
#include <span>

#include "store/keys.h"

namespace hookd::store {

namespace {

// Rounds of "these are the keys I need" a write or an index batch may take before it gives up: one to learn
// them, more only while those records change concurrently.
constexpr int kMaxRounds = 6;
// Accounts per script when a field is first indexed, so one script does not block Redis for long.
constexpr size_t kBackfillBatch = 200;

// Lua shared by the scripts: the indexed text at a dotted context path, or nil (absent, empty, not a string or
// number). cjson keeps 14 significant digits, so integers up to 10^14 index exactly. And the install id of a
// record, as text.
constexpr const char* kHelpers = R"lua(
local function value_at(rec, path)
  local v = rec and rec.context
  for part in string.gmatch(path, '[^.]+') do
    if type(v) ~= 'table' then return nil end
    v = v[part]
  end
  if type(v) == 'string' and v ~= '' then return v end
  if type(v) == 'number' then return cjson.encode(v) end
  return nil
end
local function install_of(rec)
  if type(rec) ~= 'table' then return '' end
  local v = rec.environment_integration_id
  if type(v) == 'string' or type(v) == 'number' then return tostring(v) end
  return ''
end
)lua";

// Writes, replaces or deletes an account record and keeps the lookup index current.
//   KEYS: the account, its environment's account index (zset), its install's lookup fields (set),
//         then per index change: the set of the value before, the set of the value after
//   ARGV: mode (create | update | delete), expected version (update), record JSON, account id, created ms,
//         install id (the one KEYS 3 and the value sets belong to), the config change channel (the
//         account's key is published there once written: caches drop their copy),
//         then per index change: field, value before, value after ('' for none), sorted by field
//   -> 1 written, 0 version conflict, -1 not found (update), or (nothing written) an array of the index
//      changes this write makes, {field, before, after, ...}, when they are not the ones passed
const RedisScript& account_write_script() {
  static const RedisScript s(std::string(kHelpers) + R"lua(
local mode, id = ARGV[1], ARGV[4]
local cur = redis.call('GET', KEYS[1])
local old = nil
if cur then
  local ok, rec = pcall(cjson.decode, cur)
  if ok then old = rec end
end
if mode == 'update' then
  if not cur then return -1 end
  if not old or tonumber(old.version) ~= tonumber(ARGV[2]) then return 0 end
end
local new = nil
if mode ~= 'delete' then new = cjson.decode(ARGV[3]) end
local rec = new or old
local changes = {}
if rec then
  if install_of(rec) ~= ARGV[6] then
    return redis.error_reply('integrated account ' .. id .. ' belongs to environment integration ' ..
      install_of(rec) .. ', not ' .. ARGV[6])
  end
  for _, field in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local before, after = value_at(old, field), value_at(new, field)
    if before ~= after then changes[#changes + 1] = {field, before or '', after or ''} end
  end
  table.sort(changes, function(x, y) return x[1] < y[1] end)
end
local same = #changes * 3 == #ARGV - 7
for i, c in ipairs(changes) do
  local j = 5 + i * 3
  same = same and ARGV[j] == c[1] and ARGV[j + 1] == c[2] and ARGV[j + 2] == c[3]
end
if not same then
  local needed = {}
  for _, c in ipairs(changes) do
    needed[#needed + 1] = c[1]
    needed[#needed + 1] = c[2]
    needed[#needed + 1] = c[3]
  end
  return needed
end
for i, c in ipairs(changes) do
  if c[2] ~= '' then redis.call('SREM', KEYS[2 + 2 * i], id) end
  if c[3] ~= '' then redis.call('SADD', KEYS[3 + 2 * i], id) end
end
redis.call('PUBLISH', ARGV[7], KEYS[1])
if mode == 'delete' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], id)
  return 1
end
redis.call('SET', KEYS[1], ARGV[3])
if mode == 'create' then redis.call('ZADD', KEYS[2], ARGV[5], id) end
return 1
)lua");
  return s;
}

// The account ids of a value, if the field is indexed (nil otherwise).
//   KEYS: the install's indexed fields (ready for lookups), the value's set
//   ARGV: field
const RedisScript& account_lookup_script() {
  static const RedisScript s(R"lua(
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('SMEMBERS', KEYS[2])
)lua");
  return s;
}

// Adds accounts to the index of a field, each under the value its record holds now.
//   KEYS: per account: its record, then per value: its set
//   ARGV: install id, field, number of accounts n, then the n account ids, then the values (in the order of
//         KEYS)
//   -> {'ok'}, or (nothing written) {'values', the values the accounts hold...} when those are not among the
//      ones passed
const RedisScript& account_backfill_script() {
  static const RedisScript s(std::string(kHelpers) + R"lua(
local install, field, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local slot = {}  -- value -> the index of its set in KEYS
for j = 4 + n, #ARGV do slot[ARGV[j]] = j - 3 end
local found, missing = {}, false
for i = 1, n do
  local raw = redis.call('GET', KEYS[i])
  if raw then
    local ok, rec = pcall(cjson.decode, raw)
    if ok and install_of(rec) == install then
      local v = value_at(rec, field)
      if v then
        found[#found + 1] = {ARGV[3 + i], v}
        if not slot[v] then missing = true end
      end
    end
  end
end
if missing then
  local seen, values = {}, {}
  for _, f in ipairs(found) do
    if not seen[f[2]] then
      seen[f[2]] = true
      values[#values + 1] = f[2]
    end
  end
  table.insert(values, 1, 'values')
  return values
end
for _, f in ipairs(found) do redis.call('SADD', KEYS[slot[f[2]]], f[1]) end
return {'ok'}
)lua");
  return s;
}

std::vector<std::string> strings(const RedisReply& r, size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < r.size(); ++i)
    out.emplace_back(r[i].str());
  return out;
}

// Adds a batch of accounts to the index of a field.
awaitable<Status> backfill(Store& store, const std::string& install, std::string_view field,
                           std::span<const std::string> ids) {
  std::vector<std::string> values;  // the values the accounts hold, learnt from the script's answer
  for (int round = 0; round < kMaxRounds; ++round) {
    RedisCommand script_keys;
    RedisCommand args{install, field, static_cast<int64_t>(ids.size())};
    for (const auto& id : ids) {
      script_keys.arg(keys::integrated_account(id));
      args.arg(id);
    }
    for (const auto& v : values) {
      script_keys.arg(keys::account_lookup(install, field, v));
      args.arg(v);
    }
    auto r = co_await store.run(account_backfill_script(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    std::string_view tag = r->size() > 0 ? (*r)[0].str() : std::string_view();
    if (tag == "ok") co_return Status{};
    if (tag != "values")
      co_return make_error(StoreErrc::redis_error, "unexpected answer from the account index script");
    values = strings(*r, 1);
  }
  co_return make_error(StoreErrc::contended, "the accounts kept changing while context." +
                                                 std::string(field) + " was being indexed; retry");
}

// Indexes a field over the environment's accounts, then answers the lookup of one value.
awaitable<Result<std::vector<std::string>>> index_field(Store& store, const EnvironmentIntegration& install,
                                                        std::string_view field, std::string_view value) {
  // 1. From here on every account write keeps the field's index current (the write script maintains the
  // fields of this set), so accounts created or changed while the ones below are indexed are not missed.
  RedisCommand maintain{"SADD", keys::account_lookup_fields(install.id), field};
  auto maintained = co_await store.command(std::move(maintain));
  if (!maintained.ok()) co_return maintained.error();
  // 2. The accounts that exist now, a batch at a time: each is indexed under the value its record holds when
  // its batch runs, and a write before or after that keeps it right (both are atomic scripts).
  RedisCommand list{"ZRANGE", keys::environment_accounts(install.environment_id), 0, -1};
  auto listed = co_await store.command(std::move(list));
  if (!listed.ok()) co_return listed.error();
  std::vector<std::string> ids = strings(*listed, 0);
  for (size_t from = 0; from < ids.size(); from += kBackfillBatch) {
    std::span<const std::string> batch(ids.data() + from, std::min(kBackfillBatch, ids.size() - from));
    Status s = co_await backfill(store, install.id, field, batch);
    if (!s.ok()) co_return s.error();
  }
  // 3. Complete: lookups answer from the index.
  RedisCommand ready{"SADD", keys::account_lookup_ready(install.id), field};
  auto made_ready = co_await store.command(std::move(ready));
  if (!made_ready.ok()) co_return made_ready.error();
  RedisCommand members{"SMEMBERS", keys::account_lookup(install.id, field, value)};
  auto r = co_await store.command(std::move(members));
  if (!r.ok()) co_return r.error();
  co_return strings(*r, 0);
}

}  // namespace

awaitable<Result<int64_t>> write_account_record(Store& store, std::string_view mode,
                                                const IntegratedAccount& a, int64_t expected_version) {
  std::string record;
  if (mode != "delete") record = json::dump(to_json(a));
  const std::string& install = a.environment_integration_id;
  // The index changes the script said this write makes: none expected at first (most installs index no
  // field), so a write is one round trip unless an indexed value changes.
  std::vector<std::string> changes;  // field, before, after, ...
  for (int round = 0; round < kMaxRounds; ++round) {
    RedisCommand script_keys{keys::integrated_account(a.id), keys::environment_accounts(a.environment_id),
                             keys::account_lookup_fields(install)};
    RedisCommand args{mode, expected_version, record, a.id, a.created_at, install, store.changes_channel()};
    for (size_t i = 0; i + 2 < changes.size(); i += 3) {
      script_keys.arg(keys::account_lookup(install, changes[i], changes[i + 1]));
      script_keys.arg(keys::account_lookup(install, changes[i], changes[i + 2]));
      args.arg(changes[i]).arg(changes[i + 1]).arg(changes[i + 2]);
    }
    auto r = co_await store.run(account_write_script(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    if (!r->is_array()) co_return r->integer();
    changes = strings(*r, 0);
  }
  co_return make_error(StoreErrc::conflict,
                       "integrated account's lookup index kept changing; read it again and retry");
}

awaitable<Result<std::vector<std::string>>> lookup_accounts(Store& store,
                                                            const EnvironmentIntegration& install,
                                                            std::string_view field, std::string_view value) {
  RedisCommand script_keys{keys::account_lookup_ready(install.id),
                           keys::account_lookup(install.id, field, value)};
  RedisCommand args{field};
  auto r = co_await store.run(account_lookup_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  if (!r->is_nil()) co_return strings(*r, 0);
  co_return co_await index_field(store, install, field, value);
}

}  // namespace hookd::store
