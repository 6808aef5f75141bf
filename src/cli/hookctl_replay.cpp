// hookctl replay: one delivery, an endpoint's or the environment's deliveries at once, or a replay job
// (POST /replay) followed to its end.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "hookctl_api.h"

namespace hookctl {

namespace {

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

}  // namespace

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

}  // namespace hookctl
