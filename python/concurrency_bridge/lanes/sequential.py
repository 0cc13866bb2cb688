"""The sequential lane: every task in turn on this thread, waits included."""

from ..common import fold, now_ms
from ..report import describe, lane_result
from ..workloads import before_run, with_shared
from .blocking import run_blocking


def lane_sequential(spec, data, chunk):
    before_run(spec)
    t0 = now_ms()
    try:
        total = fold(run_blocking(spec, index, data) for index in range(spec["tasks"]))
    except Exception as e:
        return lane_result("sequential", spec, now_ms() - t0, error=describe(e))
    return with_shared(lane_result("sequential", spec, now_ms() - t0, total), spec)
