// The vendor-facing routes of the ingest role.
#pragma once

#include "http/router.h"
#include "ingest/pipeline.h"

namespace hookd::ingest {

// POST /integrated-account-webhook/{integrated_account_id}
// POST /environment-integration-webhook/{environment_integration_id} (accounts found by context lookup)
void register_routes(http::Router& router, Pipeline& pipeline);

}  // namespace hookd::ingest
