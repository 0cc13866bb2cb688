"""The workloads' ports, by name. Adding a workload's port is its module here and its line in
PORTS. A port is called as port(spec, index, data), data being the share buffer (empty for the
other workloads), and returns task index of spec: an object whose advance(budget) does at most
budget units of work and returns (WORKING, None), (WAIT, milliseconds) or (DONE, partial)."""

from ..common import faulty_task
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
}


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
