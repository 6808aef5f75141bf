// The context lookup index: which accounts of an environment integration hold a value at a context field.
//
// Webhooks posted to an environment integration (one URL per installed app, e.g. a Slack app) name no
// account; the integration's config says which context field identifies one (`context_lookup_field_name`,
// e.g. "team_id") and the payload says the value. Redis keeps, per install and field, one set of account ids
// per value (keys in store/keys.h; only this module writes them, in the scripts that write account records):
//
//   keys::account_lookup_fields(install)                set of the fields account writes keep indexed
//   keys::account_lookup_ready(install)                 set of the fields whose index is complete
//   keys::account_lookup(install, field, value)         set of account ids
//
// A field is indexed on its first lookup: it joins lookup_fields, so that from then on every account write
// updates its index in the same script that writes the record; then the accounts that exist are indexed, a batch
// per script; then it joins lookup_ready and lookups answer from the index, which is never behind the records.
// (An account written while the batches run is kept right either way: its write and its batch are atomic
// scripts and both index the value the record holds.) Values are strings; a number is indexed as its decimal
// text.
//
// Which index sets a script touches depends on the records (the values of indexed fields), but a script may
// only touch the keys it is given. So the caller passes the keys it expects and the script, which computes the
// values itself, either applies them or answers with the ones it needs; the caller then runs it again with
// those keys (a few rounds at most: one to learn them, more only while those records change concurrently). A
// write whose indexed values do not change, and a lookup of an indexed field, stay one round trip.
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
