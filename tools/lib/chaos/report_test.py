#!/usr/bin/env python3
"""Tests of the chaos run's verdict (report.py) on made-up ledgers: what counts as lost, duplicated, mismatched, and
how recovery after a fault is measured. Run by ctest (tests/infra, label lint) and by hand: python3 report_test.py"""
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

T0 = 1_000_000


def write_run(directory, sent, delivered, faults, stopped_ms=T0 + 60_000):
    with open(os.path.join(directory, "sent.tsv"), "w", encoding="utf-8") as f:
        for row in sent:
            f.write("\t".join(str(x) for x in row) + "\n")
    with open(os.path.join(directory, "delivered.tsv"), "w", encoding="utf-8") as f:
        for row in delivered:
            f.write("\t".join(str(x) for x in row) + "\n")
    with open(os.path.join(directory, "faults.json"), "w", encoding="utf-8") as f:
        json.dump(faults, f)
    with open(os.path.join(directory, "run.json"), "w", encoding="utf-8") as f:
        json.dump({"seed": 1, "duration_s": 60, "rate": 1, "gap_s": 10, "kinds": ["dispatch"], "quiet_s": 127,
                   "started_ms": T0, "sending_stopped_ms": stopped_ms, "load": "-"}, f)


def acked(marker, at, event):
    return (marker, "127.0.0.1:1", at - 5, at, "ack", 200, event)


def delivery(marker, at, event, attempt=1, status=200):
    return (at, marker, event, event, "d-" + marker, attempt, status)


class ReportTest(unittest.TestCase):
    def run_of(self, sent, delivered, faults=(), **kw):
        self.dir = tempfile.TemporaryDirectory()
        write_run(self.dir.name, sent, delivered, list(faults), **kw)
        return report.Run(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def test_every_acknowledged_request_delivered_passes(self):
        run = self.run_of([acked("m1", T0 + 100, "e1"), acked("m2", T0 + 200, "e2")],
                          [delivery("m1", T0 + 101, "e1"), delivery("m2", T0 + 202, "e2")])
        self.assertEqual(run.counts()["lost"], 0)
        self.assertTrue(report.print_report(run, io.StringIO()))

    def test_an_acknowledged_request_never_delivered_is_lost(self):
        run = self.run_of([acked("m1", T0 + 100, "e1"), acked("m2", T0 + 200, "e2")],
                          [delivery("m1", T0 + 101, "e1")])
        self.assertEqual([s.marker for s in run.lost()], ["m2"])
        self.assertFalse(report.print_report(run, io.StringIO()))

    def test_a_delivery_the_sink_refused_is_not_a_delivery(self):
        run = self.run_of([acked("m1", T0 + 100, "e1")], [delivery("m1", T0 + 101, "e1", status=503)])
        self.assertEqual(run.counts()["lost"], 1)
        self.assertEqual(run.sink_refused, 1)

    def test_refused_requests_may_be_delivered_or_not(self):
        refused = ("m2", "127.0.0.1:1", T0, T0 + 5000, "refused", 503, "-")
        error = ("m3", "127.0.0.1:1", T0, T0 + 1, "error", "ConnectionResetError", "-")
        run = self.run_of([acked("m1", T0 + 100, "e1"), refused, error],
                          [delivery("m1", T0 + 101, "e1"), delivery("m3", T0 + 50, "e3")])
        c = run.counts()
        self.assertEqual((c["lost"], c["refused"], c["errors"], c["delivered_not_acknowledged"]), (0, 1, 1, 1))

    def test_duplicates_count_deliveries_beyond_the_first(self):
        run = self.run_of([acked("m1", T0 + 100, "e1"), acked("m2", T0 + 200, "e2")],
                          [delivery("m1", T0 + 101, "e1"), delivery("m1", T0 + 60_000, "e1", attempt=2),
                           delivery("m1", T0 + 61_000, "e1", attempt=3), delivery("m2", T0 + 201, "e2")])
        c = run.counts()
        self.assertEqual((c["duplicates"], c["requests_duplicated"], c["deliveries"]), (2, 1, 4))
        self.assertAlmostEqual(c["duplicate_share"], 0.5)

    def test_two_event_ids_for_one_request_fail_the_run(self):
        run = self.run_of([acked("m1", T0 + 100, "e1")],
                          [delivery("m1", T0 + 101, "e1"), delivery("m1", T0 + 900, "e9")])
        self.assertEqual(run.counts()["id_mismatches"], 1)
        self.assertFalse(report.print_report(run, io.StringIO()))

    def test_a_delivered_id_other_than_the_acknowledged_one_fails_the_run(self):
        run = self.run_of([acked("m1", T0 + 100, "e1")], [delivery("m1", T0 + 101, "e2")])
        self.assertEqual(run.counts()["id_mismatches"], 1)

    def test_recovery_after_a_fault(self):
        fault = {"kind": "dispatch", "target": "dispatch-1", "at_ms": T0 + 10_000, "back_ms": 4000}
        sent = [acked("before", T0 + 9_000, "e0"),  # in flight at the fault, held up 12 s
                acked("a", T0 + 10_500, "ea"),  # delivered at once by the other dispatcher
                acked("b", T0 + 11_000, "eb"),  # on the dead one's partition: 9 s late
                acked("c", T0 + 30_000, "ec")]
        delivered = [delivery("before", T0 + 21_000, "e0"), delivery("a", T0 + 10_600, "ea"),
                     delivery("b", T0 + 20_000, "eb"), delivery("c", T0 + 30_001, "ec")]
        run = self.run_of(sent, delivered, [fault])
        r = run.recovery(fault, T0 + 60_000)
        self.assertEqual(r["first_delivery_ms"], 600)
        self.assertEqual(r["first_ack_ms"], 500)
        self.assertEqual(r["stalled"], 2)
        self.assertEqual(r["flowing_ms"], 11_000)
        self.assertEqual(r["resumed_ms"], 10_000)
        self.assertEqual(r["worst_delay_ms"], 12_000)
        self.assertIn("attempt 1 of delivery d-before", r["worst"])

    def test_a_request_acknowledged_just_before_the_next_fault_counts_for_that_one(self):
        first = {"kind": "ingest", "target": "ingest-1", "at_ms": T0 + 10_000, "back_ms": 3000}
        second = {"kind": "redis", "target": "redis", "at_ms": T0 + 20_000, "back_ms": 3000}
        run = self.run_of([acked("a", T0 + 19_990, "ea"), acked("b", T0 + 12_000, "eb")],
                          [delivery("a", T0 + 26_000, "ea"), delivery("b", T0 + 12_001, "eb")], [first, second])
        self.assertEqual(run.recovery(first, second["at_ms"])["stalled"], 0)
        self.assertEqual(run.recovery(first, second["at_ms"])["worst_delay_ms"], 1)
        self.assertEqual(run.recovery(second, T0 + 60_000)["stalled"], 1)
        self.assertEqual(run.recovery(second, T0 + 60_000)["flowing_ms"], 6000)

    def test_a_request_held_up_past_the_next_fault_counts_for_its_own(self):
        first = {"kind": "dispatch-long", "target": "dispatch-1", "at_ms": T0 + 10_000, "back_ms": 30_000}
        second = {"kind": "dispatch", "target": "dispatch-2", "at_ms": T0 + 60_000, "back_ms": 3000}
        run = self.run_of([acked("a", T0 + 10_010, "ea")], [delivery("a", T0 + 70_000, "ea")], [first, second])
        self.assertEqual(run.recovery(first, second["at_ms"])["worst_delay_ms"], 59_990)
        self.assertEqual(run.recovery(second, T0 + 90_000)["stalled"], 0)

    def test_no_stall_means_flowing_as_soon_as_the_first_delivery(self):
        fault = {"kind": "ingest", "target": "ingest-1", "at_ms": T0 + 10_000, "back_ms": 3000}
        run = self.run_of([acked("a", T0 + 10_200, "ea")], [delivery("a", T0 + 10_201, "ea")], [fault])
        r = run.recovery(fault, T0 + 60_000)
        self.assertEqual((r["stalled"], r["flowing_ms"], r["first_delivery_ms"]), (0, 201, 201))


if __name__ == "__main__":
    unittest.main()
