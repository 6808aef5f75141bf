// What the Redis Cluster tests share (tools/redis-cluster: 3 masters, 3 replicas at
// HOOKD_TEST_REDIS_CLUSTER_URL): commands sent to one node on a connection of the test's own (plain hiredis),
// the topology as the nodes see it, a fixture that waits for a healthy cluster and cleans up its keys, and a slot
// moved from one master to another the way redis-cli --cluster reshard does.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "redis_test_util.h"
#include "store/redis/slots.h"

namespace hookd::store::test {

using Clock = std::chrono::steady_clock;

// Commands sent back to back on one new connection to one node (ASKING, then GET); the last reply. A node
// that is down answers with an error reply starting with "(node)".
inline RedisReply on_node_all(uint16_t port, const std::vector<std::vector<std::string>>& commands) {
  timeval timeout{5, 0};
  redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (ctx == nullptr || ctx->err) {
    std::string error = ctx ? ctx->errstr : "out of memory";
    if (ctx) redisFree(ctx);
    return RedisReply::make_error("(node) " + error);
  }
  redisSetTimeout(ctx, timeout);
  RedisReply last;
  for (const auto& args : commands) {
    last = blocking_command(ctx, args, "node");
    if (last.is_error("(node)")) break;  // the connection failed
  }
  redisFree(ctx);
  return last;
}

inline RedisReply on_node(uint16_t port, std::vector<std::string> command) {
  return on_node_all(port, std::vector<std::vector<std::string>>{std::move(command)});
}

// "field:value" from an INFO reply.
inline std::string info_field(const RedisReply& info, std::string_view field) {
  std::istringstream lines{std::string(info.str())};
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  }
  return "";
}

struct ClusterNode {
  std::string id;
  uint16_t port = 0;
  bool master = false;
  bool failing = false;  // fail or fail? flag, or not connected
  std::string master_id;
  std::vector<std::pair<int, int>> slots;
};

struct Topology {
  std::vector<ClusterNode> nodes;

  std::vector<ClusterNode> masters() const {
    std::vector<ClusterNode> out;
    for (const ClusterNode& n : nodes)
      if (n.master && !n.slots.empty()) out.push_back(n);
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.slots.front() < b.slots.front(); });
    return out;
  }
  const ClusterNode* owner(int slot) const {
    for (const ClusterNode& n : nodes)
      for (auto [first, last] : n.slots)
        if (n.master && slot >= first && slot <= last) return &n;
    return nullptr;
  }
  const ClusterNode* replica_of(const ClusterNode& master) const {
    for (const ClusterNode& n : nodes)
      if (!n.master && n.master_id == master.id) return &n;
    return nullptr;
  }
};

// CLUSTER NODES as one node sees it.
inline Topology parse_nodes(const RedisReply& reply) {
  Topology t;
  std::istringstream lines{std::string(reply.str())};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;)
      f.push_back(w);
    if (f.size() < 8) continue;
    ClusterNode n;
    n.id = f[0];
    n.port = static_cast<uint16_t>(std::stoi(f[1].substr(f[1].rfind(':') + 1, f[1].find('@'))));
    n.master = f[2].find("master") != std::string::npos;
    n.failing = f[2].find("fail") != std::string::npos || f[7] != "connected";
    n.master_id = f[3];
    for (size_t i = 8; i < f.size(); ++i) {
      if (f[i].starts_with("[")) continue;  // a slot being migrated
      auto dash = f[i].find('-');
      int first = std::stoi(f[i].substr(0, dash));
      int last = dash == std::string::npos ? first : std::stoi(f[i].substr(dash + 1));
      n.slots.emplace_back(first, last);
    }
    t.nodes.push_back(std::move(n));
  }
  return t;
}

inline uint64_t redirects(std::string_view kind) {
  return metrics::registry()
      .counter("hookd_redis_redirects_total", "Redis Cluster redirections followed",
               "kind=\"" + std::string(kind) + "\"")
      .value();
}

class ClusterClientTest : public RedisTest {
 protected:
  void SetUp() override {
    const char* url = std::getenv("HOOKD_TEST_REDIS_CLUSTER_URL");
    ASSERT_TRUE(url != nullptr && *url != '\0')
        << "HOOKD_TEST_REDIS_CLUSTER_URL is not set. These tests need a real Redis Cluster: run them through "
           "tools/test, or `tools/redis-cluster start` and export the line `tools/redis-cluster env` prints.";
    auto parsed = RedisOptions::from_url(url);
    ASSERT_TRUE(parsed.ok()) << "HOOKD_TEST_REDIS_CLUSTER_URL: " << parsed.error().message;
    ASSERT_TRUE(parsed->cluster) << "HOOKD_TEST_REDIS_CLUSTER_URL must be a redis+cluster:// URL";
    options_ = std::move(parsed).value();
    options_.client_name = unique_name("hookd-cluster-test-");
    prefix_ = unique_name("hookd-cluster-test:") + ":";
    // A node an earlier test killed and did not bring back (it failed before its restart) is started again.
    EXPECT_EQ(std::system(HOOKD_SOURCE_DIR "/tools/redis-cluster heal >&2"), 0);
    std::string why;
    ASSERT_TRUE(wait_until([&] { return healthy(&why); }, 30s)) << "the cluster is not healthy: " << why;
    settle_migrations();
  }

  // A slot an earlier test left half-way (it failed during move_slot) is made stable again on each node, so
  // that this test starts from slots each owned by one master.
  void settle_migrations() {
    for (const ClusterNode& n : topology().nodes) {
      std::istringstream lines{std::string(on_node(n.port, {"CLUSTER", "NODES"}).str())};
      for (std::string line; std::getline(lines, line);) {
        if (line.find("myself") == std::string::npos) continue;
        for (size_t at = line.find('['); at != std::string::npos; at = line.find('[', at + 1)) {
          std::string slot = line.substr(at + 1, line.find('-', at) - at - 1);
          EXPECT_TRUE(on_node(n.port, {"CLUSTER", "SETSLOT", slot, "STABLE"}).is_status("OK"));
        }
      }
    }
  }

  void TearDown() override {
    RedisTest::TearDown();
    for (const ClusterNode& m : topology().masters()) {
      RedisReply keys = on_node(m.port, {"KEYS", prefix_ + "*"});
      for (const RedisReply& k : keys.elements())
        on_node(m.port, {"DEL", std::string(k.str())});
    }
  }

  // Any node's view; every node is asked in turn until one answers.
  Topology topology() {
    std::vector<uint16_t> ports;
    for (const RedisEndpoint& seed : options_.seeds)
      ports.push_back(seed.port);
    for (const ClusterNode& n : last_topology_.nodes)
      ports.push_back(n.port);
    for (uint16_t port : ports) {
      RedisReply nodes = on_node(port, {"CLUSTER", "NODES"});
      if (nodes.is_string()) return last_topology_ = parse_nodes(nodes);
    }
    return last_topology_;
  }

  // Six nodes that all see six connected nodes and cluster_state:ok, 3 masters covering every slot, each
  // with a replica that has synced: a cluster a failover test can fail over.
  bool healthy(std::string* why) {
    Topology t = topology();
    if (t.nodes.size() != 6) return (*why = "not six nodes"), false;
    for (const ClusterNode& n : t.nodes) {
      Topology seen = parse_nodes(on_node(n.port, {"CLUSTER", "NODES"}));
      if (seen.nodes.size() != 6 ||
          std::any_of(seen.nodes.begin(), seen.nodes.end(), [](auto& s) { return s.failing; }))
        return (*why = "node " + std::to_string(n.port) + " sees a failing node"), false;
      if (info_field(on_node(n.port, {"CLUSTER", "INFO"}), "cluster_state") != "ok")
        return (*why = "node " + std::to_string(n.port) + " is not ok"), false;
      if (!n.master && info_field(on_node(n.port, {"INFO", "replication"}), "master_link_status") != "up")
        return (*why = "replica " + std::to_string(n.port) + " has not synced"), false;
    }
    auto masters = t.masters();
    if (masters.size() != 3) return (*why = "not three masters"), false;
    for (const ClusterNode& m : masters)
      if (!t.replica_of(m)) return (*why = "master " + std::to_string(m.port) + " has no replica"), false;
    return true;
  }

  // `n` keys of this test whose slot `master` serves.
  std::vector<std::string> keys_on(const ClusterNode& master, size_t n, std::string_view tag = "k") {
    Topology t = topology();
    std::vector<std::string> keys;
    for (int i = 0; keys.size() < n && i < 100000; ++i) {
      std::string k = key(std::string(tag) + std::to_string(i));
      const ClusterNode* owner = t.owner(key_slot(k));
      if (owner && owner->id == master.id) keys.push_back(k);
    }
    return keys;
  }

  RedisClientPtr connect_cluster() {
    auto client = connect(options_);
    EXPECT_TRUE(connected(*client, 15s));
    return client;
  }

  Topology last_topology_;
};

// Moves `slot` (and the keys given) from one master to another, the way redis-cli --cluster reshard does;
// `between` runs while the slot is half-way: MIGRATING on the source, IMPORTING on the target, keys moved.
inline void move_slot(int slot, const ClusterNode& from, const ClusterNode& to,
                      const std::vector<ClusterNode>& masters, const std::vector<std::string>& keys,
                      const std::function<void()>& between = {}) {
  const std::string s = std::to_string(slot);
  ASSERT_TRUE(on_node(to.port, {"CLUSTER", "SETSLOT", s, "IMPORTING", from.id}).is_status("OK"));
  ASSERT_TRUE(on_node(from.port, {"CLUSTER", "SETSLOT", s, "MIGRATING", to.id}).is_status("OK"));
  for (const std::string& k : keys) {
    RedisReply moved = on_node(from.port, {"MIGRATE", "127.0.0.1", std::to_string(to.port), k, "0", "5000"});
    ASSERT_TRUE(moved.is_status("OK")) << moved;
  }
  if (between) between();
  // The target first, so that the slot is never owned by nobody; then the source; then the other masters.
  ASSERT_TRUE(on_node(to.port, {"CLUSTER", "SETSLOT", s, "NODE", to.id}).is_status("OK"));
  ASSERT_TRUE(on_node(from.port, {"CLUSTER", "SETSLOT", s, "NODE", to.id}).is_status("OK"));
  for (const ClusterNode& m : masters)
    if (m.id != from.id && m.id != to.id) {
      ASSERT_TRUE(on_node(m.port, {"CLUSTER", "SETSLOT", s, "NODE", to.id}).is_status("OK"));
    }
}

}  // namespace hookd::store::test
