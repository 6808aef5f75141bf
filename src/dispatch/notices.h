// Notices: what hookd told an environment about its endpoints (today: webhook:disabled), recorded in Redis
// before the event announcing it is published, so that the announcement survives Kafka being down and a
// dispatcher crashing:
//
//   keys::notice(env, id)          hash: the notice, with the event (Kafka record value) that announces it
//   keys::environment_notices(env) zset: notice id -> created ms (retention)
//   keys::unpublished_notices()    set: "<env>/<id>" whose event Kafka has not acknowledged yet
//
// Why a Kafka event and not deliveries scheduled in Redis directly: the event then takes the path every event
// takes (fan-out to the environment's subscribed endpoints, paused for disabled ones, consumer offsets), with
// no second fan-out to keep in step. Its id is derived from the webhook and the time it was disabled, so
// publishing it again (a retry, the start sweep of a second dispatcher) creates no second delivery: delivery
// ids derive from event and endpoint.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "hookd/json.h"
#include "core/result.h"
#include "store/store.h"

namespace hookd::dispatch {

struct Notice {
  std::string id;  // also the id of the event that announces it
  std::string environment_id;
  std::string type;  // "webhook:disabled"
  std::string webhook_id;
  std::string target_url;
  std::string reason;
  int64_t created_at = 0;
  int64_t published_at = 0;  // 0: Kafka has not acknowledged its event yet
  std::string event_json;    // the Kafka record value, published as is (again)
};
// Without the event text.
json::Value to_json(const Notice& n);

class NoticeStore {
 public:
  explicit NoticeStore(store::Store& store) : store_(store) {}

  // Records a notice as not yet published, kept for `retention`.
  awaitable<Status> record(const Notice& n, std::chrono::seconds retention);
  awaitable<Status> mark_published(const Notice& n, int64_t now);
  // The environment's notices, newest first.
  awaitable<Result<std::vector<Notice>>> list(std::string_view environment_id, size_t limit);
  // Every notice whose event was not acknowledged yet (expired ones are forgotten).
  awaitable<Result<std::vector<Notice>>> unpublished();

 private:
  awaitable<Result<Notice>> get(std::string_view environment_id, std::string_view id);

  store::Store& store_;
};

}  // namespace hookd::dispatch
