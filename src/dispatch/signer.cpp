#include "dispatch/signer.h"

#include "core/crypto.h"

namespace hookd::dispatch {

std::string standard_webhooks_key(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) == kPrefix)
    if (auto key = crypto::from_base64(secret.substr(kPrefix.size()))) return *key;
  return std::string(secret);
}

SignedHeaders sign(std::string_view body, std::string_view event_id, int64_t unix_seconds,
                   std::string_view secret, std::string_view previous_secret) {
  SignedHeaders h;
  h.webhook_id = std::string(event_id);
  h.webhook_timestamp = std::to_string(unix_seconds);
  std::string_view signed_parts[] = {event_id, ".", h.webhook_timestamp, ".", body};

  h.truto_signature = "format=sha256,v=" + crypto::hex(crypto::hmac(crypto::Digest::sha256, secret, body));
  h.webhook_signature = "v1," + crypto::base64(crypto::hmac(crypto::Digest::sha256,
                                                            standard_webhooks_key(secret), signed_parts, 5));
  if (!previous_secret.empty()) {
    h.truto_signature += ",v=" + crypto::hex(crypto::hmac(crypto::Digest::sha256, previous_secret, body));
    h.webhook_signature +=
        " v1," + crypto::base64(crypto::hmac(crypto::Digest::sha256, standard_webhooks_key(previous_secret),
                                             signed_parts, 5));
  }
  return h;
}

}  // namespace hookd::dispatch
