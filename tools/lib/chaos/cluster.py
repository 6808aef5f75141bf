"""The processes of a chaos run: hookd roles (started, killed and restarted here), Redis and Kafka (through
tools/redis and tools/kafka, killed by the pid in their pidfiles), the ledger sink and sender."""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request


def now_ms():
    return time.time_ns() // 1_000_000


def say(message):
    print(f"tools/chaos: {message}", flush=True)


def http_get(url, timeout=2.0):
    """(status, body) of GET url; (0, error text) when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (OSError, urllib.error.URLError) as e:
        return 0, str(e)


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pid, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


class Child:
    """A process of ours with its output appended to a log file, stopped by its pid only."""

    def __init__(self, name, argv, log_path, env=None):
        self.name, self.argv, self.log_path, self.env = name, argv, log_path, env
        self.proc = None

    def start(self):
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {self.name} started at {now_ms()} ===\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, grace_s=20):
        """SIGTERM, then SIGKILL after grace_s. Returns the exit status (None if it was not running)."""
        if not self.running():
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            say(f"{self.name} ignored SIGTERM for {grace_s}s; sending SIGKILL")
            self.proc.kill()
            return self.proc.wait()


class Hookd(Child):
    """One hookd process with fixed roles, port and environment, so that a restart is the same instance."""

    def __init__(self, name, binary, port, roles, base_env, extra_env, log_dir):
        env = dict(base_env)
        env.update(extra_env)
        env.update({"HOOKD_ROLES": roles, "HOOKD_LISTEN": f"127.0.0.1:{port}"})
        super().__init__(name, [binary], os.path.join(log_dir, f"{name}.log"), env)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout_s):
        """Ms from now until /readyz answers 200 (None on timeout or exit); a dispatcher: until it has partitions."""
        started = now_ms()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running():
                return None
            if http_get(self.url + "/readyz", 1.0)[0] == 200:
                return now_ms() - started
            time.sleep(0.05)
        return None

    def metric(self, name):
        """Sum of the samples of metric `name` (any labels) in /metrics, or None if hookd did not answer."""
        status, text = http_get(self.url + "/metrics", 2.0)
        if status != 200:
            return None
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and line[len(name) : len(name) + 1] in (" ", "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total


class Service:
    """Redis or Kafka as tools/redis and tools/kafka run them, under the run's HOOKD_STATE_DIR."""

    def __init__(self, name, tools_dir, state_dir, log_dir):
        self.name = name
        self.tool = os.path.join(tools_dir, name)
        self.pidfile = os.path.join(state_dir, name, f"{name}.pid")
        self.log_path = os.path.join(log_dir, f"{name}-restarts.log")

    def pid(self):
        try:
            with open(self.pidfile, encoding="ascii") as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        return pid if alive(pid) else None

    def kill9(self):
        pid = self.pid()
        if pid is None:
            raise RuntimeError(f"{self.name} is not running (no live pid in {self.pidfile})")
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)

    def start_again(self):
        """`tools/redis restart` (same port, data from its AOF) or `tools/kafka start` (same port, its log kept).
        Returns the ms it took, or raises with the tool's output."""
        started = now_ms()
        command = "restart" if self.name == "redis" else "start"
        with open(self.log_path, "ab") as log:
            result = subprocess.run([self.tool, command], stdout=log, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"tools/{self.name} {command} failed (exit {result.returncode}); see {self.log_path}")
        return now_ms() - started


class Sink(Child):
    def __init__(self, lib_dir, port, ledger, log_dir, fail_percent=0.0):
        argv = ["python3", os.path.join(lib_dir, "sink.py"), "--port", str(port), "--ledger", ledger,
                "--fail-percent", str(fail_percent)]
        super().__init__("sink", argv, os.path.join(log_dir, "sink.log"))
        self.url = f"http://127.0.0.1:{port}"

    def stats(self):
        status, body = http_get(self.url + "/stats", 2.0)
        return json.loads(body) if status == 200 else None


class Sender(Child):
    def __init__(self, lib_dir, config_path, log_dir):
        argv = ["python3", os.path.join(lib_dir, "sender.py"), "--config", config_path]
        super().__init__("sender", argv, os.path.join(log_dir, "sender.log"))
