// The vendor-facing routes of the ingest role.
#pragma once

#include "http/router.h"
#include "ingest/pipeline.h"

namespace hookd::ingest {

// GET|HEAD|POST|PUT|PATCH /integrated-account-webhook/{integrated_account_id}
// GET|HEAD|POST|PUT|PATCH /environment-integration-webhook/{environment_integration_id} (accounts found by
// context lookup). A HEAD answer's body is dropped by the server (http/server.cpp), its headers kept.
void register_routes(http::Router& router, Pipeline& pipeline);

}  // namespace hookd::ingest
