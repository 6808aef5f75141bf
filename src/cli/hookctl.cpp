// hookctl: the operator's command line over hookd's admin API (deliveries, attempts, replays).
//
//   hookctl [--url URL] [--token TOKEN] [--json] COMMAND ...
//
// HOOKD_URL (default http://127.0.0.1:8080) and HOOKD_TOKEN (an environment's API token) supply the defaults.
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "core/asio.h"
#include "hookd/json.h"

namespace {

using hookd::json::Value;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr const char* kUsage = R"(hookctl: inspect and replay hookd deliveries

usage: hookctl [--url URL] [--token TOKEN] [--json] COMMAND [OPTIONS]

commands:
  webhooks                              list the environment's webhook endpoints
  deliveries [FILTERS] [--webhook ID | --event-id ID] [--limit N] [--all]
                                        list deliveries, newest first (--all: every page)
  show DELIVERY_ID                      one delivery with its attempts
  replay DELIVERY_ID [--dry-run]        send one delivery again, now (same event id): a failed or succeeded
                                        one starts a new round of attempts, a retrying one skips its wait
  replay --webhook ID [FILTERS] [--dry-run]
                                        replay an endpoint's deliveries (default --status failed)
  replay --environment [FILTERS] [--dry-run]
                                        replay across the environment (default --status failed)
      any of these makes the replay a job (POST /replay) and prints its id:
      --rate N                          at most N items a second (default: hookd's HOOKD_REPLAY_DEFAULT_RATE)
      --from-kafka --since T --until T  read the events of [T, T) back from Kafka: replays their deliveries,
                                        and creates those whose Redis copies expired
      --include-new-endpoints           with --from-kafka: endpoints created after the event get it too
      --account ID                      only events of this integrated account
      --wait                            follow the job to its end, with a progress bar on stderr
  replay status JOB_ID [--wait]         a replay job's progress
  replay cancel JOB_ID                  stop a running replay job
  replay jobs                           the environment's replay jobs, newest first
  catalog import PATH...                add or update catalog integrations from JSON files or folders of
                                        them (hookd's integrations/ folder: one vendor per file); needs the
                                        operator token

filters:
  --status pending|retrying|succeeded|failed   --event TYPE   --account ID (replay jobs)
  --since TIME   --until TIME    (ISO 8601 with a zone, e.g. 2026-11-26T09:00:00Z, or unix milliseconds)

environment:
  HOOKD_URL     base URL of hookd's admin API (default http://127.0.0.1:8080)
  HOOKD_TOKEN   the environment's API token, or the operator token for catalog (Authorization: Bearer)

exit status: 0 ok, 1 the API answered an error, 2 usage error, 3 could not reach hookd,
             4 replay did nothing (nothing matched, the delivery is pending or in flight; a dry run: nothing would be)
             5 the replay job was cancelled or failed (--wait, replay status --wait)
)";

constexpr int kExitNothingDone = 4;

struct Args {
  std::string url = std::getenv("HOOKD_URL") ? std::getenv("HOOKD_URL") : "http://127.0.0.1:8080";
  std::string token = std::getenv("HOOKD_TOKEN") ? std::getenv("HOOKD_TOKEN") : "";
  bool json = false;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name value
  std::map<std::string, bool> flags;           // --name
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "hookctl: %s\n\n%s", message.c_str(), kUsage);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  static const char* kWithValue[] = {"--url",   "--token", "--webhook", "--event-id", "--limit",  "--status",
                                     "--event", "--since", "--until",   "--rate",     "--account"};
  static const char* kFlags[] = {"--json",       "--dry-run", "--all", "--environment",          "--help",
                                 "--from-kafka", "--wait",    "-h",    "--include-new-endpoints"};
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool known = false;
    for (const char* f : kWithValue) {
      if (arg == f) {
        if (i + 1 >= argc) usage_error(arg + " needs a value");
        a.options[arg.substr(2)] = argv[++i];
        known = true;
      }
    }
    for (const char* f : kFlags) {
      if (arg == f) {
        a.flags[arg.substr(arg.find_first_not_of('-'))] = true;
        known = true;
      }
    }
    if (known) continue;
    if (arg.size() > 1 && arg[0] == '-') usage_error("unknown option " + arg);
    a.positional.push_back(arg);
  }
  if (a.options.count("url")) a.url = a.options["url"];
  if (a.options.count("token")) a.token = a.options["token"];
  a.json = a.flags.count("json") > 0;
  return a;
}

struct Response {
  int status = 0;
  std::string body;
};

// One request to the admin API; exits 3 if hookd cannot be reached.
Response call(const Args& a, bhttp::verb method, const std::string& target, const std::string& body = {}) {
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

int cmd_webhooks(const Args& a) {
  // An environment has few endpoints: list them all, page after page.
  std::vector<Value> all;
  std::string cursor;
  do {
    Value page = expect_ok(call(
        a, bhttp::verb::get, "/webhook?limit=500" + (cursor.empty() ? std::string() : "&cursor=" + cursor)));
    for (const auto& w : page.get("result").as_array())
      all.push_back(w);
    cursor = std::string(page.get("next_cursor").string_or(""));
  } while (!cursor.empty());
  if (a.json) {
    std::printf("%s\n", hookd::json::dump_pretty(Value::array(all)).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : all) {
    std::string types;
    for (const auto& t : w.get("event_types").as_array())
      types += (types.empty() ? "" : ",") + text(t);
    rows.push_back({text(w.get("id")), w.get("is_active").bool_or(false) ? "active" : "disabled",
                    types.empty() ? "*" : types, text(w.get("target_url"))});
  }
  print_table({"ID", "STATE", "EVENTS", "TARGET"}, rows);
  return 0;
}

std::vector<std::string> delivery_row(const Value& d) {
  return {text(d.get("id")),
          text(d.get("status")),
          text(d.get("event")),
          text(d.get("attempt_count")),
          text(d.get("last_status_code")),
          text(d.get("created_at")),
          text(d.get("webhook_id")),
          text(d.get("last_error"))};
}

int cmd_deliveries(const Args& a) {
  std::string base;
  if (a.options.count("webhook"))
    base = "/webhook/" + a.options.at("webhook") + "/deliveries";
  else
    base = "/delivery";
  std::string q = query(a, {"status", "event", "since", "until", "limit", "event-id"});
  std::vector<Value> all;
  std::string cursor;
  do {
    std::string target = base + q;
    if (!cursor.empty()) target += (q.empty() ? "?" : "&") + std::string("cursor=") + cursor;
    Value page = expect_ok(call(a, bhttp::verb::get, target));
    for (const auto& d : page.get("result").as_array())
      all.push_back(d);
    cursor = std::string(page.get("next_cursor").string_or(""));
  } while (a.flags.count("all") && !cursor.empty());
  if (a.json) {
    std::printf("%s\n", hookd::json::dump_pretty(Value::array(all)).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : all)
    rows.push_back(delivery_row(d));
  print_table({"ID", "STATUS", "EVENT", "ATTEMPTS", "LAST", "CREATED", "WEBHOOK", "ERROR"}, rows);
  if (!cursor.empty() && !a.flags.count("all")) std::printf("(more: --all)\n");
  return 0;
}

int cmd_show(const Args& a) {
  if (a.positional.size() != 2) usage_error("show needs a delivery id");
  Value d = expect_ok(call(a, bhttp::verb::get, "/delivery/" + a.positional[1]));
  if (a.json) {
    std::printf("%s\n", hookd::json::dump_pretty(d).c_str());
    return 0;
  }
  print_table({"ID", "STATUS", "EVENT", "ATTEMPTS", "LAST", "CREATED", "WEBHOOK", "ERROR"},
              {delivery_row(d)});
  std::printf("\nevent id: %s   replays: %s   next attempt: %s\n\n", text(d.get("event_id")).c_str(),
              text(d.get("replays")).c_str(), text(d.get("next_attempt_at")).c_str());
  std::vector<std::vector<std::string>> rows;
  for (const auto& at : d.get("attempts").as_array())
    rows.push_back({text(at.get("attempt")), text(at.get("started_at")), text(at.get("status_code")),
                    text(at.get("latency_ms")) + " ms", at.get("replay").bool_or(false) ? "yes" : "no",
                    text(at.get("error"))});
  print_table({"ATTEMPT", "STARTED", "STATUS", "LATENCY", "REPLAY", "ERROR"}, rows);
  return 0;
}

constexpr int kExitJobStopped = 5;

std::string count(const Value& v) {
  return v.is_number() ? std::to_string(static_cast<long long>(v.as_number())) : "0";
}

std::string skipped_text(const Value& job) {
  std::string out;
  for (const auto& m : job.get("skipped").members())
    out += (out.empty() ? "" : ", ") + std::string(m.name()) + " " + count(m.value);
  return out.empty() ? "none" : out;
}

// One line of progress: "[#######.......] 12/20  replayed 11  skipped 1  running".
std::string progress_line(const Value& job) {
  double selected = job.get("selected").number_or(0), processed = job.get("processed").number_or(0);
  bool kafka = job.get("source").string_or("") == "kafka";
  std::string bar;
  if (!kafka && selected > 0) {
    int filled = static_cast<int>(30 * std::min(1.0, processed / selected));
    bar = "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] ";
  }
  std::string line = bar + count(job.get("processed")) + "/" + count(job.get("selected"));
  line += "  replayed " + count(job.get("replayed")) + "  skipped " + count(job.get("skipped_total"));
  if (kafka) line += "  scanned " + count(job.get("scanned"));
  return line + "  " + text(job.get("state"));
}

int job_exit(const Value& job) {
  std::string state = text(job.get("state"));
  if (state == "cancelled" || state == "failed") return kExitJobStopped;
  return job.get("replayed").number_or(0) > 0 ? 0 : kExitNothingDone;
}

void print_job(const Value& job) {
  std::printf("replay job %s: %s\n", text(job.get("id")).c_str(), text(job.get("state")).c_str());
  std::printf("  scope %s  source %s  rate %s/s\n", text(job.get("scope")).c_str(),
              text(job.get("source")).c_str(), text(job.get("rate_per_second")).c_str());
  std::printf("  replayed %s of %s (created %s; skipped: %s)\n", count(job.get("replayed")).c_str(),
              count(job.get("selected")).c_str(), count(job.get("created")).c_str(),
              skipped_text(job).c_str());
  if (job.get("source").string_or("") == "kafka")
    std::printf("  kafka records scanned %s\n", count(job.get("scanned")).c_str());
  if (job.get("error").is_string()) std::printf("  error: %s\n", text(job.get("error")).c_str());
}

// Polls the job until it finishes: a bar redrawn in place on a terminal, a line per change otherwise.
Value follow_job(const Args& a, const std::string& id) {
  bool tty = isatty(STDERR_FILENO);
  std::string last;
  for (;;) {
    Value job = expect_ok(call(a, bhttp::verb::get, "/replay/" + id));
    std::string line = progress_line(job);
    if (tty)
      std::fprintf(stderr, "\r%-90s", line.c_str());
    else if (line != last)
      std::fprintf(stderr, "%s\n", line.c_str());
    last = line;
    std::string state = text(job.get("state"));
    if (state != "queued" && state != "running") {
      if (tty) std::fprintf(stderr, "\n");
      return job;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int show_job(const Args& a, const Value& job) {
  if (a.json)
    std::printf("%s\n", hookd::json::dump_pretty(job).c_str());
  else
    print_job(job);
  return job_exit(job);
}

// replay status|cancel JOB_ID, replay jobs.
int cmd_replay_job_command(const Args& a) {
  const std::string& what = a.positional[1];
  if (what == "jobs") {
    Value page = expect_ok(call(a, bhttp::verb::get, "/replay" + query(a, {"limit"})));
    if (a.json) {
      std::printf("%s\n", hookd::json::dump_pretty(page.get("result")).c_str());
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& j : page.get("result").as_array())
      rows.push_back({text(j.get("id")), text(j.get("state")), text(j.get("scope")), text(j.get("source")),
                      count(j.get("replayed")) + "/" + count(j.get("selected")), text(j.get("created_at"))});
    print_table({"ID", "STATE", "SCOPE", "SOURCE", "REPLAYED", "CREATED"}, rows);
    return 0;
  }
  if (a.positional.size() != 3) usage_error("replay " + what + " needs a job id");
  const std::string& id = a.positional[2];
  if (what == "cancel") {
    expect_ok(call(a, bhttp::verb::post, "/replay/" + id + "/cancel"));
    if (!a.json) std::printf("cancel requested for replay job %s\n", id.c_str());
  }
  Value job =
      a.flags.count("wait") ? follow_job(a, id) : expect_ok(call(a, bhttp::verb::get, "/replay/" + id));
  int rc = show_job(a, job);
  return what == "cancel" && !a.flags.count("wait") ? 0 : rc;  // the cancel was asked for: that is the result
}

// A replay through POST /replay (a job): scope from the same arguments as the older form.
int cmd_replay_job(const Args& a) {
  hookd::json::ObjectBuilder body, filters;
  if (a.positional.size() == 2)
    body.set("scope", "delivery").set("delivery_id", a.positional[1]);
  else if (a.options.count("webhook"))
    body.set("scope", "webhook").set("webhook_id", a.options.at("webhook"));
  else if (a.flags.count("environment"))
    body.set("scope", "environment");
  else
    usage_error("replay needs a delivery id, --webhook ID or --environment");
  for (auto [option, field] : {std::pair{"status", "status"},
                               {"event", "event_type"},
                               {"account", "integrated_account_id"},
                               {"since", "since"},
                               {"until", "until"}})
    if (auto it = a.options.find(option); it != a.options.end()) filters.set(field, it->second);
  body.set("filters", std::move(filters).build());
  if (auto it = a.options.find("rate"); it != a.options.end()) {
    char* end = nullptr;
    double rate = std::strtod(it->second.c_str(), &end);
    if (!end || *end || !(rate > 0)) usage_error("--rate needs a number above 0");
    body.set("rate_per_second", rate);
  }
  if (a.flags.count("from-kafka")) {
    if (!a.options.count("since") || !a.options.count("until"))
      usage_error("--from-kafka needs --since and --until");
    body.set("source", "kafka");
  }
  if (a.flags.count("include-new-endpoints")) body.set("include_new_endpoints", true);
  bool dry = a.flags.count("dry-run") > 0;
  if (dry) body.set("dry_run", true);
  Value job = expect_ok(call(a, bhttp::verb::post, "/replay", hookd::json::dump(std::move(body).build())));
  if (dry) {
    if (a.json)
      std::printf("%s\n", hookd::json::dump_pretty(job).c_str());
    else
      std::printf("dry run: would replay %s\n", count(job.get("selected")).c_str());
    return job.get("selected").number_or(0) > 0 ? 0 : kExitNothingDone;
  }
  std::string id = text(job.get("id"));
  if (!a.flags.count("wait")) {
    if (!a.json)
      std::printf("replay job %s queued (follow it: hookctl replay status %s --wait)\n", id.c_str(),
                  id.c_str());
    if (a.json) std::printf("%s\n", hookd::json::dump_pretty(job).c_str());
    return 0;
  }
  return show_job(a, follow_job(a, id));
}

int cmd_replay(const Args& a) {
  if (a.positional.size() >= 2 &&
      (a.positional[1] == "status" || a.positional[1] == "cancel" || a.positional[1] == "jobs"))
    return cmd_replay_job_command(a);
  for (const char* job_option : {"rate", "account"})
    if (a.options.count(job_option)) return cmd_replay_job(a);
  for (const char* job_flag : {"from-kafka", "wait", "include-new-endpoints"})
    if (a.flags.count(job_flag)) return cmd_replay_job(a);
  hookd::json::ObjectBuilder body;
  if (a.flags.count("dry-run")) body.set("dry_run", true);
  for (const char* f : {"status", "event", "since", "until"})
    if (auto it = a.options.find(f); it != a.options.end()) body.set(f, it->second);
  std::string payload = hookd::json::dump(std::move(body).build());
  Value v;
  if (a.positional.size() == 2) {
    v = expect_ok(call(a, bhttp::verb::post, "/delivery/" + a.positional[1] + "/replay", payload));
  } else if (a.options.count("webhook")) {
    v = expect_ok(call(a, bhttp::verb::post, "/webhook/" + a.options.at("webhook") + "/replay", payload));
  } else if (a.flags.count("environment")) {
    v = expect_ok(call(a, bhttp::verb::post, "/delivery/replay", payload));
  } else {
    usage_error("replay needs a delivery id, --webhook ID or --environment");
  }
  bool dry = v.get("dry_run").bool_or(false);
  // A command that did nothing says so in its status too, so that scripts cannot mistake it for a replay.
  const Value& acted = dry ? v.get("matched") : v.get("replayed");
  int rc = acted.is_number() && acted.as_number() > 0 ? 0 : kExitNothingDone;
  if (a.json) {
    std::printf("%s\n", hookd::json::dump_pretty(v).c_str());
    return rc;
  }
  std::printf("%s%s of %s matching deliveries%s\n", dry ? "dry run: would replay " : "replayed ",
              text(acted).c_str(), text(v.get("matched")).c_str(),
              v.contains("reason") ? (" (" + text(v.get("reason")) + ")").c_str() : "");
  for (const auto& id : v.get("delivery_ids").as_array())
    std::printf("  %s\n", text(id).c_str());
  if (rc != 0) std::fprintf(stderr, "hookctl: nothing %s\n", dry ? "would be replayed" : "was replayed");
  return rc;
}

// The catalog files to import: the files named, and the *.json files of the folders named, in name order.
std::vector<std::filesystem::path> catalog_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> in_dir;
      for (const auto& entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".json") in_dir.push_back(entry.path());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      usage_error("no such file or folder: " + p);
    }
  }
  return files;
}

// Adds each file's integration to the catalog, or updates its config when the name exists (the version
// bumps; installs pick it up on their next request). Stops at the first file hookd refuses: the error names
// the file and the config field.
int cmd_catalog_import(const Args& a) {
  if (a.positional.size() < 3 || a.positional[1] != "import")
    usage_error("catalog import needs files or folders");
  auto files = catalog_files({a.positional.begin() + 2, a.positional.end()});
  if (files.empty()) usage_error("no .json files found");
  std::vector<std::vector<std::string>> rows;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    Value entry;
    hookd::json::ParseError err;
    if (!hookd::json::parse(text.str(), entry, &err) || !entry.get("name").is_string() ||
        !entry.get("config").is_object()) {
      std::fprintf(stderr, "hookctl: %s: not a catalog entry (a JSON object with name and config)%s\n",
                   file.c_str(), err.message.empty() ? "" : (": " + err.describe()).c_str());
      return 1;
    }
    std::string name(entry.get("name").as_string());
    hookd::json::ObjectBuilder body;
    body.set("name", name).set("config", entry.get("config"));
    if (entry.get("category").is_string()) body.set("category", entry.get("category"));
    Response created = call(a, bhttp::verb::post, "/integration", hookd::json::dump(std::move(body).build()));
    std::string action = "added";
    if (created.status == 409) {
      hookd::json::ObjectBuilder change;
      change.set("config", entry.get("config"));
      if (entry.get("category").is_string()) change.set("category", entry.get("category"));
      Response updated =
          call(a, bhttp::verb::patch, "/integration/" + name, hookd::json::dump(std::move(change).build()));
      if (updated.status >= 300) std::fprintf(stderr, "hookctl: %s:\n", file.c_str());
      expect_ok(updated);
      action = "updated";
    } else {
      if (created.status >= 300) std::fprintf(stderr, "hookctl: %s:\n", file.c_str());
      expect_ok(created);
    }
    rows.push_back({name, action, file.filename().string()});
  }
  if (a.json) {
    std::vector<Value> out;
    for (const auto& r : rows) {
      hookd::json::ObjectBuilder b;
      b.set("name", r[0]).set("result", r[1]).set("file", r[2]);
      out.push_back(std::move(b).build());
    }
    std::printf("%s\n", hookd::json::dump_pretty(Value::array(std::move(out))).c_str());
    return 0;
  }
  print_table({"INTEGRATION", "RESULT", "FILE"}, rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse_args(argc, argv);
  if (a.flags.count("help") || a.flags.count("h") || a.positional.empty()) {
    std::fputs(kUsage,
               a.positional.empty() && !a.flags.count("help") && !a.flags.count("h") ? stderr : stdout);
    return a.positional.empty() && !a.flags.count("help") && !a.flags.count("h") ? 2 : 0;
  }
  if (a.token.empty()) usage_error("no token: set HOOKD_TOKEN or pass --token");
  const std::string& cmd = a.positional[0];
  if (cmd == "webhooks") return cmd_webhooks(a);
  if (cmd == "deliveries") return cmd_deliveries(a);
  if (cmd == "show") return cmd_show(a);
  if (cmd == "replay") return cmd_replay(a);
  if (cmd == "catalog") return cmd_catalog_import(a);
  usage_error("unknown command " + cmd);
}
