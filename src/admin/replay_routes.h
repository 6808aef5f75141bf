// The replay job routes (their table entries are in routes_deliveries.cpp, beside the older replay routes):
//
//   POST /replay               { scope, delivery_id?, webhook_id?, filters?, rate_per_second?, dry_run?, source?,
//                                include_new_endpoints? } -> 202 the job (200 with the count for a dry run)
//   GET  /replay               the environment's jobs, newest first (?limit= &cursor=)
//   GET  /replay/{id}          one job with its progress
//   POST /replay/{id}/cancel   asks a queued or running job to stop -> 202 the job (409 when finished)
#pragma once

#include "admin/replay_runner.h"
#include "admin/routes.h"

namespace hookd::admin {

awaitable<http::Response> route_create_replay(AdminContext& c, http::RequestContext& req, const Principal& p);
awaitable<http::Response> route_list_replays(AdminContext& c, http::RequestContext& req, const Principal& p);
awaitable<http::Response> route_get_replay(AdminContext& c, http::RequestContext& req, const Principal& p);
awaitable<http::Response> route_cancel_replay(AdminContext& c, http::RequestContext& req, const Principal& p);

// For the older routes: runs `spec` as a job at the default rate and waits (ReplayOptions::compat_wait) for it
// to finish. nullopt and the answer in `error` when it could not start.
awaitable<std::optional<ReplayJob>> run_compat_job(AdminContext& c, const Principal& p, ReplaySpec spec,
                                                   http::Response& error);
// The 503 when this node has no replay runner.
std::optional<http::Response> replay_unavailable(const AdminContext& c);

}  // namespace hookd::admin
