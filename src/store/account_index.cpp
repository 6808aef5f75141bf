#include "store/account_index.h"

namespace hookd::store {

namespace {

// Lua shared by both scripts: the indexed text at a dotted context path, or nil (absent, empty, not a string
// or number). cjson keeps 14 significant digits, so integers up to 10^14 index exactly.
constexpr const char* kValueAt = R"lua(
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
)lua";

}  // namespace

const RedisScript& account_write_script() {
  static const RedisScript s(std::string(kValueAt) + R"lua(
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
if rec then
  local prefix = 'hookd:environment_integration:' .. tostring(rec.environment_integration_id)
  for _, field in ipairs(redis.call('SMEMBERS', prefix .. ':lookup_fields')) do
    local before, after = value_at(old, field), value_at(new, field)
    if before ~= after then
      if before then redis.call('SREM', prefix .. ':lookup:' .. field .. ':' .. before, id) end
      if after then redis.call('SADD', prefix .. ':lookup:' .. field .. ':' .. after, id) end
    end
  end
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

const RedisScript& account_lookup_script() {
  static const RedisScript s(std::string(kValueAt) + R"lua(
local install, field, value = ARGV[1], ARGV[2], ARGV[3]
local prefix = 'hookd:environment_integration:' .. install
local index = prefix .. ':lookup:' .. field .. ':'
if redis.call('SISMEMBER', prefix .. ':lookup_fields', field) == 0 then
  for _, id in ipairs(redis.call('ZRANGE', 'hookd:environment:' .. ARGV[4] .. ':integrated_accounts', 0, -1)) do
    local raw = redis.call('GET', 'hookd:integrated_account:' .. id)
    if raw then
      local ok, rec = pcall(cjson.decode, raw)
      if ok and tostring(rec.environment_integration_id) == install then
        local v = value_at(rec, field)
        if v then redis.call('SADD', index .. v, id) end
      end
    end
  end
  redis.call('SADD', prefix .. ':lookup_fields', field)
end
return redis.call('SMEMBERS', index .. value)
)lua");
  return s;
}

}  // namespace hookd::store
