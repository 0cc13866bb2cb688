"""A task run to its end on the calling thread: how the sequential, threading and processes
lanes run each task."""

import time

from .._constants import SLICE
from ..common import BLOCKED, DONE, WAIT
from ..workloads import start_task


def run_blocking(spec, index, data):
    """Task index's partial. A wait blocks the thread (time.sleep releases the GIL)."""
    task = start_task(spec, index, data)
    while True:
        state, value = task.advance(SLICE)
        if state == DONE:
            return value
        if state == WAIT:
            time.sleep(value / 1000.0)
        elif state == BLOCKED:
            # Another thread holds the lock: wait until it lets go, then try again.
            with value:
                pass
