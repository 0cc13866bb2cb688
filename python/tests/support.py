"""What the tests share: specs as the playground normalizes them, and tasks run by hand."""

import math

from concurrency_bridge.common import DONE, fold
from concurrency_bridge.workloads import start_task

# The crate's defaults for every field (crate/src/spec.rs), as the page's normalized spec has them.
DEFAULTS = {
    "workload": "primes",
    "size": 1000,
    "tasks": 1,
    "lanes": ["sequential", "gil", "processes", "async"],
    "workers": 2,
    "latencyMs": 100,
    "jitterMs": 0,
    "gilSwitchMs": 5,
    "yieldEvery": 0,
    "seed": 1,
    "fault": "none",
    "pool": "cold",
    "cpuRounds": 2000,
    "chunk": 0,
    "sync": "none",
    "stepMs": 0,
}


def make_spec(workload, size, tasks=1, **fields):
    """A normalized spec: io and mixed have one task a request, as the crate requires."""
    if workload in ("io", "mixed"):
        tasks = size
    return dict(DEFAULTS, workload=workload, size=size, tasks=tasks, **fields)


def run_to_end(spec, index, data=b"", budget=1 << 40):
    """Task index's partial, advanced budget units at a time; waits are skipped, not waited."""
    task = start_task(spec, index, data)
    while True:
        state, value = task.advance(budget)
        if state == DONE:
            return value


def checksum(spec, data=b"", budget=1 << 40):
    """The sequential checksum of spec, every task run to its end in turn."""
    return fold(run_to_end(spec, index, data, budget) for index in range(spec["tasks"]))


def sieve_count(n):
    """pi(n - 1), the primes below n, by the sieve of Eratosthenes: an answer that owes nothing
    to the port's trial division."""
    if n < 3:
        return 0
    marks = bytearray([1]) * n
    marks[0] = marks[1] = 0
    for p in range(2, math.isqrt(n - 1) + 1):
        if marks[p]:
            marks[p * p :: p] = bytes(len(range(p * p, n, p)))
    return sum(marks)
