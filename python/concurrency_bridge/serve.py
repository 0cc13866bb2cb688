"""python3 -m concurrency_bridge.serve SERVE.json [lane ...]

Serve mode under CPython (crate/src/serve): the same requests the browser served, arriving at
the same times. SERVE.json is the page's "Serve JSON" export (or any object with its "options"
and "arrivals"). Each request waits its seeded latency, then computes cpuRounds of SHA-256, as
the mixed workload's requests do. The lanes serve as CPython servers do:

  sequential  one worker taking each request in turn
  threads     a pool of `workers` threads that block in their waits (under the GIL)
  processes   a ProcessPoolExecutor of `workers` processes, handed each request as it arrives
  async       one asyncio loop that starts each request as it arrives

A pool stops taking requests at durationMs: the ones still waiting for a worker are counted as
queued. Prints
one JSON report on stdout (the figures the browser reports, by the same arithmetic), progress on
stderr."""

import asyncio
import json
import math
import multiprocessing
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from ._constants import SLICE
from .common import DONE, WAIT, now_ms
from .lanes.processes import START_METHOD
from .workloads.io import Request

OPTIONS = ("ratePerSec", "durationMs", "latencyMs", "jitterMs", "cpuRounds", "workers", "lanes", "seed")
LANES = ("sequential", "threads", "processes", "async")
USAGE = "usage: python3 -m concurrency_bridge.serve SERVE.json|- [" + "|".join(LANES) + " ...]"


def request_spec(options, requests):
    """The fields a mixed request reads (crate: ServeOptions::spec)."""
    return {
        "workload": "mixed",
        "size": requests,
        "tasks": requests,
        "latencyMs": options["latencyMs"],
        "jitterMs": options["jitterMs"],
        "cpuRounds": options["cpuRounds"],
        "seed": options["seed"],
    }


def serve_blocking(spec, index):
    """One request on the calling thread: its wait blocks it (time.sleep lets go of the GIL), then
    its CPU part, SLICE at a time. A response of 0 ms is there already: no wait (workloads/io.py)."""
    request = Request(spec, index, spec["cpuRounds"])
    while True:
        state, value = request.advance(SLICE)
        if state == DONE:
            return
        if state == WAIT:
            time.sleep(value / 1000.0)


class Load:
    """The run's arrivals, its start, and the next request a pool's worker takes."""

    def __init__(self, options, arrivals):
        self.options = options
        self.arrivals = arrivals
        self.spec = request_spec(options, len(arrivals))
        self.t0 = now_ms()
        self._next = 0
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            index = self._next
            self._next += 1
        return index if index < len(self.arrivals) else None

    def wait_for(self, index):
        """Sleeps until request index arrives; False once the lane no longer takes requests: it
        waited for a worker until past the end. One that arrives to a free worker before the end
        is served however late the sleep wakes, as in the browser's lanes."""
        wait = self.t0 + self.arrivals[index] - now_ms()
        if wait > 0:
            time.sleep(wait / 1000.0)
            return True
        return now_ms() - self.t0 < self.options["durationMs"]


def pool_worker(load, served):
    while True:
        index = load.take()
        if index is None or not load.wait_for(index):
            return
        start = now_ms() - load.t0
        serve_blocking(load.spec, index)
        served.append((index, start, now_ms() - load.t0))


def lane_sequential(options, arrivals):
    load = Load(options, arrivals)
    served = []
    pool_worker(load, served)
    return served


def lane_threads(options, arrivals):
    load = Load(options, arrivals)
    served = []
    threads = [threading.Thread(target=pool_worker, args=(load, served)) for _ in range(options["workers"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return served


_SPEC = None


def _proc_init(spec):
    global _SPEC
    _SPEC = spec


def _proc_serve(index, t0, duration_ms):
    """One request in a process; None when it reached a process after the duration (queued)."""
    start = now_ms() - t0
    if start >= duration_ms:
        return None
    serve_blocking(_SPEC, index)
    return start


def lane_processes(options, arrivals):
    spec = request_spec(options, len(arrivals))
    context = multiprocessing.get_context(START_METHOD)
    workers = options["workers"]
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_proc_init, initargs=(spec,)) as pool:
        # Start the processes before the clock does, as the browser's pool is started first.
        list(pool.map(abs, range(options["workers"])))
        load = Load(options, arrivals)
        served = []
        done = threading.Lock()

        def finished(index, future):
            end = now_ms() - load.t0
            start = future.result()
            if start is not None:
                with done:
                    served.append((index, start, end))

        futures = []
        for index in range(len(arrivals)):
            load.wait_for(index)
            future = pool.submit(_proc_serve, index, load.t0, options["durationMs"])
            future.add_done_callback(lambda f, i=index: finished(i, f))
            futures.append(future)
        for f in futures:
            f.result()
    return served


def lane_async(options, arrivals):
    async def serve_all():
        load = Load(options, arrivals)
        served = []

        async def one(index):
            start = now_ms() - load.t0
            request = Request(load.spec, index, load.spec["cpuRounds"])
            # Its wait on the loop; its CPU part to its end once begun, as a handler with no
            # await in it runs.
            while True:
                state, value = request.advance(SLICE)
                if state == DONE:
                    break
                if state == WAIT:
                    await asyncio.sleep(value / 1000.0)
            served.append((index, start, now_ms() - load.t0))

        tasks = []
        for index, at in enumerate(arrivals):
            wait = load.t0 + at - now_ms()
            if wait > 0:
                await asyncio.sleep(wait / 1000.0)
            tasks.append(asyncio.ensure_future(one(index)))
        await asyncio.gather(*tasks)
        return served

    return asyncio.run(serve_all())


RUNNERS = {
    "sequential": lane_sequential,
    "threads": lane_threads,
    "processes": lane_processes,
    "async": lane_async,
}


def nearest_rank(ordered, q):
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def mean_count(up, down, until):
    """The time-average over [0, until] of a count each `up` raises and each `down` lowers, and its peak."""
    events = sorted([(t, 1) for t in up] + [(t, -1) for t in down])
    area = count = peak = 0
    last = 0.0
    for t, step in events:
        t = min(t, until)
        area += count * (t - last)
        last = t
        count += step
        peak = max(peak, count)
    area += count * (until - last)
    return (area / until if until > 0 else 0.0), peak


def figures(arrivals, served, duration_ms):
    """A lane's figures, by the crate's arithmetic (crate/src/serve/stats.rs)."""
    ended = max([duration_ms] + [end for _, _, end in served])
    latencies = sorted(end - arrivals[i] for i, _, end in served)
    mean_in_system, peak_in_system = mean_count(arrivals, [end for _, _, end in served], ended)
    n = len(latencies)
    return {
        "offered": len(arrivals),
        "completed": n,
        "queued": len(arrivals) - n,
        "offeredPerSec": len(arrivals) / (duration_ms / 1000.0),
        "completedPerSec": n / (ended / 1000.0),
        "p50Ms": nearest_rank(latencies, 0.50),
        "p95Ms": nearest_rank(latencies, 0.95),
        "p99Ms": nearest_rank(latencies, 0.99),
        "maxMs": latencies[-1] if latencies else 0.0,
        "meanMs": sum(latencies) / max(n, 1),
        "meanInSystem": mean_in_system,
        "peakInSystem": peak_in_system,
        "endedMs": ended,
    }


def read_load(request):
    """The options and arrivals of a Serve JSON export, or ValueError naming what is wrong."""
    if not isinstance(request, dict) or "options" not in request or "arrivals" not in request:
        raise ValueError('must be the page\'s Serve JSON: {"options": {...}, "arrivals": [...], ...}')
    options = request["options"]
    missing = [k for k in OPTIONS if k not in options]
    if missing:
        raise ValueError(f"options: lacks {', '.join(missing)}")
    arrivals = request["arrivals"]
    if not all(isinstance(a, (int, float)) and 0 <= a < options["durationMs"] for a in arrivals):
        raise ValueError("arrivals: must be ms from the start, within durationMs")
    return options, [float(a) for a in arrivals]


def serve(options, arrivals, lanes):
    results = []
    for lane in lanes:
        served = RUNNERS[lane](options, arrivals)
        out = dict(lane=lane, workers=1 if lane in ("sequential", "async") else options["workers"])
        out.update(figures(arrivals, served, options["durationMs"]))
        out["records"] = [x for record in sorted(served) for x in record]
        results.append(out)
        line = f"{out['completedPerSec']:8.1f}/s  p99 {out['p99Ms']:8.1f} ms  queued {out['queued']}"
        print(f"{lane:<10} {line}", file=sys.stderr)
    return {
        "python": sys.version.split()[0],
        "startMethod": START_METHOD,
        "options": options,
        "arrivals": arrivals,
        "lanes": results,
    }


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    wanted = argv[1:] or list(LANES)
    unknown = [lane for lane in wanted if lane not in LANES]
    if unknown:
        print(f"unknown lane {unknown[0]!r}: choose from {', '.join(LANES)}", file=sys.stderr)
        return 2
    try:
        if argv[0] == "-":
            text = sys.stdin.read()
        else:
            with open(argv[0], encoding="utf-8") as f:
                text = f.read()
        options, arrivals = read_load(json.loads(text))
    except (OSError, ValueError) as e:
        print(f"{argv[0]}: {e}", file=sys.stderr)
        return 2
    print(json.dumps(serve(options, arrivals, wanted), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
