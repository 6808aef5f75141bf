// The context lookup index: which accounts of an environment integration hold a value at a context field.
//
// Webhooks posted to an environment integration (one URL per installed app, e.g. a Slack app) name no
// account; the integration's config says which context field identifies one (`context_lookup_field_name`,
// e.g. "team_id") and the payload says the value. Redis keeps, per install and field, one hash of account ids
// per value (keys in store/keys.h, all tagged by the install: one Redis Cluster slot per install; only this
// module writes them):
//
//   keys::account_lookup_fields(install)                set of the fields account writes keep indexed
//   keys::account_lookup_ready(install)                 set of the fields whose index is complete
//   keys::account_lookup(install, field, value)         hash: account id -> the record version it came from
//
// Account records are looked up by id alone, so they are in other slots than the index: a write is ordered
// single-slot steps, not one script. The index is kept a superset of the truth, and a lookup checks every id it
// finds against the record (so an entry a crash or a lost race left behind is never an answer):
//   - a write adds the record's new values to the index (at the record's version) before it writes the
//     record; then it writes the record (compare-and-set on the version); then it removes the values the
//     record held before (only entries older than the write's version: a later write's entry stays);
//   - a delete removes the record (and its place in the environment's index), then its index entries;
//   - a field is indexed on its first lookup: it joins lookup_fields; then the accounts listed in the
//     environment's index are read and indexed under the values their records hold; then it joins
//     lookup_ready and lookups answer from the index. A write reads lookup_fields again after writing its
//     record and indexes any field that joined meanwhile: either it sees the field, or the field's indexing
//     started after that read and so reads the record as written.
// Values are strings; a number is indexed as its decimal text (14 significant digits, as before).
#pragma once

#include "store/store.h"

namespace hookd::store {

// Writes, replaces or deletes an account record and keeps the lookup index current. Returns 1 written, 0
// version conflict (update), -1 not found (update).
awaitable<Result<int64_t>> write_account_record(Store& store, std::string_view mode,
                                                const IntegratedAccount& a, int64_t expected_version);

// The ids of `install`'s accounts whose context holds `value` at `field` (unsorted); indexes the field first if
// needed.
awaitable<Result<std::vector<std::string>>> lookup_accounts(Store& store,
                                                            const EnvironmentIntegration& install,
                                                            std::string_view field, std::string_view value);

}  // namespace hookd::store
