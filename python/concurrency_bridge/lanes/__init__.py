"""The lanes, in the order they run and report. Every lane is called as lane(spec, data, chunk):
data is the share buffer (empty for the other workloads), chunk the tasks a process gets in one
message (only the processes lane sends messages)."""

from .coroutines import lane_async
from .processes import lane_processes
from .sequential import lane_sequential
from .threads import lane_threading

LANES = [
    ("sequential", lane_sequential),
    # Named threads in the report on a free-threaded Python: asking for either runs it.
    ("gil", lane_threading),
    ("processes", lane_processes),
    ("async", lane_async),
]
LANE_NAMES = ["sequential", "gil", "threads", "processes", "async"]
