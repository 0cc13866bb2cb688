"""The threading lane: a thread pool. Under the GIL (the gil lane) one thread computes at a time,
switching every gilSwitchMs; on a free-threaded Python (the threads lane) they compute at once."""

import sys
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from ..common import fold, now_ms
from ..report import describe, gil_enabled, lane_result
from ..workloads import before_run, with_shared
from .blocking import run_blocking


def lane_threading(spec, data, chunk):
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
        before_run(spec)
        t0 = now_ms()
        futures = [pool.submit(run_blocking, spec, index, data) for index in range(spec["tasks"])]
        wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f.done() and not f.cancelled() and f.exception() is not None]
        if failed:
            for f in futures:
                f.cancel()
            error = describe(failed[0].exception())
            return lane_result(lane, spec, now_ms() - t0, error=error, setup_ms=setup_ms)
        total = fold(f.result() for f in futures)
        return with_shared(lane_result(lane, spec, now_ms() - t0, total, setup_ms=setup_ms), spec)
    except Exception as e:
        return lane_result(lane, spec, 0.0, error=describe(e))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        sys.setswitchinterval(switch)
