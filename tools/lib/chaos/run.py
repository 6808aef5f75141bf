#!/usr/bin/env python3
"""The chaos run itself (tools/chaos prepares the build, Redis and Kafka, then runs this): starts the ledger sink and
five hookd processes, seeds an integration, runs the ledger sender, kills and restarts processes at random moments,
drains, and prints the verdict (report.py). Exit status 1 when an acknowledged request was lost."""
import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster  # noqa: E402
import faults  # noqa: E402
import report  # noqa: E402
from cluster import now_ms, say  # noqa: E402

OPERATOR_TOKEN = "chaos-operator"
# How long the sender waits for an answer before it records a timeout.
SENDER_TIMEOUT_S = 30
DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def duration_s(text):
    """hookd's duration syntax (500ms, 10s, 2m) in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text.strip())
    if not m:
        raise ValueError(f"not a duration: {text}")
    return float(m.group(1)) * DURATION_UNITS[m.group(2) or "s"]


def documented_defaults(binary):
    """The `(default X)` durations `hookd --help` prints per variable: the bounds follow hookd as built."""
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=False).stdout
    defaults = {}
    for chunk in re.split(r"\n\s*(?=HOOKD_[A-Z_]+)", help_text):
        name = re.match(r"\s*(HOOKD_[A-Z_]+)", chunk)
        value = re.search(r"\(default (\d+(?:\.\d+)?(?:ms|s|m|h))\b", chunk)
        if name and value:
            defaults[name.group(1)] = value.group(1)
    return defaults


def recovery_bounds(binary):
    """The quiet time the drain waits for, from hookd's documented bounds as this run configures them: a claimed
    delivery's lease, plus the longest attempt, plus the consumer session timeout, plus the first two retry delays
    with their jitter (an attempt lost with its dispatcher, or with Redis, is made again after these at the latest).
    Variables not set for the run take hookd's defaults (its --help; if it names none, the README's)."""
    defaults = {"HOOKD_LEASE": "60s", "HOOKD_DELIVERY_TIMEOUT": "10s", "HOOKD_CONNECT_TIMEOUT": "5s",
                "HOOKD_KAFKA_SESSION_TIMEOUT": "6s", "HOOKD_RETRY_SCHEDULE": "5s,30s"}
    defaults.update(documented_defaults(binary))
    env = {**defaults, **{k: v for k, v in os.environ.items() if k.startswith("HOOKD_")}}
    lease = duration_s(env["HOOKD_LEASE"])
    attempt = duration_s(env["HOOKD_DELIVERY_TIMEOUT"]) + duration_s(env["HOOKD_CONNECT_TIMEOUT"])
    session = duration_s(env["HOOKD_KAFKA_SESSION_TIMEOUT"])
    schedule = [duration_s(s) for s in env["HOOKD_RETRY_SCHEDULE"].split(",")]
    jitter = 1 + float(os.environ.get("HOOKD_RETRY_JITTER", "0.2"))
    retries = sum(schedule[:2]) * jitter
    parts = {"lease": lease, "attempt": attempt, "session": session, "two retries": retries}
    return lease + attempt + session + retries, parts


def free_ports(count, start=18300):
    ports, port = [], start
    while len(ports) < count and port < start + 500:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    if len(ports) < count:
        raise RuntimeError(f"no {count} free ports from {start}")
    return ports


def api(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def integration(repo):
    """tools/bench-ingest's Shopify integration (signature over the raw body, a transform that makes a normalized
    record:created out of an order): the marker, the order id, reaches the customer as payload.record.id."""
    with open(os.path.join(repo, "tools/lib/chaos/integration.json"), encoding="utf-8") as f:
        return json.load(f)


def seed(admin_url, repo, sink_url, accounts):
    env = api(admin_url, OPERATOR_TOKEN, "POST", "/environment", {"name": "chaos"})
    token = api(admin_url, OPERATOR_TOKEN, "POST", f"/environment/{env['id']}/api-token", {"name": "chaos"})["token"]
    api(admin_url, OPERATOR_TOKEN, "POST", "/integration", integration(repo))
    install = api(admin_url, token, "POST", "/environment-integration", {"integration_id": "shopify-chaos"})
    seeded = []
    for n in range(accounts):
        secret = "shpss_chaos_" + os.urandom(9).hex()
        account = api(admin_url, token, "POST", "/integrated-account", {
            "tenant_id": f"shop-{n}", "environment_integration_id": install["id"], "authentication_method": "api_key",
            "context": {"webhook_secret": secret}})
        seeded.append({"path": f"/integrated-account-webhook/{account['id']}", "secret": secret})
    webhook = api(admin_url, token, "POST", "/webhook", {"target_url": sink_url + "/ledger"})
    return {"accounts": seeded, "webhook_id": webhook["id"]}


class Chaos:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.run_dir = args.run_dir
        self.lib_dir = os.path.dirname(os.path.abspath(__file__))
        self.faults = []
        self.load = []
        self.load_started = now_ms()
        ports = free_ports(6)
        self.sink = cluster.Sink(self.lib_dir, ports[0], os.path.join(self.run_dir, "delivered.tsv"), self.run_dir,
                                 args.sink_fail)
        base_env = dict(os.environ)
        base_env.update({
            "HOOKD_REDIS_URL": args.redis_url, "HOOKD_KAFKA_BROKERS": args.kafka_brokers,
            "HOOKD_KAFKA_TOPIC": args.topic, "HOOKD_OPERATOR_TOKEN": OPERATOR_TOKEN,
            "HOOKD_ALLOW_TARGETS": "127.0.0.1", "HOOKD_THREADS": os.environ.get("HOOKD_THREADS", "1"),
            "HOOKD_LOG_LEVEL": os.environ.get("HOOKD_LOG_LEVEL", "info")})
        binary = self.binary = os.path.join(args.build_dir, "src/app/hookd")
        make = lambda name, port, roles, extra: cluster.Hookd(  # noqa: E731
            name, binary, port, roles, base_env, extra, self.run_dir)
        self.admin = make("admin", ports[1], "admin", {})
        self.ingest = [make(f"ingest-{i}", ports[1 + i], "ingest", {}) for i in (1, 2)]
        # Static membership: each dispatcher keeps its own instance id across restarts, and gets its partitions
        # back at once instead of after its old session expires.
        self.dispatch = [
            make(f"dispatch-{i}", ports[3 + i], "dispatch", {"HOOKD_KAFKA_GROUP_INSTANCE_ID": f"chaos-dispatch-{i}"})
            for i in (1, 2)]
        self.redis = cluster.Service("redis", args.tools_dir, args.state_dir, self.run_dir)
        self.kafka = cluster.Service("kafka", args.tools_dir, args.state_dir, self.run_dir)
        self.sender = None
        self.session_s = duration_s(os.environ.get("HOOKD_KAFKA_SESSION_TIMEOUT", "6s"))

    def hookds(self):
        return [self.admin, *self.ingest, *self.dispatch]

    def start(self):
        self.sink.start()
        self.wait(lambda: self.sink.stats() is not None, 10, "the ledger sink did not start")
        for h in self.hookds():
            h.start()
        for h in self.hookds():
            if h.wait_ready(120) is None:
                raise RuntimeError(f"{h.name} did not become ready; see {h.log_path}")
        seeded = seed(self.admin.url, self.args.repo, self.sink.url, self.args.accounts)
        say(f"seeded {self.args.accounts} accounts, endpoint {seeded['webhook_id']} -> {self.sink.url}/ledger")
        config = {
            "targets": [h.url for h in self.ingest], "accounts": seeded["accounts"], "rate": self.args.rate,
            "concurrency": self.args.concurrency or self.args.rate * SENDER_TIMEOUT_S,
            "timeout_s": SENDER_TIMEOUT_S, "ledger": os.path.join(self.run_dir, "sent.tsv"),
            "body_file": os.path.join(self.args.repo, "bench/data/shopify_order.json"),
            # Shopify-like order ids, unique to this run: the marker. 14 digits at most: JSONata's $string keeps 15
            # significant digits of a number, and the transform makes the record id with it.
            "marker_base": (now_ms() // 1000 % 100_000_000) * 1_000_000}
        config_path = os.path.join(self.run_dir, "sender.json")
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        self.sender = cluster.Sender(self.lib_dir, config_path, self.run_dir)

    @staticmethod
    def wait(condition, timeout_s, message):
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(message)
            time.sleep(0.1)

    def sample_load(self):
        with open("/proc/loadavg", encoding="ascii") as f:
            self.load.append(float(f.read().split()[0]))

    def run(self):
        started = now_ms()
        self.sender.start()
        self.wait(lambda: (self.sink.stats() or {}).get("deliveries", 0) > 0, 60,
                  "nothing was delivered in the first 60 s; see the logs in " + self.run_dir)
        say(f"deliveries flowing; faults for {self.args.duration} s, seed {self.args.seed}")
        end = started + self.args.duration * 1000
        kinds = faults.Rotation(self.args.kinds, self.rng)
        # Load keeps going after the last fault so that its recovery is seen.
        tail_ms = max(20_000, self.args.gap * 1000)
        self.sleep_until(now_ms() + 5000)
        # Both dispatchers must have partitions with events on them, or killing one would show nothing.
        shares = {d.name: d.metric("hookd_dispatch_events_finished_total") for d in self.dispatch}
        say("events consumed so far: " + ", ".join(f"{k} {v if v is None else int(v)}" for k, v in shares.items()))
        while True:
            gap_ms = int(self.rng.uniform(0.5, 1.5) * self.args.gap * 1000)
            if now_ms() + gap_ms + tail_ms > end:
                break
            self.sleep_until(now_ms() + gap_ms)
            kind = kinds.next()
            fault = faults.inflict(kind, self, self.rng)
            say(f"fault {len(self.faults) + 1}: {kind} {fault['target']} at +{(fault['at_ms'] - started) / 1000:.1f}"
                f" s, back after {(fault.get('back_ms') or 0) / 1000:.1f} s {fault.get('note', '')}")
            self.faults.append(fault)
        self.sleep_until(end)
        self.sender.stop(40)
        stopped = now_ms()
        say(f"sending stopped after {(stopped - started) / 1000:.0f} s; draining")
        quiet_s = self.drain(stopped)
        self.write_info(started, stopped, quiet_s)

    def sleep_until(self, at_ms):
        while now_ms() < at_ms:
            time.sleep(min(1.0, (at_ms - now_ms()) / 1000))
            if len(self.load) * 10_000 < now_ms() - self.load_started:
                self.sample_load()

    def drain(self, stopped_ms):
        bound, parts = recovery_bounds(self.binary)
        quiet_s = self.args.quiet or bound
        if quiet_s < bound:
            say(f"WARNING: --quiet {quiet_s:.0f} s is shorter than hookd's recovery bounds ({bound:.0f} s): "
                "a delivery still to come may be counted as lost (for trying the tool out, not for a verdict)")
        say("drain: waiting until no delivery arrived for %.0f s (%s)" % (
            quiet_s, ", ".join(f"{k} {v:.0f} s" for k, v in parts.items()) if not self.args.quiet else "--quiet"))
        deadline = stopped_ms + self.args.max_drain * 1000
        shown = 0
        while now_ms() < deadline:
            stats = self.sink.stats() or {}
            last = max(stats.get("last_ms", 0), stopped_ms)
            if now_ms() - last > quiet_s * 1000:
                say(f"drained: {stats.get('deliveries')} deliveries, the last {(last - stopped_ms) / 1000:.1f} s after "
                    "sending stopped")
                return quiet_s
            if now_ms() - shown > 15_000:
                shown = now_ms()
                say(f"  ... {stats.get('deliveries')} deliveries, last one {(now_ms() - last) / 1000:.0f} s ago")
            time.sleep(1)
        say(f"WARNING: deliveries still arriving {self.args.max_drain} s after sending stopped; judging now")
        return quiet_s

    def write_info(self, started, stopped, quiet_s):
        load = f"{min(self.load):.2f}-{max(self.load):.2f}, mean {sum(self.load) / len(self.load):.2f}" \
            if self.load else "-"
        info = {"seed": self.args.seed, "duration_s": self.args.duration, "rate": self.args.rate,
                "gap_s": self.args.gap, "kinds": self.args.kinds, "quiet_s": round(quiet_s),
                "sink_fail_percent": self.args.sink_fail,
                "started_ms": started, "sending_stopped_ms": stopped, "load": load}
        with open(os.path.join(self.run_dir, "run.json"), "w", encoding="utf-8") as f:
            json.dump(info, f)
        with open(os.path.join(self.run_dir, "faults.json"), "w", encoding="utf-8") as f:
            json.dump(self.faults, f, indent=1)

    def stop(self):
        if self.sender:
            self.sender.stop(40)
        for h in self.hookds():
            h.stop(30)
        self.sink.stop(10)


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("--repo", "--tools-dir", "--build-dir", "--state-dir", "--run-dir", "--redis-url",
                 "--kafka-brokers", "--topic"):
        p.add_argument(name, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--duration", type=int, default=300)
    p.add_argument("--gap", type=float, default=20)
    p.add_argument("--rate", type=int, default=200)
    # Requests in flight at most; 0: the rate times the sender's timeout, so that the sender never holds back while
    # hookd takes its time (15 s for a 503 with the broker down): a "first 2xx after the fault" that waited for the
    # sender's own slots would measure the sender.
    p.add_argument("--concurrency", type=int, default=0)
    p.add_argument("--kinds", type=lambda s: s.split(","), default=faults.KINDS)
    p.add_argument("--quiet", type=float, default=0)
    p.add_argument("--max-drain", type=int, default=900)
    p.add_argument("--sink-fail", type=float, default=0.0)
    # Kafka's key is the account: 24 of them spread over the 6 partitions, so both dispatchers have work.
    p.add_argument("--accounts", type=int, default=24)
    args = p.parse_args()
    unknown = set(args.kinds) - set(faults.KINDS)
    if unknown:
        p.error(f"unknown fault kinds {sorted(unknown)}; known: {','.join(faults.KINDS)}")
    return args


def main():
    args = parse_args()
    chaos = Chaos(args)
    try:
        chaos.start()
        chaos.run()
    finally:
        chaos.stop()
    run = report.Run(args.run_dir)
    with open(os.path.join(args.run_dir, "report.txt"), "w", encoding="utf-8") as out:
        report.print_report(run, out)
    return 0 if report.print_report(run) else 1


if __name__ == "__main__":
    sys.exit(main())
