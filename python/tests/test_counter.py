"""The counter's port and CPython's own behaviour with a shared counter: what the README's table
reports, measured on the Python that runs the tests."""

import json
import sys
import threading
import unittest

from concurrency_bridge.report import gil_enabled
from concurrency_bridge.workloads import counter

from .support import make_spec, run_to_end
from .test_cli import bridge, run_json

SYNCS = ("none", "lock", "atomic", "partial")


def counter_spec(sync, size, tasks, step_ms=0, **fields):
    return make_spec("counter", size, tasks, sync=sync, stepMs=step_ms, **fields)


def lanes_of(spec, chunk=1):
    status, out, err = bridge(["-"], run_json(spec, chunk))
    assert status == 0, err
    return {r["lane"]: r for r in json.loads(out)["results"]}


class Port(unittest.TestCase):
    def test_one_task_after_another_every_variant_counts_every_update(self):
        for sync in SYNCS:
            for step in (0, 0.001):
                spec = counter_spec(sync, 300, 3, step)
                counter.counter_reset()
                partials = [run_to_end(spec, i, budget=7) for i in range(3)]
                self.assertEqual(partials, [300] * 3, sync)
                self.assertEqual(counter.counter_counted(), 900, (sync, step))

    def test_exact_only_where_no_timing_can_change_the_count(self):
        self.assertTrue(all(counter.counter_exact(counter_spec(s, 1, 1), "threads") for s in SYNCS[1:]))
        self.assertFalse(counter.counter_exact(counter_spec("none", 1, 1), "threads"))
        self.assertTrue(counter.counter_exact(counter_spec("none", 1, 1), "gil"))
        self.assertFalse(counter.counter_exact(counter_spec("none", 1, 1, 1), "async"))


class EveryLane(unittest.TestCase):
    def test_a_lock_an_atomic_add_or_counts_summed_once_count_every_update(self):
        for sync in SYNCS[1:]:
            with self.subTest(sync=sync):
                for lane, r in lanes_of(counter_spec(sync, 2000, 6, workers=3)).items():
                    self.assertTrue(r["ok"], (lane, r.get("error")))
                    self.assertEqual(r["counter"]["counted"], 12_000, (sync, lane))
                    self.assertEqual(r["checksum"], "12000", (sync, lane))

    def test_unsynchronised_processes_count_in_their_own_memory(self):
        by = lanes_of(counter_spec("none", 1000, 4))
        self.assertEqual(by["processes"]["counter"]["counted"], 0)
        self.assertEqual(sum(by["processes"]["counter"]["localCounts"]), 4000)
        self.assertEqual(by["processes"]["checksum"], "")
        self.assertEqual(by["sequential"]["checksum"], "4000")
        self.assertEqual(by["async"]["counter"]["lostUpdates"], 0)

    def test_a_wait_between_read_and_write_loses_updates_in_threads_and_coroutines(self):
        by = lanes_of(counter_spec("none", 20, 4, 1, lanes=["gil", "async"]))
        threads = "gil" if gil_enabled() else "threads"
        for lane in (threads, "async"):
            self.assertGreater(by[lane]["counter"]["lostUpdates"], 0, lane)
            self.assertEqual(by[lane]["checksum"], "", lane)
        by = lanes_of(counter_spec("lock", 20, 4, 1))
        for lane in ("sequential", threads, "processes", "async"):
            self.assertEqual(by[lane]["counter"]["counted"], 80, lane)


def race(body, n, threads=2):
    """Updates lost when threads each run body(n) on one shared counter."""
    box = [0]
    workers = [threading.Thread(target=body, args=(box, n)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return threads * n - box[0]


def bare(box, n):
    for _ in range(n):
        box[0] += 1


def nothing():
    pass


def call_between(box, n):
    for _ in range(n):
        seen = box[0]
        nothing()
        box[0] = seen + 1


@unittest.skipUnless(gil_enabled() and sys.version_info >= (3, 10), "CPython 3.10+ with the GIL")
class CPythonItself(unittest.TestCase):
    """What the gil lane models, checked on this Python: since 3.10 a thread switches only at a
    function's entry, a loop's back edge or a call, so nothing can come between the read and the
    write of a bare `counter += 1`; a call between them is a place to switch."""

    def setUp(self):
        self.interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)

    def tearDown(self):
        sys.setswitchinterval(self.interval)

    def test_a_bare_counter_plus_one_loses_nothing(self):
        self.assertEqual([race(bare, 300_000) for _ in range(3)], [0, 0, 0])

    def test_a_call_between_the_read_and_the_write_loses_updates(self):
        self.assertGreater(race(call_between, 300_000), 0)
