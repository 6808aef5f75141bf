// The vendor-facing routes of the ingest role.
#pragma once

#include "http/router.h"
#include "ingest/pipeline.h"

namespace hookd::ingest {

// POST /integrated-account-webhook/{integrated_account_id}
void register_routes(http::Router& router, Pipeline& pipeline);

}  // namespace hookd::ingest
