#!/usr/bin/env python3
"""The verdict of a chaos run, from what the ledger sender sent, what the ledger sink received and the fault log.

    report.py RUN_DIR     (reads sent.tsv, delivered.tsv, faults.json, run.json; prints the figures)

Exit status 1 when an acknowledged request was never delivered, or one request's deliveries carried more than one
event id (or another id than the one its 2xx answer named); 0 otherwise.
"""
import collections
import json
import os
import sys

# An event delivered later than this after its 2xx was held up (by a fault); below it, deliveries flow normally.
STALL_MS = 2000
# Events acknowledged this long before a fault can still be on their way when it strikes.
BEFORE_FAULT_MS = 5000

Sent = collections.namedtuple("Sent", "marker target sent_ms answered_ms outcome status event_ids")
Delivery = collections.namedtuple("Delivery", "received_ms marker event_id webhook_id delivery_id attempt status")


def read_tsv(path, kind, width):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == width:
                rows.append(kind(*parts))
    return rows


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(q * len(sorted_values) + 0.999999) - 1))
    return sorted_values[i]


def seconds(ms):
    return "-" if ms is None else f"{ms / 1000:.1f}"


class Run:
    def __init__(self, run_dir):
        self.sent = read_tsv(os.path.join(run_dir, "sent.tsv"), Sent, 7)
        received = read_tsv(os.path.join(run_dir, "delivered.tsv"), Delivery, 7)
        # Only what the sink accepted is delivered; a delivery it answered 503 (--sink-fail) is hookd's to retry.
        self.deliveries = [d for d in received if d.status == "200"]
        self.sink_refused = len(received) - len(self.deliveries)
        with open(os.path.join(run_dir, "faults.json"), encoding="utf-8") as f:
            self.faults = json.load(f)
        with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
            self.info = json.load(f)
        self.by_marker = {s.marker: s for s in self.sent}
        self.acked = [s for s in self.sent if s.outcome == "ack"]
        self.acked.sort(key=lambda s: int(s.answered_ms))
        self.per_marker = collections.defaultdict(list)
        for d in self.deliveries:
            self.per_marker[d.marker].append(d)
        self.first = {m: min(int(d.received_ms) for d in ds) for m, ds in self.per_marker.items()}

    # --- the checks -------------------------------------------------------------------------------------------
    def lost(self):
        return [s for s in self.acked if s.marker not in self.per_marker]

    def id_mismatches(self):
        """Requests whose deliveries carried several event ids, or not the one their 2xx answer named."""
        bad = []
        for marker, ds in self.per_marker.items():
            ids = {d.event_id for d in ds} | {d.webhook_id for d in ds}
            sent = self.by_marker.get(marker)
            if len(ids) > 1 or (sent and sent.outcome == "ack" and sent.event_ids not in ("-", *ids)):
                bad.append((marker, sorted(ids), sent.event_ids if sent else "?"))
        return bad

    def counts(self):
        known = [m for m in self.per_marker if m in self.by_marker]
        delivered_known = sum(len(self.per_marker[m]) for m in known)
        duplicates = delivered_known - len(known)
        refused = collections.Counter(s.status for s in self.sent if s.outcome == "refused")
        errors = collections.Counter(s.status for s in self.sent if s.outcome == "error")
        unacked_delivered = sum(1 for m in known if self.by_marker[m].outcome != "ack")
        return {
            "sent": len(self.sent),
            "acknowledged": len(self.acked),
            "refused": sum(refused.values()),
            "refused_by_status": dict(refused),
            "errors": sum(errors.values()),
            "errors_by_reason": dict(errors),
            "deliveries": len(self.deliveries),
            "requests_delivered": len(known),
            "duplicates": duplicates,
            "duplicate_share": duplicates / len(self.deliveries) if self.deliveries else 0.0,
            "requests_duplicated": sum(1 for m in known if len(self.per_marker[m]) > 1),
            "unknown_deliveries": len(self.deliveries) - delivered_known,
            "delivered_not_acknowledged": unacked_delivered,
            "lost": len(self.lost()),
            "id_mismatches": len(self.id_mismatches()),
        }

    def latencies(self):
        """2xx answer -> first delivery, ms, of every acknowledged request that was delivered."""
        return sorted(self.first[s.marker] - int(s.answered_ms) for s in self.acked if s.marker in self.first)

    def cause(self, sent):
        """The fault (its at_ms) that may have held up this acknowledged request: one that struck within 5 s after its
        2xx and before its delivery (it was on its way), else the last one before its 2xx, if delivered after it.
        None when no fault came before its delivery. One fault per request: a request acknowledged just before the
        next fault counts for that one, not for the previous."""
        acked_at, delivered_at = int(sent.answered_ms), self.first[sent.marker]
        on_its_way = min(delivered_at, acked_at + BEFORE_FAULT_MS)
        soon = [f["at_ms"] for f in self.faults if acked_at < f["at_ms"] <= on_its_way]
        if soon:
            return min(soon)
        before = [f["at_ms"] for f in self.faults if f["at_ms"] <= acked_at]
        return max(before) if before and delivered_at > max(before) else None

    def describe(self, sent):
        """Which attempt of which delivery finally brought a held-up request: attempt 1 long after the 2xx means the
        first attempt was never made in time (a lease or a consumer's partitions); a later one, a retry."""
        d = min(self.per_marker[sent.marker], key=lambda d: int(d.received_ms))
        return (f"worst: 2xx at +{(int(sent.answered_ms) - self.info['started_ms']) / 1000:.1f} s, delivered by "
                f"attempt {d.attempt} of delivery {d.delivery_id}")

    def refusal_answer_ms(self):
        return sorted(int(s.answered_ms) - int(s.sent_ms) for s in self.sent if s.outcome == "refused")

    # --- recovery after each fault -------------------------------------------------------------------------------
    def recovery(self, fault, until_ms):
        """How deliveries fared after one fault, up to until_ms (the next fault, or the end of sending)."""
        at = fault["at_ms"]
        after = [s for s in self.acked if at < int(s.answered_ms) < until_ms]
        firsts = [self.first[s.marker] for s in after if s.marker in self.first]
        first_ms = min(firsts) - at if firsts else None
        # The events this fault could hold up (see cause()). Stalled: those it did.
        affected = [s for s in self.acked if s.marker in self.first and self.cause(s) == at]
        delay = lambda s: self.first[s.marker] - int(s.answered_ms)  # noqa: E731
        stalled = [s for s in affected if delay(s) > STALL_MS]
        last_stalled = max((self.first[s.marker] for s in stalled), default=None)
        first_stalled = min((self.first[s.marker] for s in stalled), default=None)
        worst_sent = max(affected, key=delay, default=None)
        worst = delay(worst_sent) if worst_sent else None
        acks_after = [int(s.answered_ms) for s in after]
        not_acked = [
            s for s in self.sent if s.outcome != "ack" and at <= int(s.answered_ms) < until_ms
        ]
        duplicates = 0
        for ds in self.per_marker.values():
            for d in sorted(ds, key=lambda d: int(d.received_ms))[1:]:
                duplicates += at <= int(d.received_ms) < until_ms
        return {
            "first_ack_ms": (min(acks_after) - at) if acks_after else None,
            "first_delivery_ms": first_ms,
            "stalled": len(stalled),
            "resumed_ms": (first_stalled - at) if first_stalled is not None else first_ms,
            "flowing_ms": (last_stalled - at) if last_stalled is not None else first_ms,
            "worst_delay_ms": worst,
            "worst": self.describe(worst_sent) if stalled else "",
            "not_acked": len(not_acked),
            "duplicates": duplicates,
        }


def print_report(run, out=sys.stdout):
    info, c = run.info, run.counts()
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"chaos run: seed {info['seed']}, {info['duration_s']} s of load at {info['rate']}/s, "
      f"faults every ~{info['gap_s']} s ({', '.join(info['kinds'])}), drain quiet {info['quiet_s']} s")
    p(f"load average (1 min): {info.get('load', '-')}")
    p("")
    p(f"  sent                 {c['sent']}")
    p(f"  acknowledged (2xx)   {c['acknowledged']}")
    p(f"  refused              {c['refused']}  {c['refused_by_status'] or ''}")
    p(f"  connection errors    {c['errors']}  {c['errors_by_reason'] or ''}")
    p(f"  deliveries           {c['deliveries']}  ({c['requests_delivered']} requests; "
      f"{c['delivered_not_acknowledged']} of them not acknowledged to the sender, which is allowed)")
    p(f"  duplicates           {c['duplicates']}  ({100 * c['duplicate_share']:.2f} % of deliveries; "
      f"{c['requests_duplicated']} requests delivered more than once)")
    p(f"  lost                 {c['lost']}  (acknowledged, never delivered)")
    p(f"  event id mismatches  {c['id_mismatches']}")
    if run.sink_refused:
        p(f"  refused by the sink  {run.sink_refused}  (--sink-fail: answered 503, not counted as delivered)")
    if c["unknown_deliveries"]:
        p(f"  unknown deliveries   {c['unknown_deliveries']}  (no such request sent)")
    lat = run.latencies()
    if lat:
        p(f"  2xx -> first delivery ms: p50 {percentile(lat, 0.5)}, p99 {percentile(lat, 0.99)}, max {lat[-1]}")
    ref = run.refusal_answer_ms()
    if ref:
        p(f"  refusals answered after ms: p50 {percentile(ref, 0.5)}, p99 {percentile(ref, 0.99)}, max {ref[-1]}")
    p("")
    print_faults(run, p)
    lost = run.lost()
    for s in lost[:20]:
        p(f"  LOST marker {s.marker}: 2xx from {s.target} at {s.answered_ms}, event ids {s.event_ids}")
    for marker, ids, acked in run.id_mismatches()[:20]:
        p(f"  ID MISMATCH marker {marker}: delivered with {ids}, acknowledged as {acked}")
    verdict = "PASS" if not lost and not c["id_mismatches"] else "FAIL"
    p(f"verdict: {verdict} ({c['lost']} lost, {c['id_mismatches']} id mismatches)")
    return verdict == "PASS"


def print_faults(run, p):
    start = run.info["started_ms"]
    p("recovery after each fault, in seconds:")
    p("  back     kill -> the victim running (and ready) again")
    p("  1st 2xx  fault -> the first 2xx answered after it")
    p("  first    fault -> the first delivery of an event acknowledged after it")
    p(f"  resumed  fault -> the first delivery of an event it held up (2xx -> delivery > {STALL_MS / 1000:.0f} s): "
      "the stall ends")
    p("  flowing  fault -> the last delivery of an event it held up (a later pause counts too); stalled: how many")
    p("  worst    the longest 2xx -> delivery of the events acknowledged from 5 s before it to the next fault")
    p("  not2xx   requests answered otherwise or not at all meanwhile; dups: second deliveries meanwhile")
    p(f"  {'at':>6} {'fault':<34} {'back':>6} {'1st 2xx':>7} {'first':>6} {'resumed':>7} {'flowing':>7} {'stalled':>7} "
      f"{'worst':>6} {'not2xx':>6} {'dups':>5}")
    ends = [f["at_ms"] for f in run.faults[1:]] + [run.info["sending_stopped_ms"]]
    for fault, until in zip(run.faults, ends):
        r = run.recovery(fault, until)
        name = f"{fault['kind']} {fault['target']}"
        p(f"  {seconds(fault['at_ms'] - start):>6} {name:<34} {seconds(fault.get('back_ms')):>6} "
          f"{seconds(r['first_ack_ms']):>7} {seconds(r['first_delivery_ms']):>6} {seconds(r['resumed_ms']):>7} "
          f"{seconds(r['flowing_ms']):>7} "
          f"{r['stalled']:>7} {seconds(r['worst_delay_ms']):>6} {r['not_acked']:>6} {r['duplicates']:>5}")
        for note in (fault.get("note"), r["worst"]):
            if note:
                p(f"         {note}")
    p("")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    return 0 if print_report(Run(sys.argv[1])) else 1


if __name__ == "__main__":
    sys.exit(main())
