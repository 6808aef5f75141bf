// The context lookup index: which accounts of an environment integration hold a value at a context field.
//
// Webhooks posted to an environment integration (one URL per installed app, e.g. a Slack app) name no
// account; the integration's config says which context field identifies one (`context_lookup_field_name`,
// e.g. "team_id") and the payload says the value. Redis keeps, per install and field, one set of account ids
// per value (keys in store/keys.h; only this module writes them, in the scripts that write account records):
//
//   keys::account_lookup_fields(install)                set of the fields looked up so far
//   keys::account_lookup(install, field, value)         set of account ids
//
// A field is indexed on its first lookup (one pass over the environment's accounts, inside a script); from then
// on every account write updates the index in the same script that writes the record, so the index is never
// behind the records. Values are strings; a number is indexed as its decimal text.
//
// Which index sets a write touches depends on the records (old and new values of each indexed field), but a
// script may only touch the keys it is given. So the caller passes the keys it expects and the script, which
// computes the changes itself, either applies them or answers with the ones it needs; the caller then runs it
// again with those keys (at most a few rounds, and only when indexed fields change or records change
// concurrently).
#pragma once

#include "store/store.h"

namespace hookd::store {

// Writes, replaces or deletes an account record and keeps the lookup index current (the account write
// script). Returns 1 written, 0 version conflict (update), -1 not found (update).
awaitable<Result<int64_t>> write_account_record(Store& store, std::string_view mode,
                                                const IntegratedAccount& a, int64_t expected_version);

// The ids of `install`'s accounts whose context holds `value` at `field` (unsorted); indexes the field first if
// needed.
awaitable<Result<std::vector<std::string>>> lookup_accounts(Store& store,
                                                            const EnvironmentIntegration& install,
                                                            std::string_view field, std::string_view value);

}  // namespace hookd::store
