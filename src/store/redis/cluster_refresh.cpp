// ClusterRouter's slot map: asking for it, applying it, and the node connections it decides on.
#include <algorithm>

#include "core/log.h"
#include "core/metrics.h"
#include "store/redis/cluster_router.h"

namespace hookd::store::detail {

namespace {

metrics::Counter& refresh_counter() {
  static metrics::Counter& count = metrics::registry().counter(
      "hookd_redis_slot_map_refreshes_total", "Redis Cluster slot maps learnt (CLUSTER SLOTS answered)");
  return count;
}

}  // namespace

// Nodes are known by host:port. A new one gets its connection at once (the same auth, timeouts and client
// name as every other), so a request that needs it waits for that connection as for any first one.
ClusterRouter::NodePtr ClusterRouter::node_for(const RedisEndpoint& endpoint) {
  std::string name = endpoint_name(endpoint);
  if (auto it = nodes_.find(name); it != nodes_.end()) return it->second;
  RedisOptions o = options_;
  o.cluster = false;
  o.seeds.clear();
  o.host = endpoint.host;
  o.port = endpoint.port;
  o.db = 0;
  auto node = std::make_shared<Node>(Node{endpoint, name, nullptr, false});
  node->connection = NodeConnection::create(
      io_executor_, std::move(o), "cluster-node", [weak = weak_from_this(), name](bool up) {
        if (auto self = weak.lock())
          asio::post(self->strand_, [self, name, up] { self->on_node_state(name, up); });
      });
  nodes_.emplace(std::move(name), node);
  return node;
}

ClusterRouter::NodePtr ClusterRouter::any_master() {
  if (masters_.empty()) return nullptr;
  for (size_t i = 0; i < masters_.size(); ++i) {
    const NodePtr& node = masters_[(next_master_ + i) % masters_.size()];
    if (node->connection->ready()) {
      next_master_ = (next_master_ + i + 1) % masters_.size();
      return node;
    }
  }
  return masters_[next_master_++ % masters_.size()];
}

// A master's connection that worked is gone: its replica may be taking over. Requests for its slots fail
// with not_connected meanwhile (its connection is reconnecting), until the map names the new master.
void ClusterRouter::on_node_state(const std::string& name, bool up) {
  auto it = nodes_.find(name);
  if (closed_ || it == nodes_.end()) return;
  Node& node = *it->second;
  if (up) {
    node.up = true;
    return;
  }
  if (!node.up) return;
  node.up = false;
  log::warn("redis.cluster_node_lost", {{"node", name}});
  request_refresh();
}

void ClusterRouter::request_refresh() {
  if (closed_) return;
  if (refreshing_) {
    refresh_again_ = true;
    return;
  }
  start_refresh();
}

// Whom to ask, in turn: masters with a working connection, then the other masters, then the seeds.
void ClusterRouter::start_refresh() {
  refreshing_ = true;
  refresh_again_ = false;
  refresh_timer_.cancel();
  candidates_.clear();
  auto add = [this](const RedisEndpoint& e) {
    if (std::find(candidates_.begin(), candidates_.end(), e) == candidates_.end()) candidates_.push_back(e);
  };
  for (const NodePtr& m : masters_)
    if (m->connection->ready()) add(m->endpoint);
  for (const NodePtr& m : masters_)
    add(m->endpoint);
  for (const RedisEndpoint& seed : options_.seeds)
    add(seed);
  refresh_from(0);
}

void ClusterRouter::refresh_from(size_t candidate) {
  if (closed_) return;
  if (candidate >= candidates_.size()) return refresh_done(false);
  NodePtr node = node_for(candidates_[candidate]);
  std::vector<RedisCommand> commands;
  commands.push_back(RedisCommand{"CLUSTER", "SLOTS"});
  auto on_slots = [self = shared_from_this(), candidate, node](error_code ec, RedisReply reply) {
    self->on_slots(candidate, node, ec, reply);
  };
  node->connection->submit_raw(
      std::move(commands), make_completion(asio::bind_executor(strand_, std::move(on_slots)), io_executor_));
}

void ClusterRouter::on_slots(size_t candidate, const NodePtr& node, error_code ec, const RedisReply& reply) {
  if (closed_) return;
  std::string error;
  std::optional<SlotMap> map;
  if (ec)
    error = "CLUSTER SLOTS: " + ec.message();
  else
    map = SlotMap::parse(reply, node->endpoint, &error);
  if (!map) {
    {
      std::lock_guard lock(state_mutex_);
      map_error_ = node->name + ": " + error;
    }
    return refresh_from(candidate + 1);
  }
  apply(*map);
  refresh_done(true);
}

void ClusterRouter::apply(const SlotMap& map) {
  std::vector<std::string> before;
  for (const NodePtr& m : masters_)
    before.push_back(m->name);
  owner_.fill(nullptr);
  masters_.clear();
  for (const SlotRange& range : map.ranges) {
    NodePtr node = node_for(range.master);
    std::fill(owner_.begin() + range.first, owner_.begin() + range.last + 1, node);
    if (std::find(masters_.begin(), masters_.end(), node) == masters_.end()) masters_.push_back(node);
  }
  map_known_ = true;
  map_.store(std::make_shared<const SlotMap>(map), std::memory_order_release);
  // Seeds that are not masters and masters that are no longer: their connections go.
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (std::find(masters_.begin(), masters_.end(), it->second) == masters_.end()) {
      retire(it->second);
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::string> after;
  for (const NodePtr& m : masters_)
    after.push_back(m->name);
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  if (before != after) {
    std::string list;
    for (const std::string& name : after)
      list += (list.empty() ? "" : ",") + name;
    log::info("redis.cluster_masters", {{"masters", list}, {"uncovered_slots", int64_t(map.uncovered())}});
  }
  publish_state();
}

// A node dropped from the map may still owe replies (a demoted master answering MOVED): it is closed once
// those have had their command timeout.
void ClusterRouter::retire(NodePtr node) {
  const uint64_t id = next_id_++;
  auto timer = std::make_unique<asio::steady_timer>(
      strand_, options_.command_timeout + std::chrono::milliseconds(100));
  timer->async_wait([self = shared_from_this(), id](error_code ec) {
    if (ec) return;
    auto it = self->retiring_.find(id);
    if (it == self->retiring_.end()) return;
    it->second.second->connection->close();
    self->retiring_.erase(it);
  });
  retiring_.emplace(id, std::make_pair(std::move(timer), std::move(node)));
}

void ClusterRouter::refresh_done(bool ok) {
  refreshing_ = false;
  if (ok) {
    refresh_counter().inc();
    if (std::exchange(refresh_failing_, false)) log::info("redis.cluster_map_refreshed", {});
    std::lock_guard lock(state_mutex_);
    map_error_.clear();
  } else if (!std::exchange(refresh_failing_, true)) {
    log::warn("redis.cluster_map_failed", {{"error", last_error()}});
  }
  for (RequestPtr& r : std::exchange(waiting_, {})) {
    if (map_known_)
      route(std::move(r));
    else
      r->completion->complete(RedisError::not_connected, {});
  }
  // Asked again while this one was under way (a MOVED, a lost node): what it saw may be older than that.
  if (ok && refresh_again_) return start_refresh();
  schedule_refresh();
}

void ClusterRouter::schedule_refresh() {
  if (closed_) return;
  refresh_timer_.expires_after(healthy() ? options_.cluster_refresh_interval
                                         : options_.cluster_retry_interval);
  refresh_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->request_refresh();
  });
}

bool ClusterRouter::healthy() const {
  if (!map_known_) return false;
  if (std::any_of(owner_.begin(), owner_.end(), [](const NodePtr& n) { return n == nullptr; })) return false;
  return std::all_of(masters_.begin(), masters_.end(),
                     [](const NodePtr& m) { return m->connection->ready(); });
}

void ClusterRouter::publish_state() {
  std::lock_guard lock(state_mutex_);
  master_connections_.clear();
  master_names_.clear();
  for (const NodePtr& m : masters_) {
    master_connections_.push_back(m->connection);
    master_names_.push_back(m->name);
  }
  uncovered_ = static_cast<size_t>(std::count(owner_.begin(), owner_.end(), nullptr));
}

std::optional<RedisEndpoint> ClusterRouter::master_of_slot(uint16_t slot) const {
  std::shared_ptr<const SlotMap> map = map_.load(std::memory_order_acquire);
  if (!map) return std::nullopt;
  for (const SlotRange& range : map->ranges)
    if (slot >= range.first && slot <= range.last) return range.master;
  return std::nullopt;
}

bool ClusterRouter::ready() const {
  if (closing_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(state_mutex_);
  if (master_connections_.empty() || uncovered_ != 0) return false;
  return std::all_of(master_connections_.begin(), master_connections_.end(),
                     [](const std::shared_ptr<NodeConnection>& c) { return c->ready(); });
}

std::string ClusterRouter::last_error() const {
  std::lock_guard lock(state_mutex_);
  if (master_connections_.empty())
    return map_error_.empty() ? "no Redis Cluster slot map yet (asking " + options_.redacted_url() + ")"
                              : map_error_;
  if (uncovered_ != 0)
    return "Redis Cluster slot map: " + std::to_string(uncovered_) + " of 16384 slots have no master";
  for (size_t i = 0; i < master_connections_.size(); ++i) {
    if (master_connections_[i]->ready()) continue;
    std::string error = master_connections_[i]->last_error();
    return master_names_[i] + ": " + (error.empty() ? "connecting" : error);
  }
  return map_error_;
}

}  // namespace hookd::store::detail
