#include "store/account_index.h"

#include "store/keys.h"

namespace hookd::store {

namespace {

// Rounds of "these are the keys I need" a write or an index build may take before it gives up: one to learn
// them, more only while records change concurrently.
constexpr int kMaxRounds = 6;

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
  local v = rec.environment_integration_id
  if type(v) == 'string' or type(v) == 'number' then return tostring(v) end
  return ''
end
)lua";

// Writes, replaces or deletes an account record and keeps the lookup index current.
//   KEYS: the account, its environment's account index (zset), its install's lookup fields (set),
//         then per index change: the set of the value before, the set of the value after
//   ARGV: mode (create | update | delete), expected version (update), record JSON, account id, created ms,
//         install id (the one KEYS 3 and the value sets belong to),
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
local same = #changes * 3 == #ARGV - 6
for i, c in ipairs(changes) do
  local j = 4 + i * 3
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

// The account ids of a value, if the field is indexed already (nil otherwise).
//   KEYS: the install's lookup fields, the value's set
//   ARGV: field
const RedisScript& account_lookup_script() {
  static const RedisScript s(R"lua(
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('SMEMBERS', KEYS[2])
)lua");
  return s;
}

// Indexes a field over the environment's accounts, then answers the lookup of one value.
//   KEYS: the install's lookup fields, the looked-up value's set, the environment's account index (zset),
//         then per account: its record, then per value: its set
//   ARGV: install id, field, number of accounts n, then the n account ids, then the values (in the order of
//         KEYS)
//   -> {'ok', account ids of the value...}, or (nothing written) {'accounts', the environment's account
//      ids...} when they are not the ones passed, or {'values', the values the accounts hold...} when those
//      are not among the ones passed
const RedisScript& account_index_script() {
  static const RedisScript s(std::string(kHelpers) + R"lua(
local install, field, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function answer(tag, list)
  table.insert(list, 1, tag)
  return list
end
if redis.call('SISMEMBER', KEYS[1], field) == 1 then return answer('ok', redis.call('SMEMBERS', KEYS[2])) end
local same = redis.call('ZCARD', KEYS[3]) == n
for i = 1, n do
  same = same and redis.call('ZSCORE', KEYS[3], ARGV[3 + i]) ~= false
end
if not same then return answer('accounts', redis.call('ZRANGE', KEYS[3], 0, -1)) end
local slot = {}  -- value -> the index of its set in KEYS
for j = 4 + n, #ARGV do slot[ARGV[j]] = j end
local found, missing = {}, false
for i = 1, n do
  local raw = redis.call('GET', KEYS[3 + i])
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
  return answer('values', values)
end
for _, f in ipairs(found) do redis.call('SADD', KEYS[slot[f[2]]], f[1]) end
redis.call('SADD', KEYS[1], field)
return answer('ok', redis.call('SMEMBERS', KEYS[2]))
)lua");
  return s;
}

std::vector<std::string> strings(const RedisReply& r, size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < r.size(); ++i)
    out.emplace_back(r[i].str());
  return out;
}

awaitable<Result<std::vector<std::string>>> index_field(Store& store, const EnvironmentIntegration& install,
                                                        std::string_view field, std::string_view value) {
  // What the script needs to be given, learnt from its answers: the environment's accounts, their values.
  std::vector<std::string> ids, values;
  for (int round = 0; round < kMaxRounds; ++round) {
    RedisCommand script_keys{keys::account_lookup_fields(install.id),
                             keys::account_lookup(install.id, field, value),
                             keys::environment_accounts(install.environment_id)};
    RedisCommand args{install.id, field, static_cast<int64_t>(ids.size())};
    for (const auto& id : ids) {
      script_keys.arg(keys::integrated_account(id));
      args.arg(id);
    }
    for (const auto& v : values) {
      script_keys.arg(keys::account_lookup(install.id, field, v));
      args.arg(v);
    }
    auto r = co_await store.run(account_index_script(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    std::string_view tag = r->size() > 0 ? (*r)[0].str() : std::string_view();
    if (tag == "ok") co_return strings(*r, 1);
    if (tag == "accounts")
      ids = strings(*r, 1);
    else if (tag == "values")
      values = strings(*r, 1);
    else
      co_return make_error("store_error", "unexpected answer from the account index script");
  }
  co_return make_error("conflict", "the environment's accounts kept changing while context." +
                                       std::string(field) + " was being indexed; retry");
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
    RedisCommand args{mode, expected_version, record, a.id, a.created_at, install};
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
  co_return make_error("conflict",
                       "integrated account's lookup index kept changing; read it again and retry");
}

awaitable<Result<std::vector<std::string>>> lookup_accounts(Store& store,
                                                            const EnvironmentIntegration& install,
                                                            std::string_view field, std::string_view value) {
  RedisCommand script_keys{keys::account_lookup_fields(install.id),
                           keys::account_lookup(install.id, field, value)};
  RedisCommand args{field};
  auto r = co_await store.run(account_lookup_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  if (!r->is_nil()) co_return strings(*r, 0);
  co_return co_await index_field(store, install, field, value);
}

}  // namespace hookd::store
