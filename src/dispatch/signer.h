// Signs what hookd sends to a customer's endpoint, so the receiver can check it came from us, unchanged.
//
//   X-Truto-Signature: format=sha256,v=<hex HMAC-SHA256 of the exact body, keyed with the endpoint's secret>
//   webhook-id: <event id>              (Standard Webhooks: the same on every retry and replay)
//   webhook-timestamp: <unix seconds>   (when this attempt was signed)
//   webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">
//
// The secret's bytes are the HMAC key for X-Truto-Signature. For webhook-signature, a secret of the form
// "whsec_<base64>" is base64-decoded first (the Standard Webhooks convention); any other secret is used as
// is. While a rotated-out secret is still valid, each header carries a second signature made with it:
// `format=sha256,v=<new>,v=<old>` and `v1,<new> v1,<old>`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hookd::dispatch {

struct SignedHeaders {
  std::string truto_signature;
  std::string webhook_id;
  std::string webhook_timestamp;
  std::string webhook_signature;
};

SignedHeaders sign(std::string_view body, std::string_view event_id, int64_t unix_seconds,
                   std::string_view secret, std::string_view previous_secret = {});

// The key a Standard Webhooks signature uses for `secret`.
std::string standard_webhooks_key(std::string_view secret);

}  // namespace hookd::dispatch
