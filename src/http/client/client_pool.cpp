#include <algorithm>
#include <iterator>
#include <limits>

#include <openssl/ssl.h>

#include "http/client/client.h"
#include "http/client/connection.h"
#include "http/client/resolve.h"

namespace hookd::http {
namespace {

using Clock = std::chrono::steady_clock;

void set_error(ClientResult& result, ClientErrorKind kind, std::string message) {
  result.error = kind;
  result.error_message = std::move(message);
}

Error invalid_config(std::string message) {
  return make_error(ClientErrc::invalid_config, std::move(message));
}

Error invalid_header(std::string message) {
  return make_error(ClientErrc::invalid_header, std::move(message));
}

// RFC 9110 token characters: anything else in a name, or CR/LF/NUL in a value, would let a header smuggle a
// second header or request onto the wire.
bool is_token(std::string_view s) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool safe_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

hookd::Status check_headers(const ClientHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (!is_token(name)) return invalid_header("header name '" + name + "' is not a valid token");
    if (!safe_value(value)) return invalid_header("header '" + name + "' has CR, LF or NUL in its value");
    for (std::string_view framing : {"host", "content-length", "transfer-encoding", "connection", "upgrade",
                                     "te", "keep-alive", "trailer"}) {
      if (beast::iequals(name, framing)) return invalid_header("header '" + name + "' is set by the client");
    }
  }
  return {};
}

bhttp::request<bhttp::string_body> build_request(ClientRequest& request, const Url& url,
                                                 const ClientOptions& options) {
  bhttp::request<bhttp::string_body> message{request.method, url.target, 11};
  message.set(bhttp::field::host, url.host_header());
  bool has_user_agent = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const auto& h) { return beast::iequals(h.first, "user-agent"); });
  if (!has_user_agent) message.set(bhttp::field::user_agent, options.user_agent);
  for (const auto& [name, value] : request.headers)
    message.insert(name, value);
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

}  // namespace

std::string_view to_string(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::none:
      return "none";
    case ClientErrorKind::invalid_request:
      return "invalid_request";
    case ClientErrorKind::dns:
      return "dns";
    case ClientErrorKind::ssrf_blocked:
      return "ssrf_blocked";
    case ClientErrorKind::connect:
      return "connect";
    case ClientErrorKind::tls:
      return "tls";
    case ClientErrorKind::timeout:
      return "timeout";
    case ClientErrorKind::protocol:
      return "protocol";
    case ClientErrorKind::too_large:
      return "too_large";
  }
  return "unknown";
}

std::optional<std::string_view> ClientResult::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (beast::iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

ClientPool::ClientPool(asio::any_io_executor executor, ClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(asio::ssl::context::tls_client) {}

ClientPool::~ClientPool() = default;

Result<std::shared_ptr<ClientPool>> ClientPool::create(asio::any_io_executor executor,
                                                       ClientOptions options) {
  using namespace std::chrono_literals;
  if (options.resolve_timeout <= 0ms || options.connect_timeout <= 0ms ||
      options.tls_handshake_timeout <= 0ms || options.request_timeout <= 0ms || options.idle_timeout <= 0ms)
    return invalid_config("client: every timeout must be positive");
  if (options.max_response_bytes == 0 || options.max_header_bytes == 0 ||
      options.max_header_bytes > std::numeric_limits<std::uint32_t>::max())
    return invalid_config(
        "client: max_response_bytes and max_header_bytes must be positive (header at most 4 GiB)");
  if (!safe_value(options.user_agent)) return invalid_config("client: user_agent has CR, LF or NUL");
  std::shared_ptr<ClientPool> pool(new ClientPool(std::move(executor), std::move(options)));
  SSL_CTX_set_min_proto_version(pool->tls_.native_handle(), TLS1_2_VERSION);
  error_code ec;
  pool->tls_.set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ec) pool->tls_.set_default_verify_paths(ec);
  if (ec) return invalid_config("client: cannot load the system CA store: " + ec.message());
  if (!pool->options_.extra_ca_file.empty()) {
    pool->tls_.load_verify_file(pool->options_.extra_ca_file, ec);
    if (ec)
      return invalid_config("client: cannot load CA file '" + pool->options_.extra_ca_file +
                            "': " + ec.message());
  }
  return pool;
}

awaitable<ClientResult> ClientPool::send(ClientRequest request) {
  auto self = shared_from_this();
  // Each request's I/O runs on its own strand: see "Thread model" in client.h.
  co_return co_await asio::co_spawn(asio::make_strand(executor_), self->do_send(std::move(request)),
                                    use_awaitable);
}

awaitable<ClientResult> ClientPool::do_send(ClientRequest request) {
  const auto start = Clock::now();
  ClientResult result;
  auto finish = [&]() {
    result.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return std::move(result);
  };

  auto parsed = parse_url(request.url);
  if (!parsed.ok()) {
    set_error(result, ClientErrorKind::invalid_request, "invalid URL: " + parsed.error().message);
    co_return finish();
  }
  Url url = std::move(parsed).value();
  if (auto verdict = options_.ssrf.check_url(url); !verdict) {
    set_error(result, ClientErrorKind::ssrf_blocked, verdict.reason);
    co_return finish();
  }
  if (auto headers_ok = check_headers(request.headers); !headers_ok.ok()) {
    set_error(result, ClientErrorKind::invalid_request, headers_ok.error().message);
    co_return finish();
  }
  const auto message = build_request(request, url, options_);

  if (auto pooled = take_idle(url.origin())) {
    result.remote_endpoint = pooled->remote_endpoint();
    auto outcome = co_await pooled->exchange(message, options_, result);
    if (outcome != ClientConnection::Outcome::stale) {
      result.reused_connection = true;
      ++reused_;
      if (outcome == ClientConnection::Outcome::complete) put_idle(std::move(pooled));
      co_return finish();
    }
    // The server closed the idle connection under us before answering: one retry on a fresh connection.
    ++retries_;
    result = ClientResult{};
    result.retried = true;
  }

  auto connection = co_await open(url, result);
  if (!connection) co_return finish();
  if (co_await connection->exchange(message, options_, result) == ClientConnection::Outcome::complete)
    put_idle(std::move(connection));
  co_return finish();
}

awaitable<std::unique_ptr<ClientConnection>> ClientPool::open(const Url& url, ClientResult& result) {
  Resolved resolved = co_await resolve_host(url, options_);
  if (resolved.error != ClientErrorKind::none) {
    set_error(result, resolved.error, resolved.message);
    co_return nullptr;
  }
  if (auto verdict = options_.ssrf.check_resolved(url, resolved.addresses); !verdict) {
    // The addresses a name resolves to are the operator's business (internal DNS): the owner of the endpoint
    // learns that the target is not allowed, the operator's log says why.
    set_error(result, ClientErrorKind::ssrf_blocked,
              "host '" + url.host + "' resolves to an address deliveries may not reach");
    result.error_detail = verdict.reason;
    co_return nullptr;
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& address : resolved.addresses)
    endpoints.emplace_back(address, url.port);

  auto connection =
      std::make_unique<ClientConnection>(executor_, url.https() ? &tls_ : nullptr, url.origin());
  if (!co_await connection->connect(url, endpoints, options_, result)) co_return nullptr;
  ++opened_;
  co_return connection;
}

std::unique_ptr<ClientConnection> ClientPool::take_idle(const std::string& origin) {
  while (true) {
    std::unique_ptr<ClientConnection> candidate;
    std::vector<Idle> expired;
    {
      std::lock_guard lock(mutex_);
      auto it = idle_.find(origin);
      if (it == idle_.end()) return nullptr;
      auto& list = it->second;
      const auto now = Clock::now();
      // Oldest first: everything idle for too long is at the front.
      auto keep = std::find_if(list.begin(), list.end(),
                               [&](const Idle& i) { return now - i.since <= options_.idle_timeout; });
      std::move(list.begin(), keep, std::back_inserter(expired));
      list.erase(list.begin(), keep);
      if (!list.empty()) {
        candidate = std::move(list.back().connection);
        list.pop_back();
      }
      idle_count_ -= expired.size() + (candidate ? 1 : 0);
      if (list.empty()) idle_.erase(it);
    }
    // `expired` closes its connections here, outside the lock.
    if (!candidate) return nullptr;
    if (candidate->looks_alive()) return candidate;
  }
}

void ClientPool::put_idle(std::unique_ptr<ClientConnection> connection) {
  if (!connection->reusable() || options_.max_idle_per_origin == 0 || options_.max_idle_total == 0) return;
  std::vector<Idle> evicted;
  {
    std::lock_guard lock(mutex_);
    // Sweep every origin, so connections to origins no longer used do not linger past idle_timeout.
    const auto now = Clock::now();
    for (auto& [key, other] : idle_) {
      auto keep = std::find_if(other.begin(), other.end(),
                               [&](const Idle& i) { return now - i.since <= options_.idle_timeout; });
      idle_count_ -= static_cast<std::size_t>(keep - other.begin());
      std::move(other.begin(), keep, std::back_inserter(evicted));
      other.erase(other.begin(), keep);
    }
    auto& list = idle_[connection->origin()];
    if (list.size() >= options_.max_idle_per_origin) {
      evicted.push_back(std::move(list.front()));
      list.erase(list.begin());
      --idle_count_;
    }
    if (idle_count_ >= options_.max_idle_total) {
      // Evict the connection idle the longest, wherever it is.
      std::vector<Idle>* oldest = nullptr;
      for (auto& [key, other] : idle_)
        if (!other.empty() && (!oldest || other.front().since < oldest->front().since)) oldest = &other;
      if (oldest) {
        evicted.push_back(std::move(oldest->front()));
        oldest->erase(oldest->begin());
        --idle_count_;
      }
    }
    list.push_back(Idle{std::move(connection), now});
    ++idle_count_;
    std::erase_if(idle_, [](const auto& entry) { return entry.second.empty(); });
  }
}

ClientPool::Stats ClientPool::stats() const {
  Stats s;
  s.connections_opened = opened_.load();
  s.connections_reused = reused_.load();
  s.stale_retries = retries_.load();
  std::lock_guard lock(mutex_);
  s.idle = idle_count_;
  return s;
}

void ClientPool::close_idle() {
  std::unordered_map<std::string, std::vector<Idle>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(idle_);
    idle_count_ = 0;
  }
}

}  // namespace hookd::http
