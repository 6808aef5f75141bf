// hookctl: the operator's command line over hookd's admin API (deliveries, attempts, replays).
//
//   hookctl [--url URL] [--token TOKEN] [--json] COMMAND ...
//
// HOOKD_URL (default http://127.0.0.1:8080) and HOOKD_TOKEN (an environment's API token) supply the defaults.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hookctl_api.h"

namespace hookctl {

namespace {

constexpr const char* kUsage = R"(hookctl: inspect and replay hookd deliveries

usage: hookctl [--url URL] [--token TOKEN] [--json] COMMAND [OPTIONS]

commands:
  webhooks                              list the environment's webhook endpoints
  webhook disable ID [--reason TEXT]    disable an endpoint: its events wait as paused deliveries
  webhook enable ID [--replay] [--since TIME] [--dry-run]
                                        enable it; --replay also sends what was paused while it was disabled
                                        and replays what failed since TIME (default: since it was disabled)
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

}  // namespace

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "hookctl: %s\n\n%s", message.c_str(), kUsage);
  std::exit(2);
}

namespace {

Args parse_args(int argc, char** argv) {
  static const char* kWithValue[] = {"--url",   "--token",  "--webhook", "--event-id",
                                     "--limit", "--status", "--event",   "--since",
                                     "--until", "--rate",   "--account", "--reason"};
  static const char* kFlags[] = {"--json",       "--dry-run", "--all", "--environment",           "--help",
                                 "--from-kafka", "--wait",    "-h",    "--include-new-endpoints", "--replay"};
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

// webhook enable|disable ID: POST /webhook/{id}/enable or /disable.
int cmd_webhook(const Args& a) {
  if (a.positional.size() != 3 || (a.positional[1] != "enable" && a.positional[1] != "disable"))
    usage_error("webhook needs enable or disable and an endpoint id");
  const bool enable = a.positional[1] == "enable";
  hookd::json::ObjectBuilder body;
  if (enable) {
    if (a.flags.count("replay")) body.set("replay", true);
    if (a.flags.count("dry-run")) body.set("dry_run", true);
    if (auto it = a.options.find("since"); it != a.options.end()) body.set("since", it->second);
  } else if (auto it = a.options.find("reason"); it != a.options.end()) {
    body.set("reason", it->second);
  }
  Value v = expect_ok(call(a, bhttp::verb::post, "/webhook/" + a.positional[2] + "/" + a.positional[1],
                           hookd::json::dump(std::move(body).build())));
  if (a.json) {
    std::printf("%s\n", hookd::json::dump_pretty(v).c_str());
    return 0;
  }
  if (!enable) {
    std::printf("%s disabled: %s\n", text(v.get("id")).c_str(), text(v.get("disabled_reason")).c_str());
    return 0;
  }
  bool dry = v.get("dry_run").bool_or(false);
  std::printf("%s %s\n", text(v.get("webhook").get("id")).c_str(), dry ? "would be enabled" : "enabled");
  if (v.get("replay").bool_or(false))
    std::printf("paused %s, resumed %s, replayed %s failed since %s, skipped %s, not recorded %s\n",
                text(v.get("paused")).c_str(), text(v.get("resumed")).c_str(),
                text(v.get("replayed")).c_str(), text(v.get("since")).c_str(), text(v.get("skipped")).c_str(),
                text(v.get("paused_dropped")).c_str());
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

}  // namespace
}  // namespace hookctl

using namespace hookctl;

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
  if (cmd == "webhook") return cmd_webhook(a);
  if (cmd == "deliveries") return cmd_deliveries(a);
  if (cmd == "show") return cmd_show(a);
  if (cmd == "replay") return cmd_replay(a);
  if (cmd == "catalog") return cmd_catalog_import(a);
  usage_error("unknown command " + cmd);
}
