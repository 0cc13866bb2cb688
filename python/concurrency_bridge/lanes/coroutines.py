"""The async lane: every task a coroutine on one event loop, gathered. Waits overlap; CPU work
takes turns, giving way every yieldEvery units (with 0 a task holds the loop until it ends)."""

import asyncio

from .._constants import SLICE
from ..common import BLOCKED, DONE, WAIT, fold, now_ms
from ..report import describe, lane_result
from ..workloads import before_run, start_task, with_shared


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
        elif state == BLOCKED or every > 0:
            # Another coroutine holds the lock across its await: give way until it lets go, as a
            # task awaiting asyncio.Lock does.
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


def lane_async(spec, data, chunk):
    worst = {"ms": 0.0}
    before_run(spec)
    t0 = now_ms()
    try:
        partials = asyncio.run(_async_lane(spec, data, worst))
    except Exception as e:
        out = lane_result("async", spec, now_ms() - t0, error=describe(e))
    else:
        out = lane_result("async", spec, now_ms() - t0, fold(partials))
    out["loopLagMs"] = round(worst["ms"], 3)
    return with_shared(out, spec)
