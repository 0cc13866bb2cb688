"""What every port and lane shares: 64-bit arithmetic, the seeded mixer, the split of a workload
into tasks, the injected fault and what a task reports (crate/src/workloads/mod.rs)."""

import time
from collections import namedtuple

M64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
# A workload whose tasks build one value in shared state, as the lanes reach it: reset(segment)
# before a run, counted() after it, and exact(spec, lane), whether no timing can change the count.
SharedState = namedtuple("SharedState", "reset counted exact")

# What a task's advance(budget) returns: (WORKING, None), (WAIT, milliseconds), (DONE, partial), or
# (BLOCKED, lock) when a lock it needs is held: the lane waits for it to be let go, then asks again.
WORKING, WAIT, DONE, BLOCKED = 0, 1, 2, 3


def now_ms():
    # perf_counter is system-wide on Linux, macOS and Windows: the processes lane compares a
    # child's readings with the parent's.
    return time.perf_counter() * 1000.0


def mix(a, b):
    """SplitMix64's finaliser over two words (crate/src/workloads/mod.rs mix)."""
    z = (a ^ (b * 0x9E3779B97F4A7C15)) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def split(total, tasks, index):
    """The [lo, hi) share of 0..total that task index of tasks covers."""
    return total * index // tasks, total * (index + 1) // tasks


def fold(partials):
    """A lane's checksum: the wrapping sum of its tasks' partials, whatever order they came in."""
    total = 0
    for partial in partials:
        total = (total + partial) & M64
    return total


def faulty_task(spec):
    """The task an injected fault hits: seeded, so every lane (and the browser) picks the same."""
    if spec["fault"] == "none":
        return None
    return mix(spec["seed"], 0xFA17) % spec["tasks"]
