"""Injected faults: the seeded task fails in every lane with the crate's message and kind, and the
processes lane reports it and a checksum over the other tasks, as the browser does."""

import unittest

from concurrency_bridge.common import faulty_task
from concurrency_bridge.lanes.coroutines import lane_async
from concurrency_bridge.lanes.processes import lane_processes
from concurrency_bridge.lanes.sequential import lane_sequential
from concurrency_bridge.lanes.threads import lane_threading
from concurrency_bridge.workloads import start_task

from .support import make_spec, sieve_count

MESSAGES = {
    "panic-one-task": (RuntimeError, "task {} panicked (injected fault)", "panicked"),
    "oom-one-task": (MemoryError, "task {} ran out of memory (injected fault)", "oom"),
}


class FaultyTask(unittest.TestCase):
    def test_none_without_a_fault(self):
        self.assertIsNone(faulty_task(make_spec("primes", 1000, 7)))

    def test_seeded_and_inside_the_run(self):
        for seed in range(50):
            spec = make_spec("primes", 1000, 7, seed=seed, fault="panic-one-task")
            self.assertIn(faulty_task(spec), range(7))
            self.assertEqual(faulty_task(spec), faulty_task(dict(spec, fault="oom-one-task")))
        # tests/python.test.mjs's 8 tasks with seed 1: the browser fails task 0 there too.
        self.assertEqual(faulty_task(make_spec("primes", 100_000, 8, fault="panic-one-task")), 0)

    def test_the_faulty_task_raises_when_it_starts(self):
        for fault, (kind, message, _) in MESSAGES.items():
            spec = make_spec("hash", 10, 5, seed=3, fault=fault)
            bad = faulty_task(spec)
            with self.subTest(fault=fault):
                with self.assertRaises(kind) as caught:
                    start_task(spec, bad, b"")
                self.assertEqual(str(caught.exception), message.format(bad))
                for index in set(range(5)) - {bad}:
                    start_task(spec, index, b"")


class Lanes(unittest.TestCase):
    def test_every_lane_fails_with_the_faults_kind(self):
        for fault, (kind, message, error_kind) in MESSAGES.items():
            spec = make_spec("primes", 5_000, 4, fault=fault)
            expected = f"{kind.__name__}: {message.format(faulty_task(spec))}"
            for lane in (lane_sequential, lane_threading, lane_async):
                with self.subTest(fault=fault, lane=lane.__name__):
                    out = lane(spec, b"", 1)
                    self.assertFalse(out["ok"])
                    self.assertEqual(out["error"], expected)
                    self.assertEqual(out["errorKind"], error_kind)
                    self.assertEqual(out["checksum"], "")

    def test_processes_report_the_failed_task_and_the_others_checksum(self):
        spec = make_spec("primes", 12_000, 3, fault="oom-one-task")
        self.assertEqual(faulty_task(spec), 2)
        out = lane_processes(spec, b"", 2)
        # Task 2 of 3 covers [8000, 12000): the checksum counts the primes below 8000.
        self.assertFalse(out["ok"])
        self.assertEqual(out["failedTasks"], [2])
        self.assertEqual(out["tasksDone"], 2)
        self.assertEqual(out["checksum"], str(sieve_count(8_000)))
        self.assertEqual(out["errorKind"], "oom")
        self.assertEqual(out["chunk"], 2)
        self.assertTrue(out["error"].startswith("1 of 3 tasks failed (task 2: MemoryError: task 2 ran out"))


if __name__ == "__main__":
    unittest.main()
