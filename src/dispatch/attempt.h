// One delivery attempt in three phases, each with a typed result (as Svix's worker does it):
//
//   prepare: read the delivery, its endpoint and its event  -> PreparedAttempt | Unsendable | Abandoned
//   send:    POST the signed request                         -> SentAttempt
//   record:  store the attempt and the delivery's next state -> retry, succeed, dead-letter, disable
//
// Only prepare and record touch Redis; only send touches the network.
#pragma once

#include <string>
#include <variant>

#include "dispatch/delivery_store.h"
#include "http/client/client.h"
#include "store/model.h"

namespace hookd::dispatch {

// Ready to send: the request is built and signed.
struct PreparedAttempt {
  Delivery delivery;
  http::ClientRequest request;
  int64_t started_at = 0;  // ms; also the signature's timestamp
};

// The delivery can never be sent (its endpoint or its event is gone): it fails without an attempt.
struct Unsendable {
  Delivery delivery;
  std::string reason;
};

// Nothing to do now: the delivery could not be read, or another claimer owns it. Its lease decides what
// happens next.
struct Abandoned {};

using Preparation = std::variant<PreparedAttempt, Unsendable, Abandoned>;

// What sending produced, ready to record.
struct SentAttempt {
  Attempt attempt;
  bool delivered = false;
  int64_t next_due = 0;        // ms; 0 when the round is over (delivered, or no retry left)
  bool endpoint_gone = false;  // 410 Gone (with disable_on_gone): the endpoint is disabled at once
  bool throttled = false;      // 429, or no answer in time: the endpoint is overloaded
};

}  // namespace hookd::dispatch
