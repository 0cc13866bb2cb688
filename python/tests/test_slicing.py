"""A task's partial does not depend on how its work is sliced: the lanes advance tasks SLICE units
at a time, the async lane yieldEvery at a time, and every lane must reach the same checksum."""

import unittest

from concurrency_bridge._constants import SLICE
from concurrency_bridge.common import DONE, WAIT, WORKING
from concurrency_bridge.workloads import PORTS, start_task
from concurrency_bridge.workloads.share import share_buffer

from .support import make_spec, run_to_end

SPECS = [
    make_spec("primes", 20_000, 3),
    make_spec("mandelbrot", 24, 5),
    make_spec("hash", 40, 3),
    make_spec("io", 4, jitterMs=30),
    make_spec("mixed", 3, cpuRounds=50),
    make_spec("share", 1, 3),
    make_spec("counter", 50, 3, sync="partial"),
]


class Slicing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = share_buffer(1, 1)

    def test_every_port_is_tested(self):
        self.assertEqual(sorted(s["workload"] for s in SPECS), sorted(PORTS))

    def test_small_budgets_give_the_partial_of_one_go(self):
        for spec in SPECS:
            data = self.data if spec["workload"] == "share" else b""
            for index in range(spec["tasks"]):
                whole = run_to_end(spec, index, data)
                for budget in (1, 3, 100, SLICE):
                    with self.subTest(workload=spec["workload"], index=index, budget=budget):
                        self.assertEqual(run_to_end(spec, index, data, budget), whole)

    def test_a_task_does_no_more_than_its_budget(self):
        # A budget of 1 unit: a task needs as many calls as it has units, give or take its wait.
        spec = make_spec("hash", 10, 1)
        task = start_task(spec, 0, b"")
        states = [task.advance(1)[0] for _ in range(10)]
        self.assertEqual(states, [WORKING] * 9 + [DONE])

    def test_a_request_waits_once_before_any_work(self):
        task = start_task(make_spec("io", 2, latencyMs=7), 1, b"")
        self.assertEqual(task.advance(SLICE), (WAIT, 7))
        self.assertEqual(task.advance(SLICE)[0], DONE)


if __name__ == "__main__":
    unittest.main()
