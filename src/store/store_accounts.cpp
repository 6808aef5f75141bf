// Integrated accounts: CRUD, the filtered listing, the one-round-trip resolution the ingest path does per
// request, and context merges (update_context from a vendor's verification handshake).
#include <algorithm>

#include "core/clock.h"
#include "core/crypto.h"
#include "store/account_index.h"
#include "store/keys.h"
#include "store/store.h"

namespace hookd::store {

namespace {

// The account and everything its webhooks need, in one round trip.
const RedisScript& resolve_script() {
  static const RedisScript s(R"lua(
local acc = redis.call('GET', KEYS[1])
if not acc then return false end
local ok, a = pcall(cjson.decode, acc)
if not ok then return {acc, false, false, false} end
local install = redis.call('GET', 'hookd:environment_integration:' .. tostring(a.environment_integration_id))
local integration = redis.call('GET', 'hookd:integration:' .. tostring(a.integration_id))
local env = redis.call('GET', 'hookd:environment:' .. tostring(a.environment_id))
return {acc, install, integration, env}
)lua");
  return s;
}

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
  std::string record;
  if (mode != "delete") record = json::dump(to_json(a));
  RedisCommand script_keys{keys::integrated_account(a.id), keys::environment_accounts(a.environment_id)};
  RedisCommand args{mode, expected_version, record, a.id, a.created_at};
  auto r = co_await store.run(account_write_script(), std::move(script_keys), std::move(args));
  if (!r.ok()) co_return r.error();
  if (r->integer() == -1) co_return make_error(StoreErrc::not_found, "integrated account not found");
  if (r->integer() == 0)
    co_return make_error(StoreErrc::conflict,
                         "integrated account was changed concurrently; read it again and retry");
  co_return Status{};
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
  auto r = co_await run(resolve_script(), RedisCommand{keys::integrated_account(account_id)}, RedisCommand{});
  if (!r.ok()) co_return r.error();
  if (r->is_nil())
    co_return make_error(StoreErrc::not_found,
                         "integrated account " + std::string(account_id) + " not found");
  const auto& el = r->elements();
  auto parse = [](const RedisReply& reply, json::Value& out) {
    return reply.is_string() && json::parse(reply.str(), out);
  };
  json::Value acc, install, integration, env;
  if (!parse(el[0], acc))
    co_return make_error(StoreErrc::corrupt_record, "integrated account is not valid JSON");
  auto a = integrated_account_from_json(acc);
  if (!a.ok()) co_return a.error();
  if (!parse(el[1], install))
    co_return make_error(StoreErrc::not_found, "the account's environment integration " +
                                                   a->environment_integration_id + " does not exist");
  if (!parse(el[2], integration))
    co_return make_error(StoreErrc::not_found,
                         "the account's integration " + a->integration_id + " does not exist");
  if (!parse(el[3], env))
    co_return make_error(StoreErrc::not_found,
                         "the account's environment " + a->environment_id + " does not exist");
  auto i = environment_integration_from_json(install);
  if (!i.ok()) co_return i.error();
  auto g = integration_from_json(integration);
  if (!g.ok()) co_return g.error();
  auto e = environment_from_json(env);
  if (!e.ok()) co_return e.error();
  co_return ResolvedAccount{std::move(a).value(), std::move(i).value(), std::move(g).value(),
                            std::move(e).value()};
}

awaitable<Result<IntegratedAccount>> Store::merge_account_context(std::string_view account_id,
                                                                  const json::Value& patch) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto a = co_await get_account(account_id);
    if (!a.ok()) co_return a.error();
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
  auto r = co_await run(account_lookup_script(), RedisCommand{},
                        RedisCommand{install.id, field, value, install.environment_id});
  if (!r.ok()) co_return r.error();
  std::vector<std::string> ids;
  for (const auto& el : r->elements())
    ids.emplace_back(el.str());
  std::sort(ids.begin(), ids.end());
  co_return ids;
}

// --- webhooks ----------------------------------------------------------------------------------------------

awaitable<Status> Store::put_webhook(const Webhook& w) {
  std::vector<RedisCommand> cmds;
  cmds.emplace_back("SET", keys::webhook(w.id), json::dump(to_json(w)));
  cmds.emplace_back("SADD", keys::environment_webhooks(w.environment_id), w.id);
  auto r = co_await transaction(std::move(cmds));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

awaitable<Result<Webhook>> Store::get_webhook(std::string_view id) {
  auto v = co_await get_json(keys::webhook(id), "webhook");
  if (!v.ok()) co_return v.error();
  co_return webhook_from_json(*v);
}

awaitable<Result<std::vector<Webhook>>> Store::list_webhooks(std::string_view env) {
  auto ids = co_await command(RedisCommand{"SMEMBERS", keys::environment_webhooks(env)});
  if (!ids.ok()) co_return ids.error();
  std::vector<Webhook> out;
  if (ids->elements().empty()) co_return out;
  RedisCommand mget{"MGET"};
  for (const auto& id : ids->elements())
    mget.arg(keys::webhook(id.str()));
  auto recs = co_await command(std::move(mget));
  if (!recs.ok()) co_return recs.error();
  for (const auto& rec : recs->elements()) {
    json::Value v;
    if (!rec.is_string() || !json::parse(rec.str(), v)) continue;
    auto w = webhook_from_json(v);
    if (w.ok()) out.push_back(std::move(w).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  co_return out;
}

awaitable<Status> Store::delete_webhook(const Webhook& w) {
  std::vector<RedisCommand> cmds;
  cmds.emplace_back("DEL", keys::webhook(w.id));
  cmds.emplace_back("SREM", keys::environment_webhooks(w.environment_id), w.id);
  auto r = co_await transaction(std::move(cmds));
  if (!r.ok()) co_return r.error();
  co_return Status{};
}

}  // namespace hookd::store
