// Moves delivery data of the unsharded layout (keys::unsharded: one schedule, deliveries and events by id, the
// webhook and environment indexes, lanes and pause state tagged by webhook) to the delivery shards (store/keys.h),
// so that deliveries written before an upgrade keep being delivered after it.
//
// Run by every dispatcher before its first claim. keys::delivery_schema() says which layout the data
// is in: when it is kDeliverySchema, nothing is done (one GET). Otherwise one dispatcher, holding
// keys::delivery_schema_lock (SET NX PX, renewed as it goes), SCANs the old patterns and RENAMEs each key to its new
// name (the environment read from the delivery hash, the event, or the endpoint's record), moves the schedule's
// entries to the shards' schedules, deletes the old account lookup index (it is rebuilt on the next lookup), then
// sets keys::delivery_schema(). Every step leaves the data readable by the next run, so a crash midway is resumed by the
// next dispatcher; a key whose new name exists already (written by the new layout meanwhile) keeps the new one.
// Single Redis only: the old layout never ran on a cluster.
#pragma once

#include "core/asio.h"
#include "core/result.h"
#include "store/store.h"

namespace hookd::dispatch {

inline constexpr std::string_view kDeliverySchema = "2";

// Migrates if needed; returns once the data is in the current layout (migrated here or by another dispatcher)
// or with an error (Redis away: the caller tries again).
awaitable<Status> migrate_delivery_schema(store::Store& store);

}  // namespace hookd::dispatch
