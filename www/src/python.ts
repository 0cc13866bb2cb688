// The Python bridge (issue 14): one self-contained Python 3 script (standard library only, 3.8+)
// that runs a spec's workload under CPython's own concurrency models and prints a report in the
// playground's shape. It ports the kernels of crate/src/workloads exactly (same split, same
// seeds, same arithmetic), so every lane that finishes must print the browser's checksum.
import type { Spec } from './types';
import { chunkSize } from './wasm';

/**
 * Spec's fields in the crate's order (crate/src/spec.rs FIELDS), so the script text does not
 * depend on the order a caller wrote them in. A Record: a field added to the spec must be added here.
 */
const ORDER: Record<keyof Spec, true> = {
  workload: true, size: true, tasks: true, lanes: true, workers: true, latencyMs: true, jitterMs: true,
  gilSwitchMs: true, yieldEvery: true, seed: true, fault: true, pool: true, cpuRounds: true, chunk: true,
};
const FIELDS = Object.keys(ORDER) as (keyof Spec)[];

/** The script that runs `spec` under CPython: `python3 script.py [lane...]` prints one JSON report. */
export function pythonScript(spec: Spec): string {
  const ordered = Object.fromEntries(FIELDS.map((k) => [k, spec[k]]));
  const what = `${spec.workload}, size ${spec.size}, ${spec.tasks} tasks, ${spec.workers} workers, seed ${spec.seed}`
    + (spec.fault === 'none' ? '' : `, fault ${spec.fault}`);
  return [
    '#!/usr/bin/env python3',
    `# concurrency-playground, the Python bridge: ${what}.`,
    ...HEADER,
    IMPORTS,
    '# The spec, as the playground normalized it.',
    // A JSON string literal is a valid Python string literal (its escapes are Python's too).
    `SPEC = json.loads(${JSON.stringify(JSON.stringify(ordered))})`,
    '# Tasks a process gets in one message: as the browser sends them (crate/src/budget.rs chunk_size).',
    `CHUNK = ${chunkSize(spec)}`,
    BODY,
  ].join('\n');
}

const HEADER = [
  '#',
  '# The same workload as the browser, split into the same tasks with the same seeds, run under',
  '# four Python models: sequential, threading (the gil lane, or threads where the GIL is off),',
  '# multiprocessing and asyncio. Standard library only, Python 3.8+.',
  '#',
  '#   python3 this-script.py                  every lane',
  '#   python3 this-script.py sequential async  only those (sequential, gil or threads, processes, async)',
  '#',
  '# It prints one JSON report (stdout) in the playground\'s shape; every lane that finishes must',
  '# show the checksum the browser shows for this spec. Progress goes to stderr.',
];

// Python source. String.raw keeps it byte for byte; it must contain no backtick and no dollar-brace.
const IMPORTS = String.raw`
import asyncio
import hashlib
import json
import multiprocessing
import os
import platform
import struct
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, ThreadPoolExecutor, wait
`;

const BODY = String.raw`
M64 = (1 << 64) - 1
# Units of work per slice between two looks at the world (crate/src/lanes/mod.rs SLICE).
SLICE = 4096
# share: bytes between two reads of one task (crate/src/workloads/share.rs).
STRIDE = 61
MAX_ITER = 255
IO_ROUNDS = 16
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
WORKING, WAIT, DONE = 0, 1, 2


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


def faulty_task(spec):
    if spec["fault"] == "none":
        return None
    return mix(spec["seed"], 0xFA17) % spec["tasks"]


def format_checksum(workload, total):
    return str(total) if workload == "primes" else "%016x" % total


# --- the kernels: each task advances at most budget units at a time -----------------------------


def is_prime(n):
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


class Primes:
    """Counts the primes in [lo, hi); a unit is one number tested."""

    def __init__(self, lo, hi):
        self.next, self.end, self.count = lo, hi, 0

    def advance(self, budget):
        stop = min(self.end, self.next + budget)
        count = 0
        for n in range(self.next, stop):
            if is_prime(n):
                count += 1
        self.count += count
        self.next = stop
        return (DONE, self.count) if self.next == self.end else (WORKING, None)


def row_hash(row, pixels):
    h = FNV_OFFSET
    for p in pixels:
        h = ((h ^ p) * FNV_PRIME) & M64
    return mix(row, h)


class Band:
    """Rows [first_row, end_row) of a size x size Mandelbrot image; a unit is one pixel."""

    def __init__(self, size, first_row, end_row):
        self.size = size
        self.first_row = first_row
        self.rows = end_row - first_row
        self.pixels = bytearray()
        self.sum = 0

    def advance(self, budget):
        size = self.size
        total = self.rows * size
        pixels = self.pixels
        left = budget
        scale = 2.5 / float(size)
        while len(pixels) < total and left > 0:
            row, col = divmod(len(pixels), size)
            y = self.first_row + row
            run = min(size - col, left)
            ci = -1.25 + (float(y) + 0.5) * scale
            for x in range(col, col + run):
                # Exactly crate/src/workloads/mandelbrot.rs escape(): same operations, same order.
                cr = -2.0 + (float(x) + 0.5) * scale
                zr = 0.0
                zi = 0.0
                i = 0
                while i < MAX_ITER:
                    zr2 = zr * zr
                    zi2 = zi * zi
                    if zr2 + zi2 > 4.0:
                        break
                    zi = 2.0 * zr * zi + ci
                    zr = zr2 - zi2 + cr
                    i += 1
                pixels.append(i)
            left -= run
            if col + run == size:
                start = row * size
                self.sum = (self.sum + row_hash(y, pixels[start:start + size])) & M64
        return (DONE, self.sum) if len(pixels) == total else (WORKING, None)


class Chain:
    """Iterated SHA-256 of le32(seed) ++ le32(index); a unit is one round."""

    def __init__(self, seed, index, rounds):
        self.index = index
        self.digest = hashlib.sha256(struct.pack("<II", seed, index)).digest()
        self.left = rounds

    def advance(self, budget):
        n = min(self.left, budget)
        digest = self.digest
        sha256 = hashlib.sha256
        for _ in range(n):
            digest = sha256(digest).digest()
        self.digest = digest
        self.left -= n
        if self.left == 0:
            return DONE, mix(self.index, int.from_bytes(digest[:8], "little"))
        return WORKING, None


def latency(spec, index):
    """Request index's latency: uniform in latencyMs +- jitterMs, from the seed alone."""
    r = mix(spec["seed"], index)
    unit = float(r >> 11) / float(1 << 53)
    return spec["latencyMs"] + spec["jitterMs"] * (2.0 * unit - 1.0)


class Request(Chain):
    """A simulated request: wait for the response, then SHA-256 rounds over le32(index)."""

    def __init__(self, spec, index, rounds):
        self.index = index
        self.latency = latency(spec, index)
        self.waited = False
        self.digest = hashlib.sha256(struct.pack("<I", index)).digest()
        self.left = rounds

    def advance(self, budget):
        if not self.waited:
            self.waited = True
            return WAIT, self.latency
        return Chain.advance(self, budget)


def share_buffer(mb, seed):
    """The share workload's buffer: mb MiB of xorshift64* words, little-endian."""
    state = mix(seed, 0x5EA7) | 1
    words = mb * 1024 * 1024 // 8
    chunk = 1 << 16
    pack = struct.Struct("<%dQ" % chunk).pack
    parts = []
    for _ in range(words // chunk):
        out = []
        append = out.append
        for _ in range(chunk):
            state ^= state >> 12
            state ^= (state << 25) & M64
            state ^= state >> 27
            append((state * 0x2545F4914F6CDD1D) & M64)
        parts.append(pack(*out))
    return b"".join(parts)


class Scan:
    """Task index's strided FNV-1a scan over the whole buffer, begun index / tasks of the way
    through and wrapped around (crate/src/workloads/share.rs); a unit is one byte read."""

    def __init__(self, data, index, tasks):
        self.data = data
        self.index = index
        first = index % STRIDE
        reads = (len(data) - first + STRIDE - 1) // STRIDE if len(data) > first else 0
        self.began = first + reads * index // max(tasks, 1) * STRIDE
        self.at = self.began
        self.stop = len(data)
        self.wrapped = False
        self.acc = FNV_OFFSET

    def advance(self, budget):
        data = self.data
        while True:
            if self.at < self.stop and budget > 0:
                reads = min(budget, (self.stop - self.at + STRIDE - 1) // STRIDE)
                acc = self.acc
                for b in data[self.at:self.at + reads * STRIDE:STRIDE]:
                    acc = ((acc ^ b) * FNV_PRIME) & M64
                self.acc = acc
                self.at += reads * STRIDE
                budget -= reads
            if self.at < self.stop:
                return WORKING, None
            if self.wrapped:
                return DONE, mix(self.index, self.acc)
            self.wrapped = True
            self.at = self.index % STRIDE
            self.stop = self.began


def start_task(spec, index, data):
    """Task index of spec; the task an injected fault picks fails here, as run_task's does."""
    if faulty_task(spec) == index:
        if spec["fault"] == "oom-one-task":
            raise MemoryError("task %d ran out of memory (injected fault)" % index)
        raise RuntimeError("task %d panicked (injected fault)" % index)
    lo, hi = split(spec["size"], spec["tasks"], index)
    workload = spec["workload"]
    if workload == "primes":
        return Primes(lo, hi)
    if workload == "mandelbrot":
        return Band(spec["size"], lo, hi)
    if workload == "hash":
        return Chain(spec["seed"], index, spec["size"])
    if workload == "io":
        return Request(spec, index, IO_ROUNDS)
    if workload == "mixed":
        return Request(spec, index, spec["cpuRounds"])
    if workload == "share":
        return Scan(data, index, spec["tasks"])
    raise ValueError("workload: unknown %r" % workload)


def run_blocking(spec, index, data):
    """Runs a task to its end on this thread: a wait blocks it (time.sleep releases the GIL)."""
    task = start_task(spec, index, data)
    while True:
        state, value = task.advance(SLICE)
        if state == DONE:
            return value
        if state == WAIT:
            time.sleep(value / 1000.0)


# --- the lanes -------------------------------------------------------------------------------------


def describe(e):
    return "%s: %s" % (type(e).__name__, e)


def error_kind(spec):
    """The report's errorKind for a lane that failed: what the injected fault does."""
    return {"panic-one-task": "panicked", "oom-one-task": "oom"}.get(spec["fault"])


def result(lane, spec, wall_ms, total=None, error=None, setup_ms=0.0, transfer_ms=0.0):
    out = {
        "lane": lane,
        "workers": spec["workers"],
        "ok": error is None,
        "wallMs": round(wall_ms, 3),
        "setupMs": round(setup_ms, 3),
        "transferMs": round(transfer_ms, 3),
        "checksum": "" if total is None else format_checksum(spec["workload"], total),
        "events": [],
        "totals": [],
    }
    if error is not None:
        out["error"] = error
        if error_kind(spec) is not None and "(injected fault)" in error:
            out["errorKind"] = error_kind(spec)
    return out


def gil_enabled():
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def lane_sequential(spec, data):
    t0 = now_ms()
    total = 0
    try:
        for index in range(spec["tasks"]):
            total = (total + run_blocking(spec, index, data)) & M64
    except Exception as e:
        return result("sequential", spec, now_ms() - t0, error=describe(e))
    return result("sequential", spec, now_ms() - t0, total)


def lane_threading(spec, data):
    """A thread pool: under the GIL one thread computes at a time, switching every gilSwitchMs."""
    lane = "gil" if gil_enabled() else "threads"
    workers = spec["workers"]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(spec["gilSwitchMs"] / 1000.0)
    pool = None
    try:
        start = now_ms()
        pool = ThreadPoolExecutor(max_workers=workers)
        # Every thread started before the clock runs: each one waits at the barrier once.
        barrier = threading.Barrier(workers)
        list(pool.map(lambda _: barrier.wait(60), range(workers)))
        setup_ms = now_ms() - start
        t0 = now_ms()
        futures = [pool.submit(run_blocking, spec, index, data) for index in range(spec["tasks"])]
        wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
        if failed:
            for f in futures:
                f.cancel()
            return result(lane, spec, now_ms() - t0, error=describe(failed[0].exception()), setup_ms=setup_ms)
        total = 0
        for f in futures:
            total = (total + f.result()) & M64
        return result(lane, spec, now_ms() - t0, total, setup_ms=setup_ms)
    except Exception as e:
        return result(lane, spec, 0.0, error=describe(e))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        sys.setswitchinterval(switch)


# State of one process of the processes lane (set in that process only).
_BARRIER = None
_DATA = b""


def _proc_init(barrier):
    global _BARRIER
    _BARRIER = barrier


def _proc_ready(_):
    _BARRIER.wait(60)
    return os.getpid()


def _proc_receive(data):
    global _DATA
    _DATA = data
    _BARRIER.wait(60)
    return len(data)


def _proc_chunk(lo, hi):
    """Tasks lo..hi in this process, one after another: one message each way, as Pool.map's chunks."""
    started = now_ms()
    done = []
    for index in range(lo, hi):
        try:
            done.append((index, run_blocking(SPEC, index, _DATA), None))
        except Exception as e:
            done.append((index, None, describe(e)))
    return done, os.getpid(), started, now_ms()




# Processes start from a fork server where there is one, else are spawned: forking a process whose
# threads (the gil lane's pool) have run can deadlock in the child on a lock one of them held
# (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods; 3.14 made
# forkserver the default on POSIX for this reason).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def lane_processes(spec, data):
    """A process pool used once, as ProcessPoolExecutor: spawn and copies are timed."""
    workers = spec["workers"]
    if os.name == "nt":
        workers = min(workers, 61)
    context = multiprocessing.get_context(START_METHOD)
    pool = None
    setup_ms = 0.0
    try:
        start = now_ms()
        barrier = context.Barrier(workers)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_proc_init, initargs=(barrier,))
        # Every process started before the clock runs: each one waits at the barrier once.
        list(pool.map(_proc_ready, range(workers)))
        setup_ms = now_ms() - start
        t0 = now_ms()
        transfer_ms = 0.0
        if spec["workload"] == "share":
            # Each process gets its own copy, pickled through its pipe: one per process (the barrier
            # holds each process to one), as the browser copies the buffer into every instance.
            list(pool.map(_proc_receive, [data] * workers))
            transfer_ms += now_ms() - t0
        size = CHUNK
        sent = {}
        got = {}
        futures = {}
        for lo in range(0, spec["tasks"], size):
            sent[lo] = now_ms()
            future = pool.submit(_proc_chunk, lo, min(spec["tasks"], lo + size))
            future.add_done_callback(lambda _f, i=lo: got.__setitem__(i, now_ms()))
            futures[lo] = future
        wait(list(futures.values()))
        wall_ms = now_ms() - t0
        total = 0
        failed = []
        runs = []
        for lo, future in futures.items():
            done, pid, began, ended = future.result()
            for index, partial, error in done:
                if error is not None:
                    failed.append((index, error))
                else:
                    total = (total + partial) & M64
            runs.append((pid, began, ended, sent[lo], got.get(lo, ended)))
        # Messages: a chunk's trip to its process (from when it was sent, or when the process was
        # free if it queued behind another) and its results' trip back.
        last_end = {}
        for pid, began, ended, sent_at, got_at in sorted(runs, key=lambda r: (r[0], r[1])):
            transfer_ms += max(0.0, began - max(sent_at, last_end.get(pid, sent_at))) + max(0.0, got_at - ended)
            last_end[pid] = got_at
        out = result("processes", spec, wall_ms, total, setup_ms=setup_ms, transfer_ms=transfer_ms)
        out["chunk"] = size
        out["failedTasks"] = [index for index, _ in failed]
        if failed:
            done = spec["tasks"] - len(failed)
            out["ok"] = False
            out["tasksDone"] = done
            if error_kind(spec) is not None:
                out["errorKind"] = error_kind(spec)
            out["error"] = (
                "%d of %d tasks failed (%s). The exception came back pickled and the pool went on; the other %d tasks "
                "completed and the checksum covers exactly them."
                % (len(failed), spec["tasks"], "; ".join("task %d: %s" % f for f in failed), done)
            )
        return out
    except Exception as e:
        return result("processes", spec, 0.0, error=describe(e), setup_ms=setup_ms)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


async def _async_task(spec, index, data):
    task = start_task(spec, index, data)
    every = spec["yieldEvery"]
    budget = every if every > 0 else SLICE
    while True:
        state, value = task.advance(budget)
        if state == DONE:
            return value
        if state == WAIT:
            await asyncio.sleep(value / 1000.0)
        elif every > 0:
            # Gives way every yieldEvery units; with 0 the loop is blocked until the task ends.
            await asyncio.sleep(0)


async def _lag_monitor(worst, period_ms=5.0):
    """How late a periodic 5 ms timer fires, as the browser's async lane measures it."""
    while True:
        worst["due"] = now_ms() + period_ms
        await asyncio.sleep(period_ms / 1000.0)
        worst["ms"] = max(worst["ms"], now_ms() - worst["due"])


async def _async_lane(spec, data, worst):
    worst["due"] = now_ms()
    monitor = asyncio.ensure_future(_lag_monitor(worst))
    tasks = [asyncio.ensure_future(_async_task(spec, index, data)) for index in range(spec["tasks"])]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        # A loop blocked until the very end never ran the tick that was due: count it too.
        worst["ms"] = max(worst["ms"], now_ms() - worst["due"], 0.0)
        monitor.cancel()


def lane_async(spec, data):
    """Every task a coroutine on one event loop, gathered: waits overlap, CPU work takes turns."""
    worst = {"ms": 0.0}
    t0 = now_ms()
    try:
        partials = asyncio.run(_async_lane(spec, data, worst))
    except Exception as e:
        out = result("async", spec, now_ms() - t0, error=describe(e))
    else:
        total = 0
        for p in partials:
            total = (total + p) & M64
        out = result("async", spec, now_ms() - t0, total)
    out["loopLagMs"] = round(worst["ms"], 3)
    return out


LANES = [
    ("sequential", lane_sequential),
    ("gil", lane_threading),
    ("processes", lane_processes),
    ("async", lane_async),
]


def main(argv):
    wanted = argv[1:]
    known = ["sequential", "gil", "threads", "processes", "async"]
    for name in wanted:
        if name not in known:
            print("unknown lane %r: choose from %s" % (name, ", ".join(known)), file=sys.stderr)
            return 2
    spec = SPEC
    data = b""
    if spec["workload"] == "share":
        t = now_ms()
        data = share_buffer(spec["size"], spec["seed"])
        print("share buffer: %d MB in %.0f ms" % (spec["size"], now_ms() - t), file=sys.stderr)
    results = []
    for name, run in LANES:
        if wanted and name not in wanted and not (name == "gil" and "threads" in wanted):
            continue
        out = run(spec, data)
        results.append(out)
        print(
            "%-10s %10.1f ms  %s" % (out["lane"], out["wallMs"], out["checksum"] if out["ok"] else out["error"]),
            file=sys.stderr,
        )
    report = {
        "spec": spec,
        "env": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "gilEnabled": gil_enabled(),
            "cpuCount": os.cpu_count(),
            "startMethod": START_METHOD,
            "platform": platform.platform(),
        },
        "results": results,
        "source": "cpython",
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
`;
