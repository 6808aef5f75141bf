"""The faults of a chaos run, one at a time. Each kills with SIGKILL (no goodbye: no flush, no commit, no leaving the
group) and brings the victim back as its supervisor would, and returns what happened:
{kind, target, at_ms (the kill), back_ms (kill -> running and ready again), note}."""
import time

from cluster import now_ms

# ingest: one ingest process. dispatch: one dispatcher (static member: its restart takes its partitions back).
# dispatch-long: one dispatcher left down for twice its session timeout + 5 s: the other must take its partitions.
# dispatchers: both, 2-4 s apart, each restarted 1 s after its kill (the "killed in turn").
# redis: redis-server, restarted on its AOF. kafka: the broker's JVM, started again on its log.
KINDS = ["ingest", "dispatch", "dispatch-long", "dispatchers", "redis", "kafka"]

READY_TIMEOUT_S = 180


class Rotation:
    """Every kind once per round, in an order the seeded RNG shuffles: a short run still sees each kind."""

    def __init__(self, kinds, rng):
        self.kinds, self.rng, self.round = list(kinds), rng, []

    def next(self):
        if not self.round:
            self.round = list(self.kinds)
            self.rng.shuffle(self.round)
        return self.round.pop()


def restart_hookd(process):
    """Starts a killed hookd again; ms from start to ready, or None if it never got ready."""
    process.start()
    return process.wait_ready(READY_TIMEOUT_S)


def kill_and_restart(process, rng, down_s=None):
    at = now_ms()
    process.kill9()
    time.sleep(down_s if down_s is not None else rng.uniform(1, 5))
    ready = restart_hookd(process)
    note = "" if ready is not None else "NOT READY after restart"
    if ready is not None:
        note = f"(restarted after {(now_ms() - ready - at) / 1000:.1f} s, ready {ready / 1000:.1f} s later)"
    return {"target": process.name, "at_ms": at, "back_ms": now_ms() - at if ready is not None else None,
            "note": note}


def dispatchers_in_turn(chaos, rng):
    first, second = (chaos.dispatch if rng.random() < 0.5 else list(reversed(chaos.dispatch)))
    at = now_ms()
    first.kill9()
    time.sleep(1)
    first.start()
    time.sleep(max(0.0, rng.uniform(2, 4) - (now_ms() - at) / 1000))
    second_at = now_ms()
    second.kill9()
    time.sleep(1)
    second.start()
    ready = [first.wait_ready(READY_TIMEOUT_S), second.wait_ready(READY_TIMEOUT_S)]
    back = now_ms() - at if None not in ready else None
    return {"target": f"{first.name},{second.name}", "at_ms": at, "back_ms": back,
            "note": f"(second kill {(second_at - at) / 1000:.1f} s after the first)"
            + ("" if back is not None else " NOT READY after restart")}


def service(svc, rng, down_s):
    at = now_ms()
    svc.kill9()
    time.sleep(down_s)
    took = svc.start_again()
    return {"target": svc.name, "at_ms": at, "back_ms": now_ms() - at,
            "note": f"(down {down_s:.1f} s, then tools/{svc.name} took {took / 1000:.1f} s to bring it back)"}


def inflict(kind, chaos, rng):
    if kind == "ingest":
        fault = kill_and_restart(rng.choice(chaos.ingest), rng)
    elif kind == "dispatch":
        fault = kill_and_restart(rng.choice(chaos.dispatch), rng)
    elif kind == "dispatch-long":
        fault = kill_and_restart(rng.choice(chaos.dispatch), rng, down_s=2 * chaos.session_s + 5)
    elif kind == "dispatchers":
        fault = dispatchers_in_turn(chaos, rng)
    elif kind == "redis":
        fault = service(chaos.redis, rng, rng.uniform(1, 5))
    elif kind == "kafka":
        fault = service(chaos.kafka, rng, rng.uniform(1, 3))
    else:
        raise ValueError(kind)
    fault["kind"] = kind
    return fault
