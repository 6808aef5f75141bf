// Handshakes cannot be forged. A `verify` or `meta` answer of handle_verification is given before (and without)
// any signature check, yet its `update_context` is stored: a vendor may hand over the signing secret in the
// handshake itself (Asana's X-Hook-Secret). So anyone who knows an account's URL could send one. The rule:
//
//  - an unsigned handshake may set a top-level context field that is not set yet (absent, null or ""), or one
//    the integration lists in `webhook.handshake_context_fields`;
//  - a field holding signing material (what the signature secret template reads) that is already set changes
//    only with a request that passes the signature check with the current secret, listed or not;
//  - a signed request (signature valid with the current secret) may set any field.
//
// A refused update stores nothing at all: 401 context_update_refused naming the refused fields (never values).
// The check and the write are one compare-and-set on the account's version (AccountResolver::
// merge_account_context_if), so two racing first handshakes cannot both "set an unset field".
#pragma once

#include <string>
#include <vector>

#include "ingest/pipeline.h"

namespace hookd::ingest {

struct HandshakePolicy {
  std::vector<std::string> listed;         // webhook.handshake_context_fields
  std::vector<std::string> secret_fields;  // SignatureVerifier::secret_context_fields()
  // The request passed the signature check against `verified_context` (the account context it was read with).
  bool signed_request = false;
  json::Value verified_context{};
};

// Absent, null or "".
bool context_field_unset(const json::Value& v) noexcept;

// The fields of `patch` the policy refuses, given the account's `current` context (in the patch's order). A
// signed request counts as signed only while every secret field of `current` still equals what it was verified
// with.
std::vector<std::string> refused_context_fields(const json::Value& patch, const json::Value& current,
                                                const HandshakePolicy& policy);

// The verification stage's step for a `verify` or `meta` answer with an update_context: stores it under the
// rule above. Returns stop with `s.response` set (401 refused, 503 store failure), or proceed once stored.
awaitable<StageStatus> store_handshake_context(IngestState& s, AccountResolver& resolver,
                                               const IngestOptions& options);

// True when the request's signature verifies with the account's current secret, as the signature stage would
// check it (stages.cpp).
bool signature_holds(const IngestState& s, const IngestOptions& options);

}  // namespace hookd::ingest
