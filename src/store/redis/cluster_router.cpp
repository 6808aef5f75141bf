#include "store/redis/cluster_router.h"

#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "core/metrics.h"

namespace hookd::store::detail {

namespace {

metrics::Counter& redirect_counter(Redirect::Kind kind) {
  static metrics::Counter& moved = metrics::registry().counter(
      "hookd_redis_redirects_total", "Redis Cluster redirections followed", "kind=\"moved\"");
  static metrics::Counter& ask = metrics::registry().counter(
      "hookd_redis_redirects_total", "Redis Cluster redirections followed", "kind=\"ask\"");
  return kind == Redirect::Kind::moved ? moved : ask;
}

// TRYAGAIN and CLUSTERDOWN replies a request was sent again after (a resharding or a failover under way).
metrics::Counter& retry_counter(bool cluster_down) {
  static metrics::Counter& try_again = metrics::registry().counter(
      "hookd_redis_cluster_retries_total", "Redis Cluster requests sent again after a transient refusal",
      "reply=\"TRYAGAIN\"");
  static metrics::Counter& down = metrics::registry().counter(
      "hookd_redis_cluster_retries_total", "Redis Cluster requests sent again after a transient refusal",
      "reply=\"CLUSTERDOWN\"");
  return cluster_down ? down : try_again;
}

bool upper_equals(std::string_view name, std::string_view upper) {
  return name.size() == upper.size() &&
         std::equal(name.begin(), name.end(), upper.begin(),
                    [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
}

// Commands every master must get: a script cached everywhere, every node emptied.
bool goes_to_every_master(const RedisCommand& command) {
  std::vector<std::string_view> args = command_args(command);
  if (args.empty()) return false;
  if (upper_equals(args[0], "FLUSHDB") || upper_equals(args[0], "FLUSHALL")) return true;
  return args.size() >= 2 && upper_equals(args[0], "SCRIPT") &&
         (upper_equals(args[1], "LOAD") || upper_equals(args[1], "FLUSH"));
}

constexpr int no_keys = -1;
constexpr int several_slots = -2;

// The one slot of every key of `commands`, no_keys, or several_slots.
int slot_of(const RedisCommand* begin, const RedisCommand* end) {
  int slot = no_keys;
  for (const RedisCommand* c = begin; c != end; ++c)
    for (std::string_view key : command_keys(*c)) {
      const int s = key_slot(key);
      if (slot == no_keys)
        slot = s;
      else if (s != slot)
        return several_slots;
    }
  return slot;
}

}  // namespace

// A node's reply to one request, taken back to the router's strand.
class ClusterRouter::NodeReply final : public Completion {
 public:
  NodeReply(std::shared_ptr<ClusterRouter> router, RequestPtr request, NodePtr node)
      : router_(std::move(router)), request_(std::move(request)), node_(std::move(node)) {}

  void complete(error_code ec, RedisReply reply) override {
    auto router = std::move(router_);
    asio::post(router->strand_, [router, request = std::move(request_), node = std::move(node_), ec,
                                 reply = std::move(reply)]() mutable {
      router->on_reply(std::move(request), std::move(node), ec, std::move(reply));
    });
  }

 private:
  std::shared_ptr<ClusterRouter> router_;
  RequestPtr request_;
  NodePtr node_;
};

// Several requests answering one caller: a pipeline's commands (an array of their replies, in order) or one
// command sent to every master (its reply, or the first error). Strand only.
class ClusterRouter::Gather : public std::enable_shared_from_this<ClusterRouter::Gather> {
 public:
  enum class Mode : uint8_t { in_order, one_for_all };

  Gather(Mode mode, size_t parts, std::unique_ptr<Completion> done)
      : mode_(mode), left_(parts), replies_(parts), done_(std::move(done)) {}

  std::unique_ptr<Completion> part(size_t index) { return std::make_unique<Part>(shared_from_this(), index); }

 private:
  class Part final : public Completion {
   public:
    Part(std::shared_ptr<Gather> gather, size_t index) : gather_(std::move(gather)), index_(index) {}
    void complete(error_code ec, RedisReply reply) override {
      std::exchange(gather_, nullptr)->on_part(index_, ec, std::move(reply));
    }

   private:
    std::shared_ptr<Gather> gather_;
    size_t index_;
  };

  void on_part(size_t index, error_code ec, RedisReply reply) {
    if (ec && !ec_) ec_ = ec;
    replies_[index] = std::move(reply);
    if (--left_ != 0) return;
    if (ec_) return done_->complete(ec_, {});
    if (mode_ == Mode::in_order) return done_->complete({}, RedisReply::make_array(std::move(replies_)));
    for (RedisReply& r : replies_)
      if (r.is_error()) return done_->complete({}, std::move(r));
    done_->complete({}, std::move(replies_.front()));
  }

  const Mode mode_;
  size_t left_;
  error_code ec_;
  std::vector<RedisReply> replies_;
  std::unique_ptr<Completion> done_;
};

ClusterRouter::ClusterRouter(asio::any_io_executor ex, RedisOptions options)
    : io_executor_(ex),
      strand_(asio::make_strand(ex)),
      options_(std::move(options)),
      refresh_timer_(strand_),
      watchdog_(strand_) {}

std::shared_ptr<ClusterRouter> ClusterRouter::create(asio::any_io_executor ex, RedisOptions options) {
  std::shared_ptr<ClusterRouter> router(new ClusterRouter(std::move(ex), std::move(options)));
  router->start();
  return router;
}

void ClusterRouter::start() {
  asio::post(strand_, [self = shared_from_this()] { self->request_refresh(); });
}

void ClusterRouter::close() {
  closing_.store(true, std::memory_order_release);
  asio::dispatch(strand_, [self = shared_from_this()] { self->do_close(); });
}

// ---- Requests

void ClusterRouter::submit(std::vector<RedisCommand> commands, Batch batch,
                           std::unique_ptr<Completion> completion) {
  if (auto refused = check_commands(commands, batch)) return completion->complete(*refused, {});
  const auto deadline = Clock::now() + options_.command_timeout;
  if (batch == Batch::pipeline) {
    std::vector<int> slots;
    for (const RedisCommand& c : commands) {
      slots.push_back(slot_of(&c, &c + 1));
      if (slots.back() == several_slots) return completion->complete(RedisError::cross_slot, {});
    }
    if (commands.empty()) return completion->complete({}, RedisReply::make_array({}));
    auto gather = std::make_shared<Gather>(Gather::Mode::in_order, commands.size(), std::move(completion));
    std::vector<RequestPtr> parts;
    for (size_t i = 0; i < commands.size(); ++i) {
      auto part = std::make_unique<Request>();
      part->commands.push_back(std::move(commands[i]));
      part->slot = slots[i];
      part->completion = gather->part(i);
      part->deadline = deadline;
      parts.push_back(std::move(part));
    }
    return asio::dispatch(strand_, [self = shared_from_this(), parts = std::move(parts)]() mutable {
      for (RequestPtr& part : parts)
        self->route(std::move(part));
    });
  }
  const int slot = slot_of(commands.data(), commands.data() + commands.size());
  if (slot == several_slots) return completion->complete(RedisError::cross_slot, {});
  auto request = std::make_unique<Request>();
  request->transaction = batch == Batch::transaction;
  request->broadcast = batch == Batch::single && commands.size() == 1 && goes_to_every_master(commands[0]);
  request->commands = std::move(commands);
  request->slot = slot;
  request->completion = std::move(completion);
  request->deadline = deadline;
  asio::dispatch(strand_, [self = shared_from_this(), request = std::move(request)]() mutable {
    self->route(std::move(request));
  });
}

void ClusterRouter::route(RequestPtr request) {
  if (closed_) return request->completion->complete(RedisError::closed, {});
  if (Clock::now() >= request->deadline) return request->completion->complete(RedisError::timeout, {});
  if (!map_known_) return wait_for_map(std::move(request));
  if (request->broadcast) return broadcast(std::move(request));
  NodePtr node = request->slot >= 0 ? owner_[request->slot] : any_master();
  if (!node) {
    // No master serves the slot (the cluster lost it): like a single Redis that is down.
    request_refresh();
    return request->completion->complete(RedisError::not_connected, {});
  }
  send(std::move(request), node, false);
}

// The request keeps its commands: a redirection sends them again.
void ClusterRouter::send(RequestPtr request, const NodePtr& node, bool asking) {
  std::vector<RedisCommand> commands;
  commands.reserve(request->commands.size() + 3);
  if (asking) commands.push_back(RedisCommand{"ASKING"});
  if (request->transaction) commands.push_back(RedisCommand{"MULTI"});
  for (const RedisCommand& c : request->commands)
    commands.push_back(c);
  if (request->transaction) commands.push_back(RedisCommand{"EXEC"});
  node->connection->submit_raw(std::move(commands),
                               std::make_unique<NodeReply>(shared_from_this(), std::move(request), node));
}

void ClusterRouter::broadcast(RequestPtr request) {
  if (masters_.empty()) return request->completion->complete(RedisError::not_connected, {});
  auto gather =
      std::make_shared<Gather>(Gather::Mode::one_for_all, masters_.size(), std::move(request->completion));
  const std::vector<NodePtr> masters = masters_;
  for (size_t i = 0; i < masters.size(); ++i) {
    auto part = std::make_unique<Request>();
    part->commands = request->commands;
    part->completion = gather->part(i);
    part->deadline = request->deadline;
    send(std::move(part), masters[i], false);
  }
}

void ClusterRouter::on_reply(RequestPtr request, NodePtr node, error_code ec, RedisReply reply) {
  // A transport error is the caller's to handle: the command may have run, so it is never sent again.
  if (ec || closed_ || !is_cluster_redirect(reply))
    return request->completion->complete(ec, std::move(reply));
  if (auto redirect = parse_redirect(reply, node->endpoint)) {
    if (request->redirects >= kMaxRedirects || Clock::now() >= request->deadline)
      return request->completion->complete({}, std::move(reply));
    ++request->redirects;
    redirect_counter(redirect->kind).inc();
    NodePtr target = node_for(redirect->target);
    if (redirect->kind == Redirect::Kind::ask) return send(std::move(request), target, true);
    // The slot has a new owner for good: route the next requests there at once, and ask for the whole map,
    // since a resharding or a failover rarely moves one slot alone.
    owner_[redirect->slot] = target;
    if (std::find(masters_.begin(), masters_.end(), target) == masters_.end()) {
      masters_.push_back(target);
      publish_state();
    }
    request_refresh();
    return send(std::move(request), target, false);
  }
  if (reply.is_error("CLUSTERDOWN")) request_refresh();
  retry_later(std::move(request), std::move(reply));
}

// TRYAGAIN (a multi-key command during a slot's migration) and CLUSTERDOWN (a failover under way) pass
// within a moment; the request is routed again, while its deadline allows.
void ClusterRouter::retry_later(RequestPtr request, RedisReply reply) {
  const auto delay = std::min(std::chrono::milliseconds(10) * (int64_t{1} << std::min(request->retries, 5)),
                              std::chrono::milliseconds(200));
  if (Clock::now() + delay >= request->deadline) return request->completion->complete({}, std::move(reply));
  ++request->retries;
  retry_counter(reply.is_error("CLUSTERDOWN")).inc();
  const uint64_t id = next_id_++;
  auto timer = std::make_unique<asio::steady_timer>(strand_, delay);
  timer->async_wait([self = shared_from_this(), id](error_code ec) {
    if (ec) return;
    auto it = self->retrying_.find(id);
    if (it == self->retrying_.end()) return;
    RequestPtr request = std::move(it->second.second);
    self->retrying_.erase(it);
    self->route(std::move(request));
  });
  retrying_.emplace(id, std::make_pair(std::move(timer), std::move(request)));
}

// Before the first map, requests wait for the refresh under way, as a single client's wait for its first
// connection; with none under way (every seed failed, the next try not yet due) they fail at once.
void ClusterRouter::wait_for_map(RequestPtr request) {
  if (!refreshing_) return request->completion->complete(RedisError::not_connected, {});
  waiting_.push_back(std::move(request));
  if (watchdog_armed_) return;
  watchdog_armed_ = true;
  watchdog_.expires_at(waiting_.front()->deadline);
  watchdog_.async_wait([self = shared_from_this()](error_code ec) {
    self->watchdog_armed_ = false;
    if (!ec) self->on_watchdog();
  });
}

void ClusterRouter::on_watchdog() {
  const auto now = Clock::now();
  std::deque<RequestPtr> still;
  for (RequestPtr& r : waiting_) {
    if (r->deadline <= now)
      r->completion->complete(RedisError::timeout, {});
    else
      still.push_back(std::move(r));
  }
  waiting_ = std::move(still);
  if (waiting_.empty() || closed_) return;
  auto next = waiting_.front()->deadline;
  for (const RequestPtr& r : waiting_)
    next = std::min(next, r->deadline);
  watchdog_armed_ = true;
  watchdog_.expires_at(next);
  watchdog_.async_wait([self = shared_from_this()](error_code ec) {
    self->watchdog_armed_ = false;
    if (!ec) self->on_watchdog();
  });
}

// ---- Shutdown

void ClusterRouter::do_close() {
  if (closed_) return;
  closed_ = true;
  refresh_timer_.cancel();
  watchdog_.cancel();
  for (RequestPtr& r : std::exchange(waiting_, {}))
    r->completion->complete(RedisError::closed, {});
  for (auto& [id, retry] : std::exchange(retrying_, {})) {
    retry.first->cancel();
    retry.second->completion->complete(RedisError::closed, {});
  }
  for (auto& [id, retired] : std::exchange(retiring_, {})) {
    retired.first->cancel();
    retired.second->connection->close();
  }
  // Requests in flight on a node complete with `closed` as its connection goes.
  for (auto& [name, node] : std::exchange(nodes_, {}))
    node->connection->close();
  owner_.fill(nullptr);
  masters_.clear();
  publish_state();
}

}  // namespace hookd::store::detail
