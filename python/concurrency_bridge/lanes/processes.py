"""The processes lane: a process pool used once, as ProcessPoolExecutor. Starting the processes
and copying to and from them are timed apart from the tasks; tasks travel in chunks of CHUNK, as
the browser sends them (crate/src/budget.rs chunk_size)."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, wait

from ..common import M64, now_ms
from ..report import describe, error_kind, lane_result
from ..workloads import SHARED, before_run, with_shared
from ..workloads.counter import counter_processes_total
from .blocking import run_blocking

# Processes start from a fork server where there is one, else are spawned: forking a process whose
# threads (the gil lane's pool) have run can deadlock in the child on a lock one of them held
# (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods; 3.14 made
# forkserver the default on POSIX for this reason).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"

# State of one process of the lane, set in that process only: the barrier every process waits at
# once, the run's spec, and the share buffer's copy. A counter run counts in the process's own
# memory, or in a segment they share (before_run).
_BARRIER = None
_SPEC = None
_DATA = b""


def _proc_init(barrier, spec, segment):
    global _BARRIER, _SPEC
    _BARRIER = barrier
    _SPEC = spec
    before_run(spec, segment)


def _proc_ready(_):
    _BARRIER.wait(60)
    return os.getpid()


def _proc_receive(data):
    global _DATA
    _DATA = data
    _BARRIER.wait(60)
    return len(data)


def _own_count():
    """What this process has counted in its own memory so far (a counter run), else None."""
    shared = SHARED.get(_SPEC["workload"])
    return shared.counted() if shared is not None else None


def _proc_chunk(lo, hi):
    """Tasks lo..hi in this process, one after another: one message each way, as Pool.map's chunks."""
    started = now_ms()
    done = []
    for index in range(lo, hi):
        try:
            done.append((index, run_blocking(_SPEC, index, _DATA), None))
        except Exception as e:
            done.append((index, None, describe(e)))
    return done, os.getpid(), started, now_ms(), _own_count()


def _segment(spec, context):
    """The counter the processes share where the run asks for a lock or an atomic add across them:
    multiprocessing.Value, in shared memory with its lock."""
    if spec["workload"] in SHARED and spec["sync"] in ("lock", "atomic"):
        return context.Value("Q", 0)
    return None


def lane_processes(spec, data, chunk):
    workers = spec["workers"]
    if os.name == "nt":
        # Windows waits on at most 61 process handles at once.
        workers = min(workers, 61)
    context = multiprocessing.get_context(START_METHOD)
    pool = None
    setup_ms = 0.0
    try:
        start = now_ms()
        barrier = context.Barrier(workers)
        # This interpreter's own counter starts at 0 too: no process can reach it.
        before_run(spec)
        segment = _segment(spec, context)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_proc_init,
            initargs=(barrier, spec, segment),
        )
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
        sent = {}
        got = {}
        futures = {}
        for lo in range(0, spec["tasks"], chunk):
            sent[lo] = now_ms()
            future = pool.submit(_proc_chunk, lo, min(spec["tasks"], lo + chunk))
            future.add_done_callback(lambda _f, i=lo: got.__setitem__(i, now_ms()))
            futures[lo] = future
        wait(list(futures.values()))
        wall_ms = now_ms() - t0
        total = 0
        failed = []
        runs = []
        own = {}
        for lo, future in futures.items():
            done, pid, began, ended, count = future.result()
            own[pid] = count if count is None else max(count, own.get(pid, 0))
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
            queued = max(sent_at, last_end.get(pid, sent_at))
            transfer_ms += max(0.0, began - queued) + max(0.0, got_at - ended)
            last_end[pid] = got_at
        out = lane_result("processes", spec, wall_ms, total, setup_ms=setup_ms, transfer_ms=transfer_ms)
        out["chunk"] = chunk
        out["failedTasks"] = [index for index, _ in failed]
        if failed:
            done = spec["tasks"] - len(failed)
            out["ok"] = False
            out["tasksDone"] = done
            if error_kind(spec) is not None:
                out["errorKind"] = error_kind(spec)
            errors = "; ".join(f"task {index}: {error}" for index, error in failed)
            out["error"] = (
                f"{len(failed)} of {spec['tasks']} tasks failed ({errors}). The exception came back "
                f"pickled and the pool went on; the other {done} tasks completed and the checksum "
                "covers exactly them."
            )
        if spec["workload"] in SHARED:
            local = None if segment is not None else [own[pid] for pid in sorted(own)]
            with_shared(out, spec, counter_processes_total(spec, segment, total), local)
        return out
    except Exception as e:
        return lane_result("processes", spec, 0.0, error=describe(e), setup_ms=setup_ms)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
