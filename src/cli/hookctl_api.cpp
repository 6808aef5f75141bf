#include "hookctl_api.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "core/asio.h"

namespace hookctl {

namespace asio = boost::asio;
namespace beast = boost::beast;

// One request to the admin API; exits 3 if hookd cannot be reached.
Response call(const Args& a, bhttp::verb method, const std::string& target, const std::string& body) {
  std::string url = a.url;
  bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0) usage_error("--url must start with http:// or https://");
  std::string rest = url.substr(tls ? 8 : 7);
  std::string base_path;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    base_path = rest.substr(slash);
    rest = rest.substr(0, slash);
    if (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  }
  std::string host = rest, port = tls ? "443" : "80";
  if (size_t colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }

  bhttp::request<bhttp::string_body> req{method, base_path + target, 11};
  req.set(bhttp::field::host, host);
  req.set(bhttp::field::user_agent, "hookctl/0.1");
  if (!a.token.empty()) req.set(bhttp::field::authorization, "Bearer " + a.token);
  if (method == bhttp::verb::post || method == bhttp::verb::patch) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body.empty() ? "{}" : body;
  }
  req.prepare_payload();

  asio::io_context io;
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, ec);
  auto unreachable = [&](const beast::error_code& e) {
    std::fprintf(stderr, "hookctl: cannot reach %s: %s\n", a.url.c_str(), e.message().c_str());
    std::exit(3);
  };
  if (ec) unreachable(ec);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  if (tls) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
    beast::get_lowest_layer(stream).connect(endpoints, ec);
    if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
    if (!ec) bhttp::write(stream, req, ec);
    if (!ec) bhttp::read(stream, buffer, res, ec);
    if (ec) unreachable(ec);
  } else {
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(60));
    stream.connect(endpoints, ec);
    if (!ec) bhttp::write(stream, req, ec);
    if (!ec) bhttp::read(stream, buffer, res, ec);
    if (ec) unreachable(ec);
  }
  return {static_cast<int>(res.result_int()), res.body()};
}

// Parses a JSON answer; on an API error prints it and exits 1.
Value expect_ok(const Response& r) {
  Value v;
  bool is_json = hookd::json::parse(r.body, v);
  if (r.status >= 200 && r.status < 300) return is_json ? v : Value();
  std::string message = is_json ? std::string(v.get("message").string_or(r.body)) : r.body;
  std::string code = is_json ? std::string(v.get("error").string_or("error")) : "error";
  std::fprintf(stderr, "hookctl: %d %s: %s\n", r.status, code.c_str(), message.c_str());
  std::exit(1);
}

std::string text(const Value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_undefined() || v.is_null()) return "-";
  return hookd::json::dump(v);
}

void print_table(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c)
    width[c] = columns[c].size();
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out.append(width[c] - cells[c].size() + 2, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  line(columns);
  for (const auto& row : rows)
    line(row);
}

std::string query(const Args& a, std::initializer_list<const char*> names) {
  std::string q;
  for (const char* n : names) {
    auto it = a.options.find(n);
    if (it == a.options.end()) continue;
    q += q.empty() ? "?" : "&";
    std::string key = n == std::string("event-id") ? "event_id" : n;
    q += key + "=";
    for (char ch : it->second) {
      if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        q.push_back(ch);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(ch));
        q += buf;
      }
    }
  }
  return q;
}

}  // namespace hookctl
