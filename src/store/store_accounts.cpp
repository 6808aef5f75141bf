// Integrated accounts: CRUD, the filtered listing, the resolution the ingest path does per request (two
// reads), and context merges (update_context from a vendor's verification handshake). And webhook endpoints.
#include <algorithm>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/account_index.h"
#include "store/keys.h"
#include "store/store.h"

namespace hookd::store {

namespace {

// Replaces a webhook record only if it is still the text the caller read (0 otherwise; -1: it is gone), and
// tells the config caches.
//   KEYS: the record
//   ARGV: its text as read, the new text, the config change channel, its environment's endpoint index key
//         (published with the record's key: caches hold endpoints by id and by environment)
const RedisScript& replace_if_unchanged() {
  static const RedisScript s(R"lua(
local cur = redis.call('GET', KEYS[1])
if not cur then return -1 end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], KEYS[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
)lua");
  return s;
}

// How often a webhook change is applied again to a record another writer changed meanwhile before giving up.
constexpr int kWebhookUpdateTries = 16;

// Cursor: "<created ms>:<id>" of the last item returned, base64url so it is opaque to callers.
std::string encode_cursor(int64_t score, std::string_view id) {
  return crypto::base64(std::to_string(score) + ":" + std::string(id), true, false);
}

bool decode_cursor(std::string_view cursor, int64_t& score, std::string& id) {
  auto raw = crypto::from_base64(cursor);
  if (!raw) return false;
  size_t colon = raw->find(':');
  if (colon == std::string::npos) return false;
  try {
    score = std::stoll(raw->substr(0, colon));
  } catch (...) {
    return false;
  }
  id = raw->substr(colon + 1);
  return true;
}

bool matches(const IntegratedAccount& a, const AccountFilter& f, std::string_view integration_name) {
  if (!f.tenant_id.empty() && a.tenant_id != f.tenant_id) return false;
  if (f.status && a.status != *f.status) return false;
  if (!f.integration_id.empty() && a.integration_id != f.integration_id &&
      integration_name != f.integration_id)
    return false;
  return true;
}

// Every account write goes through one script, which keeps the context lookup index (account_index.h)
// current.
awaitable<Status> write_account(Store& store, std::string_view mode, const IntegratedAccount& a,
                                int64_t expected_version) {
  auto r = co_await write_account_record(store, mode, a, expected_version);
  if (!r.ok()) co_return r.error();
  if (*r == -1) co_return make_error(StoreErrc::not_found, "integrated account not found");
  if (*r == 0)
    co_return make_error(StoreErrc::conflict,
                         "integrated account was changed concurrently; read it again and retry");
  // GCC 12 rejects a braced list inside a co_await expression.
  std::vector<std::string> published{keys::integrated_account(a.id)};
  co_await store.change_published(std::move(published));
  co_return Status{};
}

// The records an account names, from GETs of (account, install, integration, environment).
Result<ResolvedAccount> resolved_from(IntegratedAccount a, const RedisReply& r) {
  auto parse = [](const RedisReply& reply, json::Value& out) {
    return reply.is_string() && json::parse(reply.str(), out);
  };
  json::Value install, integration, env;
  if (!parse(r[1], install))
    return make_error(StoreErrc::not_found, "the account's environment integration " +
                                                a.environment_integration_id + " does not exist");
  if (!parse(r[2], integration))
    return make_error(StoreErrc::not_found,
                      "the account's integration " + a.integration_id + " does not exist");
  if (!parse(r[3], env))
    return make_error(StoreErrc::not_found,
                      "the account's environment " + a.environment_id + " does not exist");
  auto i = environment_integration_from_json(install);
  if (!i.ok()) return i.error();
  auto g = integration_from_json(integration);
  if (!g.ok()) return g.error();
  auto e = environment_from_json(env);
  if (!e.ok()) return e.error();
  return ResolvedAccount{std::move(a), std::move(i).value(), std::move(g).value(), std::move(e).value()};
}

}  // namespace

awaitable<Status> Store::create_account(const IntegratedAccount& a) {
  co_return co_await write_account(*this, "create", a, 0);
}

awaitable<Status> Store::update_account(const IntegratedAccount& a, int64_t expected_version) {
  co_return co_await write_account(*this, "update", a, expected_version);
}

awaitable<Result<IntegratedAccount>> Store::get_account(std::string_view id) {
  auto v = co_await get_json(keys::integrated_account(id), "integrated account");
  if (!v.ok()) co_return v.error();
  co_return integrated_account_from_json(*v);
}

awaitable<Status> Store::delete_account(const IntegratedAccount& a) {
  co_return co_await write_account(*this, "delete", a, 0);
}

awaitable<Result<Page<IntegratedAccount>>> Store::list_accounts(std::string_view env,
                                                                const AccountFilter& filter,
                                                                std::string_view cursor, size_t limit) {
  int64_t max_score = INT64_MAX;
  std::string after_id;
  if (!cursor.empty() && !decode_cursor(cursor, max_score, after_id))
    co_return make_error(StoreErrc::invalid_cursor, "not one this API returned", "cursor");

  // The name of a filtered integration, so `integration=shopify` works as well as its id.
  std::string integration_name;
  if (!filter.integration_id.empty()) {
    auto i = co_await get_integration(filter.integration_id);
    if (i.ok()) integration_name = i->id;
  }
  AccountFilter f = filter;
  if (!integration_name.empty()) f.integration_id = integration_name;

  Page<IntegratedAccount> page;
  constexpr int64_t kBatch = 200;
  int64_t offset = 0;
  std::string max = cursor.empty() ? "+inf" : std::to_string(max_score);
  for (;;) {
    auto r = co_await command(RedisCommand{"ZREVRANGEBYSCORE", keys::environment_accounts(env), max, "-inf",
                                           "WITHSCORES", "LIMIT", offset, kBatch});
    if (!r.ok()) co_return r.error();
    const auto& el = r->elements();
    for (size_t i = 0; i + 1 < el.size(); i += 2) {
      std::string_view id = el[i].str();
      int64_t score = std::stoll(std::string(el[i + 1].str()));
      // Entries of the cursor's own millisecond up to and including the cursor were on earlier pages
      // (ties are ordered by id, descending, like ZREVRANGEBYSCORE).
      if (!cursor.empty() && score == max_score && id >= after_id) continue;
      auto a = co_await get_account(id);
      if (!a.ok()) continue;  // deleted meanwhile
      if (!matches(*a, f, integration_name)) continue;
      if (page.items.size() == limit) {
        const auto& last = page.items.back();
        page.next_cursor = encode_cursor(last.created_at, last.id);
        co_return page;
      }
      page.items.push_back(std::move(a).value());
    }
    if (static_cast<int64_t>(el.size() / 2) < kBatch) break;
    offset += kBatch;
  }
  co_return page;
}

awaitable<Result<ResolvedAccount>> Store::resolve_account(std::string_view account_id) {
  // Two reads, each naming every key it reads (Redis Cluster): the account says which records go with it,
  // then one pipeline of GETs reads it again with them. If it names other records by then, read again.
  auto missing = [&] {
    return make_error(StoreErrc::not_found, "integrated account " + std::string(account_id) + " not found");
  };
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto first = co_await get_account(account_id);
    if (!first.ok()) co_return first.error().code == StoreErrc::not_found ? missing() : first.error();
    // Records in four slots: GETs in one round trip (not MGET, which needs one slot).
    std::vector<std::string> records{keys::integrated_account(account_id),
                                     keys::environment_integration(first->environment_integration_id),
                                     keys::integration(first->integration_id),
                                     keys::environment(first->environment_id)};
    auto r = co_await get_many(records);
    if (!r.ok()) co_return r.error();
    if (r->size() != 4 || (*r)[0].is_nil()) co_return missing();
    json::Value acc;
    if (!json::parse((*r)[0].str(), acc))
      co_return make_error(StoreErrc::corrupt_record, "integrated account is not valid JSON");
    auto a = integrated_account_from_json(acc);
    if (!a.ok()) co_return a.error();
    if (a->environment_integration_id == first->environment_integration_id &&
        a->integration_id == first->integration_id && a->environment_id == first->environment_id)
      co_return resolved_from(std::move(a).value(), *r);
  }
  co_return make_error(StoreErrc::contended, "the integrated account kept changing while it was read; retry");
}

awaitable<Result<IntegratedAccount>> Store::merge_account_context(
    std::string_view account_id, const json::Value& patch,
    const std::function<Status(const json::Value& context)>& guard) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto a = co_await get_account(account_id);
    if (!a.ok()) co_return a.error();
    if (guard) {
      Status allowed = guard(a->context);
      if (!allowed.ok()) co_return allowed.error();
    }
    IntegratedAccount next = *a;
    json::ObjectBuilder ctx(next.context);
    if (patch.is_object())
      for (const auto& m : patch.members())
        ctx.set(m.key, m.value);
    next.context = std::move(ctx).build();
    next.version = a->version + 1;
    next.updated_at = clock::now_millis();
    Status s = co_await update_account(next, a->version);
    if (s.ok()) co_return next;
    if (s.error().code != StoreErrc::conflict) co_return s.error();
  }
  co_return make_error(StoreErrc::conflict,
                       "the account's context kept changing; update_context gave up after 5 tries");
}

awaitable<Result<std::vector<std::string>>> Store::find_accounts_by_context(
    const EnvironmentIntegration& install, std::string_view field, std::string_view value) {
  auto ids = co_await lookup_accounts(*this, install, field, value);
  if (!ids.ok()) co_return ids.error();
  std::sort(ids->begin(), ids->end());
  co_return ids;
}

// --- webhooks ----------------------------------------------------------------------------------------------

awaitable<Status> Store::create_webhook(const Webhook& w) {
  // Record, then index (store.h), each announced: caches hold endpoints by id and by environment.
  std::string key = keys::webhook(w.id), index = keys::environment_webhooks(w.environment_id);
  auto r = co_await write_announced(RedisCommand{"SET", key, json::dump(to_json(w))}, key);
  if (r.ok()) r = co_await write_announced(RedisCommand{"SADD", index, w.id}, index);
  co_await change_published();
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<Webhook>> Store::get_webhook(std::string_view id) {
  auto v = co_await get_json(keys::webhook(id), "webhook");
  if (!v.ok()) co_return v.error();
  co_return webhook_from_json(*v);
}

awaitable<Result<Webhook>> Store::update_webhook(std::string_view id, const WebhookChange& change) {
  const std::string key = keys::webhook(id);
  for (int attempt = 0; attempt < kWebhookUpdateTries; ++attempt) {
    RedisCommand read{"GET", key};
    auto raw = co_await command(std::move(read));
    if (!raw.ok()) co_return raw.error();
    if (raw->is_nil()) co_return make_error(StoreErrc::not_found, "webhook not found");
    json::Value v;
    if (!json::parse(raw->str(), v))
      co_return make_error(StoreErrc::corrupt_record, "webhook is not valid JSON");
    auto w = webhook_from_json(v);
    if (!w.ok() || !change(*w)) co_return std::move(w);
    RedisCommand script_keys{key};
    RedisCommand args{raw->str(), json::dump(to_json(*w)), changes_channel(),
                      keys::environment_webhooks(w->environment_id)};
    auto r = co_await run(replace_if_unchanged(), std::move(script_keys), std::move(args));
    if (!r.ok()) co_return r.error();
    if (r->integer() == 1) {
      std::vector<std::string> published{key, keys::environment_webhooks(w->environment_id)};
      co_await change_published(std::move(published));
      co_return std::move(w);
    }
    if (r->integer() == -1) co_return make_error(StoreErrc::not_found, "webhook not found");
  }
  co_return make_error(StoreErrc::conflict, "the webhook kept changing; gave up after " +
                                                std::to_string(kWebhookUpdateTries) + " tries");
}

awaitable<Result<std::pair<Webhook, bool>>> Store::disable_webhook(std::string_view id,
                                                                   std::string_view reason, int64_t now) {
  bool disabled = false;
  WebhookChange disable = [&](Webhook& cur) {
    disabled = cur.is_active;
    if (!disabled) return false;
    cur.is_active = false;
    cur.disabled_reason = reason;
    cur.updated_at = now;
    return true;
  };
  auto w = co_await update_webhook(id, disable);
  if (!w.ok()) co_return w.error();
  co_return std::pair<Webhook, bool>{std::move(w).value(), disabled};
}

awaitable<Result<std::vector<Webhook>>> Store::list_webhooks(std::string_view env) {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::environment_webhooks(env)});
  if (!ids.ok()) co_return ids.error();
  std::vector<Webhook> out;
  if (ids->elements().empty()) co_return out;
  // Records in any slots: GETs in one round trip (not MGET, which needs one slot).
  std::vector<std::string> record_keys;
  for (const auto& id : ids->elements())
    record_keys.push_back(keys::webhook(id.str()));
  auto recs = co_await get_many(record_keys);
  if (!recs.ok()) co_return recs.error();
  for (const auto& rec : recs->elements()) {
    json::Value v;
    if (!rec.is_string() || !json::parse(rec.str(), v)) continue;  // deleted: an entry left by a crash
    auto w = webhook_from_json(v);
    if (w.ok()) out.push_back(std::move(w).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  co_return out;
}

awaitable<Status> Store::delete_webhook(const Webhook& w) {
  // Record, then index entry (store.h): an entry left by a crash between them is skipped by list_webhooks.
  std::string key = keys::webhook(w.id), index = keys::environment_webhooks(w.environment_id);
  auto r = co_await write_announced(RedisCommand{"DEL", key}, key);
  if (r.ok()) r = co_await write_announced(RedisCommand{"SREM", index, w.id}, index);
  co_await change_published();
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

}  // namespace hookd::store
