// The context lookup index: which accounts of an environment integration hold a value at a context field.
//
// Webhooks posted to an environment integration (one URL per installed app, e.g. a Slack app) name no
// account; the integration's config says which context field identifies one (`context_lookup_field_name`,
// e.g. "team_id") and the payload says the value. Redis keeps, per install and field, one set of account ids
// per value:
//
//   hookd:environment_integration:{id}:lookup_fields           set of the fields looked up so far
//   hookd:environment_integration:{id}:lookup:{field}:{value}  set of account ids
//
// A field is indexed on its first lookup (one scan of the environment's accounts, inside the lookup script);
// from then on every account write updates the index in the same script that writes the record, so the index
// is never behind the records. Values are strings; a number is indexed as its decimal text.
#pragma once

#include "store/redis/script.h"

namespace hookd::store {

// Writes, replaces or deletes an account record and keeps the lookup index current.
//   KEYS: the account's key, its environment's account index (zset)
//   ARGV: mode (create | update | delete), expected version (update), record JSON, account id, created ms
//   -> 1 written, 0 version conflict, -1 not found (update)
const RedisScript& account_write_script();

// The account ids of an install whose context holds a value at a field; indexes the field first if needed.
//   ARGV: install id, field (dotted path), value, environment id -> array of ids
const RedisScript& account_lookup_script();

}  // namespace hookd::store
