// Fakes of the ingest chain's two ports (ingest/ports.h), shared by the pipeline and handshake tests: accounts
// held in a map (context merges applied to it), and a publisher that keeps what it was given. Either may be
// told to fail.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ingest/pipeline.h"
#include "ingest/ports.h"

namespace hookd::ingest::test {

class FakeResolver final : public AccountResolver {
 public:
  std::map<std::string, store::ResolvedAccount, std::less<>> accounts;
  std::optional<Error> fail_with;
  int merges = 0;

  awaitable<Result<store::ResolvedAccount>> resolve_account(std::string_view id) override {
    if (fail_with) co_return *fail_with;
    auto it = accounts.find(id);
    if (it == accounts.end())
      co_return make_error(store::StoreErrc::not_found,
                           "integrated account " + std::string(id) + " not found");
    co_return it->second;
  }
  awaitable<Result<store::EnvironmentIntegration>> get_environment_integration(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "no installs here");
  }
  awaitable<Result<store::Integration>> get_integration(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "no integrations here");
  }
  awaitable<Result<store::Environment>> get_environment(std::string_view) override {
    co_return make_error(store::StoreErrc::not_found, "no environments here");
  }
  awaitable<Result<std::vector<std::string>>> find_accounts_by_context(const store::EnvironmentIntegration&,
                                                                       std::string_view,
                                                                       std::string_view) override {
    co_return std::vector<std::string>{};
  }
  // Merges top-level fields into the stored account's context, as the store does.
  awaitable<Status> merge_account_context(std::string_view id, const json::Value& patch) override {
    ++merges;
    auto it = accounts.find(id);
    if (it == accounts.end()) co_return Status{};
    json::ObjectBuilder b(it->second.account.context);
    for (const auto& m : patch.members())
      b.set(m.key, m.value);
    it->second.account.context = std::move(b).build();
    co_return Status{};
  }
  const json::Value& context(std::string_view id) { return accounts.find(id)->second.account.context; }

  // The de-duplication ledger, in memory ("account\nvendor id" -> summary), and the inbound records.
  std::map<std::string, std::string> ledger;
  std::optional<Error> ledger_fails;
  std::vector<store::InboundRecord> inbound;
  awaitable<Result<std::optional<std::string>>> find_delivery(std::string_view account,
                                                              std::string_view vendor_id) override {
    if (ledger_fails) co_return *ledger_fails;
    auto it = ledger.find(std::string(account) + "\n" + std::string(vendor_id));
    co_return it == ledger.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
  }
  void remember_delivery(std::string_view account, std::string_view vendor_id, std::string summary,
                         std::chrono::seconds) override {
    if (ledger_fails) return;
    ledger[std::string(account) + "\n" + std::string(vendor_id)] = std::move(summary);
  }
  void record_inbound(store::InboundRecord record, const store::InboundLimits&, json::Value) override {
    inbound.push_back(std::move(record));
  }
};

class FakePublisher final : public EventPublisher {
 public:
  std::vector<bus::OutgoingMessage> published;
  error_code fail_with;

  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages) override {
    return publish(messages, {});
  }
  awaitable<error_code> publish(std::span<const bus::OutgoingMessage> messages,
                                std::span<bus::MessagePosition> positions) override {
    if (fail_with) co_return fail_with;
    for (size_t i = 0; i < positions.size(); ++i)
      positions[i] = {0, static_cast<int64_t>(published.size() + i)};
    published.insert(published.end(), messages.begin(), messages.end());
    co_return error_code{};
  }
};

// Runs one request through `pipeline`'s account chain to its outcome, on an io_context of its own.
inline IngestOutcome run_chain(Pipeline& pipeline, http::RequestContext& ctx, std::string account_id) {
  asio::io_context io;
  std::optional<IngestOutcome> outcome;
  asio::co_spawn(io, pipeline.handle(ctx, std::move(account_id)), [&](std::exception_ptr e, IngestOutcome o) {
    if (e) std::rethrow_exception(e);
    outcome = std::move(o);
  });
  io.run();
  return std::move(*outcome);
}

}  // namespace hookd::ingest::test
