#include "ingest/handshake.h"

#include <algorithm>

#include "core/log.h"

namespace hookd::ingest {

namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

bool context_field_unset(const json::Value& v) noexcept {
  return v.is_undefined() || v.is_null() || (v.is_string() && v.as_string().empty());
}

std::vector<std::string> refused_context_fields(const json::Value& patch, const json::Value& current,
                                                const HandshakePolicy& policy) {
  std::vector<std::string> refused;
  if (!patch.is_object()) return refused;
  bool signed_now = policy.signed_request;
  for (const auto& f : policy.secret_fields)
    signed_now = signed_now && json::equal(current.get(f), policy.verified_context.get(f));
  for (const auto& m : patch.members()) {
    std::string_view name = m.name();
    if (context_field_unset(current.get(name)) || signed_now) continue;
    if (!contains(policy.secret_fields, name) && contains(policy.listed, name)) continue;
    refused.emplace_back(name);
  }
  return refused;
}

awaitable<StageStatus> store_handshake_context(IngestState& s, AccountResolver& resolver,
                                               const IngestOptions& options) {
  const json::Value& patch = s.update_context;
  HandshakePolicy policy;
  policy.listed = s.config->handshake_context_fields;
  if (s.config->signature) policy.secret_fields = s.config->signature->secret_context_fields();
  policy.verified_context = s.resolved.account.context;
  std::vector<std::string> refused = refused_context_fields(patch, s.resolved.account.context, policy);
  if (!refused.empty() && s.config->signature) {
    // Only now, when the unsigned rule is not enough: a handshake usually carries no signature at all.
    policy.signed_request = signature_holds(s, options);
    if (policy.signed_request) refused = refused_context_fields(patch, s.resolved.account.context, policy);
  }
  if (refused.empty()) {
    // Judged again on the context as it is when written: it may have changed since the request resolved it.
    AccountResolver::ContextGuard guard = [&](const json::Value& current) -> Status {
      refused = refused_context_fields(patch, current, policy);
      if (refused.empty()) return {};
      return make_error(IngestErrc::context_update_refused, "refused: " + joined(refused));
    };
    Status stored = co_await resolver.merge_account_context_if(s.account_id, patch, guard);
    if (stored.ok()) co_return StageStatus::proceed;
    if (stored.error().code != IngestErrc::context_update_refused) {
      s.response = http::error_response(http::Status::service_unavailable, "service_unavailable",
                                        "could not store update_context: " + stored.error().message);
      co_return StageStatus::stop;
    }
  }
  log::warn("ingest.context_update_refused", {{"account_id", s.account_id}, {"fields", joined(refused)}});
  s.response =
      http::error_response(http::Status::unauthorized, "context_update_refused",
                           "update_context may not change the context field(s) " + joined(refused) +
                               ": they are set already, and a request without a valid signature may only set "
                               "fields that are unset "
                               "or listed in webhook.handshake_context_fields (never signing material)");
  co_return StageStatus::stop;
}

}  // namespace hookd::ingest
