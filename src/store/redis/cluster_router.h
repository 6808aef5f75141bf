// RedisClient on Redis Cluster: one connection per master, each request sent to the master that serves its
// keys' slot, redirections followed. See client.h for what callers rely on; this says how.
//
// Slot map. Learnt with CLUSTER SLOTS from any node that answers (masters already connected first, then the
// seeds). Asked again: every cluster_refresh_interval; after a MOVED (a slot changed hands, so others may have
// too); after a master's connection is lost (its replica may be taking over); and every
// cluster_retry_interval while a slot is uncovered or a master it routes to is not connected. At most one
// CLUSTER SLOTS is in flight; a reason to ask that arrives meanwhile asks once more when it is done.
//
// Requests. A command, transaction or script goes to the master of its keys' slot; keys in different slots are
// refused with RedisError::cross_slot, never sent. Keyless commands go to any connected master; SCRIPT LOAD,
// SCRIPT FLUSH, FLUSHDB and FLUSHALL to every master (so EVALSHA finds its script, and a test's flush empties
// the cluster). A pipeline is split into its commands, each routed alone, and completes with their replies in
// the original order. Requests issued before the first map arrives wait for it (within their timeout).
//
// Redirections. `-MOVED slot node`: the slot's owner is updated at once, the map refreshed in the background,
// and the request sent to the new owner. `-ASK slot node`: sent once to that node, after ASKING (connecting
// to it if it is new). `-TRYAGAIN` (keys of a slot being migrated) and `-CLUSTERDOWN`: sent again after a short
// backoff. At most kMaxRedirects MOVED/ASK per request, and nothing is sent again after its deadline (the
// command timeout from submit): the redirection itself is then the reply. Each send waits for its node as any
// command does (up to the command timeout, the connection's own watchdog: a shorter wait would drop a healthy
// connection and everything in flight on it), so a redirected request ends within twice the command timeout
// at worst. A transport error (not connected, connection lost, timeout) is the caller's: the command may have
// run, so it is never sent again.
//
// Threading: routing, the map and every node's bookkeeping live on the router's strand; each node connection
// has its own strand (connection.h). ready() and last_error() read a snapshot under a mutex.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/asio.h"
#include "store/redis/command.h"
#include "store/redis/connection.h"
#include "store/redis/options.h"
#include "store/redis/reply.h"
#include "store/redis/slot_map.h"
#include "store/redis/slots.h"

namespace hookd::store::detail {

class ClusterRouter : public std::enable_shared_from_this<ClusterRouter> {
 public:
  using executor_type = asio::strand<asio::any_io_executor>;
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxRedirects = 5;

  static std::shared_ptr<ClusterRouter> create(asio::any_io_executor ex, RedisOptions options);
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  executor_type get_executor() const noexcept { return strand_; }
  const RedisOptions& options() const noexcept { return options_; }

  // From any thread.
  void submit(std::vector<RedisCommand> commands, Batch batch, std::unique_ptr<Completion> completion);
  // The map covers every slot and every master's connection is ready.
  bool ready() const;
  // Which node, and what is wrong with it (or with the map); empty when ready.
  std::string last_error() const;
  // The master that serves `slot` in the last slot map learnt (not updated by a MOVED alone); none before the
  // first map or while the slot is uncovered. Any thread.
  std::optional<RedisEndpoint> master_of_slot(uint16_t slot) const;
  void close();
  // An object that lives as long as the router: the RedisClient in front of it (see NodeConnection).
  void attach_owner(std::shared_ptr<void> owner) { keep_alive_ = std::move(owner); }

 private:
  struct Node {
    RedisEndpoint endpoint;
    std::string name;  // host:port
    std::shared_ptr<NodeConnection> connection;
    bool up = false;  // strand only: had a working connection, so losing it means something
  };
  using NodePtr = std::shared_ptr<Node>;

  struct Request {
    std::vector<RedisCommand> commands;  // as the caller gave them (no MULTI/EXEC)
    bool transaction = false;
    bool broadcast = false;  // to every master (SCRIPT LOAD ...)
    int slot = -1;           // -1: no keys
    std::unique_ptr<Completion> completion;
    Clock::time_point deadline;
    int redirects = 0;  // MOVED and ASK followed
    int retries = 0;    // TRYAGAIN and CLUSTERDOWN waited out
  };
  using RequestPtr = std::unique_ptr<Request>;

  class NodeReply;
  class Gather;

  ClusterRouter(asio::any_io_executor ex, RedisOptions options);
  void start();

  // Requests, in the order they go.
  void route(RequestPtr request);
  void send(RequestPtr request, const NodePtr& node, bool asking);
  void broadcast(RequestPtr request);
  void on_reply(RequestPtr request, NodePtr node, error_code ec, RedisReply reply);
  void retry_later(RequestPtr request, RedisReply reply);
  void wait_for_map(RequestPtr request);
  void on_watchdog();

  // The slot map.
  NodePtr node_for(const RedisEndpoint& endpoint);
  NodePtr any_master();
  void request_refresh();
  void start_refresh();
  void refresh_from(size_t candidate);
  void on_slots(size_t candidate, const NodePtr& node, error_code ec, const RedisReply& reply);
  void apply(const SlotMap& map);
  void refresh_done(bool ok);
  void schedule_refresh();
  void retire(NodePtr node);
  void on_node_state(const std::string& name, bool up);
  bool healthy() const;  // strand only
  void publish_state();  // the snapshot ready() and last_error() read

  void do_close();

  const asio::any_io_executor io_executor_;
  const executor_type strand_;
  const RedisOptions options_;

  // Strand only.
  std::map<std::string, NodePtr, std::less<>> nodes_;  // every node with a connection, by name
  std::array<NodePtr, kClusterSlots> owner_;           // each slot's master
  std::vector<NodePtr> masters_;
  size_t next_master_ = 0;  // round robin for keyless commands
  bool map_known_ = false;
  bool refreshing_ = false;
  bool refresh_again_ = false;
  std::vector<RedisEndpoint> candidates_;  // whom the refresh in flight asks, in turn
  std::deque<RequestPtr> waiting_;         // for the first map
  std::map<uint64_t, std::pair<std::unique_ptr<asio::steady_timer>, RequestPtr>> retrying_;
  uint64_t next_id_ = 0;  // of retrying_ and retiring_ entries
  std::map<uint64_t, std::pair<std::unique_ptr<asio::steady_timer>, NodePtr>> retiring_;
  asio::steady_timer refresh_timer_;
  asio::steady_timer watchdog_;
  bool watchdog_armed_ = false;
  bool closed_ = false;
  bool refresh_failing_ = false;  // logged once per outage

  // For ready() and last_error(), from any thread.
  mutable std::mutex state_mutex_;
  std::vector<std::shared_ptr<NodeConnection>> master_connections_;
  std::vector<std::string> master_names_;
  size_t uncovered_ = kClusterSlots;
  // The last map applied, for master_of_slot(): atomic, not under state_mutex_, so that a caller on another
  // strand (the config subscriber choosing its node) never waits for the router.
  std::atomic<std::shared_ptr<const SlotMap>> map_;
  std::string map_error_;
  std::atomic<bool> closing_{false};
  std::shared_ptr<void> keep_alive_;
};

}  // namespace hookd::store::detail
