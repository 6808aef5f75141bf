#include "store/account_index.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>

#include "store/keys.h"

namespace hookd::store {

namespace {

// Accounts read per round trip when a field is first indexed.
constexpr size_t kBackfillBatch = 200;

// Adds or removes index entries of one install, each guarded by a record version: an entry is added (or its
// version raised) only by a newer version, and removed only by a write newer than the version that put it
// there, so steps of concurrent writes that arrive late never undo a later write's entry.
//   KEYS: per entry: the value's hash (all of one install: one slot)
//   ARGV: per entry: account id, 'add' | 'remove', version
const RedisScript& index_apply_script() {
  static const RedisScript s(R"lua(
for i = 1, #KEYS do
  local id, op, v = ARGV[3 * i - 2], ARGV[3 * i - 1], tonumber(ARGV[3 * i])
  local cur = tonumber(redis.call('HGET', KEYS[i], id) or '-1')
  if op == 'add' then
    if cur < v then redis.call('HSET', KEYS[i], id, ARGV[3 * i]) end
  elseif cur >= 0 and cur < v then
    redis.call('HDEL', KEYS[i], id)
  end
end
return #KEYS
)lua");
  return s;
}

// Replaces an account record if its stored version is the expected one, and tells the config caches.
//   KEYS: the record
//   ARGV: expected version, the new JSON, the config change channel
//   -> {1, the record as it was}, {0} version conflict, {-1} not found
const RedisScript& account_cas_script() {
  static const RedisScript s(R"lua(
local cur = redis.call('GET', KEYS[1])
if not cur then return {-1} end
local ok, rec = pcall(cjson.decode, cur)
if not ok or type(rec) ~= 'table' or tonumber(rec.version) ~= tonumber(ARGV[1]) then return {0} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
return {1, cur}
)lua");
  return s;
}

// The ids of a value, if the field's index is complete (nil otherwise).
//   KEYS: the install's ready fields, the value's hash
//   ARGV: field
const RedisScript& account_lookup_script() {
  static const RedisScript s(R"lua(
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('HKEYS', KEYS[2])
)lua");
  return s;
}

// An account record as the index sees it.
struct Indexed {
  std::string install;
  int64_t version = 0;
  json::Value context;
};

std::optional<Indexed> indexed_from(std::string_view text) {
  json::Value rec;
  if (!json::parse(text, rec) || !rec.is_object()) return std::nullopt;
  Indexed out;
  const json::Value& install = rec.get("environment_integration_id");
  if (install.is_string()) {
    out.install = std::string(install.as_string());
  } else if (install.is_number()) {
    json::write_number(out.install, install.as_number());
  }
  out.version = static_cast<int64_t>(rec.get("version").number_or(0));
  out.context = rec.get("context");
  return out;
}

// The indexed text at a dotted context path: a non-empty string, or a number's decimal text with 14
// significant digits; nothing for anything else.
std::optional<std::string> value_at(const json::Value& context, std::string_view path) {
  const json::Value* v = &context;
  bool any = false;
  for (size_t start = 0; start <= path.size();) {
    size_t dot = path.find('.', start);
    std::string_view part = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!part.empty()) {
      if (!v->is_object()) return std::nullopt;
      v = &v->get(part);
      any = true;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!any) return std::nullopt;
  if (v->is_string() && !v->as_string().empty()) return std::string(v->as_string());
  if (v->is_number()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.14g", v->as_number());
    return std::string(buf);
  }
  return std::nullopt;
}

struct Entry {
  std::string field;
  std::string value;
  std::string account;
  bool add = true;
  int64_t version = 0;
};

awaitable<Status> apply(Store& store, const std::string& install, const std::vector<Entry>& entries) {
  if (entries.empty()) co_return Status{};
  RedisCommand script_keys;
  RedisCommand args;
  for (const Entry& e : entries) {
    script_keys.arg(keys::account_lookup(install, e.field, e.value));
    args.arg(e.account).arg(e.add ? "add" : "remove").arg(e.version);
  }
  auto r = co_await store.run(index_apply_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<std::vector<std::string>>> indexed_fields(Store& store, const std::string& install) {
  auto r = co_await store.command(RedisCommand{"SMEMBERS", keys::account_lookup_fields(install)});
  if (!r.ok()) co_return r.error();
  std::vector<std::string> out;
  for (const auto& e : r->elements())
    out.emplace_back(e.str());
  std::sort(out.begin(), out.end());
  co_return out;
}

// The entries that take an account from `before` to `after` for `fields`: the new values added and the old
// ones removed, at `version`.
std::vector<Entry> entries_for(const std::vector<std::string>& fields, const std::string& account,
                               const json::Value* before, const json::Value* after, int64_t version,
                               bool adds) {
  std::vector<Entry> out;
  for (const std::string& f : fields) {
    auto was = before ? value_at(*before, f) : std::nullopt;
    auto now = after ? value_at(*after, f) : std::nullopt;
    if (adds && now) out.push_back(Entry{f, *now, account, true, version});
    if (!adds && was && was != now) out.push_back(Entry{f, *was, account, false, version});
  }
  return out;
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// Fields that joined the install's index while this write ran: indexed now, for the record as written.
awaitable<Status> index_joined_fields(Store& store, const IntegratedAccount& a,
                                      const std::vector<std::string>& seen, const json::Value* before) {
  auto fields = co_await indexed_fields(store, a.environment_integration_id);
  if (!fields.ok()) co_return fields.error();
  auto joined = minus(*fields, seen);
  if (joined.empty()) co_return Status{};
  auto entries = entries_for(joined, a.id, before, &a.context, a.version, true);
  auto removals = entries_for(joined, a.id, before, &a.context, a.version, false);
  entries.insert(entries.end(), removals.begin(), removals.end());
  co_return co_await apply(store, a.environment_integration_id, entries);
}

awaitable<Result<int64_t>> create_account_record(Store& store, const IntegratedAccount& a) {
  const std::string& install = a.environment_integration_id;
  auto fields = co_await indexed_fields(store, install);
  if (!fields.ok()) co_return fields.error();
  // 1. The index, then 2. the record, then 3. the environment's index (store.h, account_index.h). Named, not
  // temporaries inside a co_await: GCC 12 mishandles those.
  const std::vector<Entry> adds = entries_for(*fields, a.id, nullptr, &a.context, a.version, true);
  Status s = co_await apply(store, install, adds);
  if (!s.ok()) co_return s.error();
  std::string key = keys::integrated_account(a.id);
  RedisCommand write{"SET", key, json::dump(to_json(a))};
  auto w = co_await store.write_announced(std::move(write), key);
  if (!w.ok()) co_return w.error();
  RedisCommand list{"ZADD", keys::environment_accounts(a.environment_id), a.created_at, a.id};
  auto listed = co_await store.command(std::move(list));
  if (!listed.ok()) co_return listed.error();
  s = co_await index_joined_fields(store, a, *fields, nullptr);
  if (!s.ok()) co_return s.error();
  co_return 1;
}

awaitable<Result<int64_t>> update_account_record(Store& store, const IntegratedAccount& a, int64_t expected) {
  const std::string& install = a.environment_integration_id;
  auto fields = co_await indexed_fields(store, install);
  if (!fields.ok()) co_return fields.error();
  // 1. The new values (a write that then loses its compare-and-set leaves entries a lookup's check skips).
  const std::vector<Entry> adds = entries_for(*fields, a.id, nullptr, &a.context, a.version, true);
  Status s = co_await apply(store, install, adds);
  if (!s.ok()) co_return s.error();
  // 2. The record.
  RedisCommand script_keys{keys::integrated_account(a.id)};
  RedisCommand args{expected, json::dump(to_json(a)), store.changes_channel()};
  auto r = co_await store.run(account_cas_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  int64_t outcome = r->size() > 0 ? (*r)[0].integer() : 0;
  if (outcome != 1 || r->size() < 2) co_return outcome;
  // 3. The old values, under the install the record was in (an account moved to another install leaves its
  // old install's index).
  auto old = indexed_from((*r)[1].str());
  bool same_install = old && old->install == install;
  if (same_install) {
    const std::vector<Entry> removals =
        entries_for(*fields, a.id, &old->context, &a.context, a.version, false);
    s = co_await apply(store, install, removals);
  } else if (old) {
    auto old_fields = co_await indexed_fields(store, old->install);
    if (!old_fields.ok()) co_return old_fields.error();
    const std::vector<Entry> removals =
        entries_for(*old_fields, a.id, &old->context, nullptr, a.version, false);
    s = co_await apply(store, old->install, removals);
  }
  if (!s.ok()) co_return s.error();
  const json::Value* before = same_install ? &old->context : nullptr;
  s = co_await index_joined_fields(store, a, *fields, before);
  if (!s.ok()) co_return s.error();
  co_return 1;
}

awaitable<Result<int64_t>> delete_account_record(Store& store, const IntegratedAccount& a) {
  std::string key = keys::integrated_account(a.id);
  RedisCommand read{"GET", key};
  auto cur = co_await store.command(std::move(read));
  if (!cur.ok()) co_return cur.error();
  std::optional<Indexed> old = cur->is_nil() ? std::nullopt : indexed_from(cur->str());
  if (old && old->install != a.environment_integration_id)
    co_return make_error(StoreErrc::redis_error, "integrated account " + a.id +
                                                     " belongs to environment integration " + old->install +
                                                     ", not " + a.environment_integration_id);
  // The record, then its place in the environment's index, then its lookup entries (store.h).
  RedisCommand del{"DEL", key};
  auto d = co_await store.write_announced(std::move(del), key);
  if (!d.ok()) co_return d.error();
  RedisCommand unlist{"ZREM", keys::environment_accounts(a.environment_id), a.id};
  auto unlisted = co_await store.command(std::move(unlist));
  if (!unlisted.ok()) co_return unlisted.error();
  if (!old) co_return 1;
  auto fields = co_await indexed_fields(store, old->install);
  if (!fields.ok()) co_return fields.error();
  const std::vector<Entry> removals =
      entries_for(*fields, a.id, &old->context, nullptr, old->version + 1, false);
  Status s = co_await apply(store, old->install, removals);
  if (!s.ok()) co_return s.error();
  co_return 1;
}

// Of `ids`, those whose record (read now) is an account of `install` holding `value` at `field`: the index is
// a superset of the truth (account_index.h).
awaitable<Result<std::vector<std::string>>> verified(Store& store, const std::string& install,
                                                     std::string_view field, std::string_view value,
                                                     std::vector<std::string> ids) {
  std::vector<std::string> out;
  for (size_t from = 0; from < ids.size(); from += kBackfillBatch) {
    size_t to = std::min(ids.size(), from + kBackfillBatch);
    std::vector<std::string> record_keys;
    for (size_t i = from; i < to; ++i)
      record_keys.push_back(keys::integrated_account(ids[i]));
    auto recs = co_await store.get_many(record_keys);
    if (!recs.ok()) co_return recs.error();
    for (size_t i = from; i < to && i - from < recs->size(); ++i) {
      const RedisReply& rec = (*recs)[i - from];
      if (!rec.is_string()) continue;
      auto a = indexed_from(rec.str());
      if (a && a->install == install && value_at(a->context, field) == value)
        out.push_back(std::move(ids[i]));
    }
  }
  co_return out;
}

// Indexes a field over the environment's accounts (account_index.h), then answers the lookup of one value.
awaitable<Result<std::vector<std::string>>> index_field(Store& store, const EnvironmentIntegration& install,
                                                        std::string_view field, std::string_view value) {
  // 1. From here on every account write keeps the field's index current.
  auto maintained =
      co_await store.command(RedisCommand{"SADD", keys::account_lookup_fields(install.id), field});
  if (!maintained.ok()) co_return maintained.error();
  // 2. The accounts listed now, a batch at a time, under the values their records hold when read.
  auto listed = co_await store.command(
      RedisCommand{"ZRANGE", keys::environment_accounts(install.environment_id), 0, -1});
  if (!listed.ok()) co_return listed.error();
  const auto& ids = listed->elements();
  for (size_t from = 0; from < ids.size(); from += kBackfillBatch) {
    size_t to = std::min(ids.size(), from + kBackfillBatch);
    std::vector<std::string> record_keys;
    for (size_t i = from; i < to; ++i)
      record_keys.push_back(keys::integrated_account(ids[i].str()));
    auto recs = co_await store.get_many(record_keys);
    if (!recs.ok()) co_return recs.error();
    std::vector<Entry> entries;
    for (size_t i = from; i < to && i - from < recs->size(); ++i) {
      const RedisReply& rec = (*recs)[i - from];
      auto a = rec.is_string() ? indexed_from(rec.str()) : std::nullopt;
      if (!a || a->install != install.id) continue;
      if (auto v = value_at(a->context, field))
        entries.push_back(Entry{std::string(field), *v, std::string(ids[i].str()), true, a->version});
    }
    Status s = co_await apply(store, install.id, entries);
    if (!s.ok()) co_return s.error();
  }
  // 3. Complete: lookups answer from the index.
  auto ready = co_await store.command(RedisCommand{"SADD", keys::account_lookup_ready(install.id), field});
  if (!ready.ok()) co_return ready.error();
  auto r = co_await store.command(RedisCommand{"HKEYS", keys::account_lookup(install.id, field, value)});
  if (!r.ok()) co_return r.error();
  std::vector<std::string> found;
  for (const auto& e : r->elements())
    found.emplace_back(e.str());
  co_return co_await verified(store, install.id, field, value, std::move(found));
}

}  // namespace

awaitable<Result<int64_t>> write_account_record(Store& store, std::string_view mode,
                                                const IntegratedAccount& a, int64_t expected_version) {
  if (mode == "create") co_return co_await create_account_record(store, a);
  if (mode == "update") co_return co_await update_account_record(store, a, expected_version);
  co_return co_await delete_account_record(store, a);
}

awaitable<Result<std::vector<std::string>>> lookup_accounts(Store& store,
                                                            const EnvironmentIntegration& install,
                                                            std::string_view field, std::string_view value) {
  RedisCommand script_keys{keys::account_lookup_ready(install.id),
                           keys::account_lookup(install.id, field, value)};
  RedisCommand args{field};
  auto r = co_await store.run(account_lookup_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  if (r->is_nil()) co_return co_await index_field(store, install, field, value);
  std::vector<std::string> found;
  for (const auto& e : r->elements())
    found.emplace_back(e.str());
  co_return co_await verified(store, install.id, field, value, std::move(found));
}

}  // namespace hookd::store
