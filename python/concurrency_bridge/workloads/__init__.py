"""The workloads' ports, by name. Adding a workload's port is its module here and its line in
PORTS. A port is called as port(spec, index, data), data being the share buffer (empty for the
other workloads), and returns task index of spec: an object whose advance(budget) does at most
budget units of work and returns (WORKING, None), (WAIT, milliseconds), (BLOCKED, lock) or
(DONE, partial). A workload whose tasks build one value in shared state has its line in SHARED
too."""

from ..common import faulty_task
from .counter import COUNTER_STATE, start_counter
from .hash import start_hash
from .io import start_io, start_mixed
from .mandelbrot import start_mandelbrot
from .primes import start_primes
from .share import start_share

PORTS = {
    "primes": start_primes,
    "mandelbrot": start_mandelbrot,
    "hash": start_hash,
    "io": start_io,
    "mixed": start_mixed,
    "share": start_share,
    "counter": start_counter,
}

# Workloads whose tasks build one value in shared state: the module that resets it before a run
# and reads it after (crate: Kernel::before_run, shared_result).
SHARED = {"counter": COUNTER_STATE}


def before_run(spec, segment=None):
    """Resets the run's shared state, in segment where processes share one."""
    shared = SHARED.get(spec["workload"])
    if shared is not None:
        shared.reset(segment)


def with_shared(out, spec, counted=None, local_counts=None):
    """A lane's result with what its tasks built in shared state, as the browser reports it: the
    count against what the finished tasks meant (counted: this interpreter's, unless given), and
    a checksum only where no timing could change the count."""
    shared = SHARED.get(spec["workload"])
    if shared is None or (not out["ok"] and "tasksDone" not in out):
        return out
    counted = shared.counted() if counted is None else counted
    expected = spec["size"] * out.get("tasksDone", spec["tasks"])
    out["counter"] = {"expected": expected, "counted": counted, "lostUpdates": max(0, expected - counted)}
    if local_counts:
        out["counter"]["localCounts"] = local_counts
    out["checksum"] = str(counted) if out["ok"] and shared.exact(spec, out["lane"]) else ""
    return out


def start_task(spec, index, data):
    """Task index of spec; the task an injected fault picks fails here, as the crate's run_task
    fails it (crate/src/lanes/mod.rs)."""
    if faulty_task(spec) == index:
        if spec["fault"] == "oom-one-task":
            raise MemoryError(f"task {index} ran out of memory (injected fault)")
        raise RuntimeError(f"task {index} panicked (injected fault)")
    port = PORTS.get(spec["workload"])
    if port is None:
        raise ValueError(f"workload: unknown {spec['workload']!r}")
    return port(spec, index, data)
