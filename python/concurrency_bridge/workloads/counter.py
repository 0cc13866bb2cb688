"""counter: tasks add 1 to one shared counter size times each (crate/src/workloads/counter.rs).
A unit of work is one update. sync picks how the tasks keep the counter right: none (read, add,
write), lock, atomic (CPython has no atomic add: a lock held for the add alone) or partial (each
task counts apart and adds its count once).

With stepMs 0 an update is the plain `counter += 1` people write, inline: CPython 3.10+ switches
threads only at a loop's back edge or a call, never inside it, so GIL threads lose nothing (the
README's table). With stepMs above 0 a simulated I/O step sits between the read and the write: a
sleep that lets go of the GIL, an await that lets other coroutines run."""

import threading

from ..common import BLOCKED, DONE, WAIT, WORKING, SharedState


class Own:
    """This interpreter's counter: a one-item list every thread and coroutine here shares."""

    def __init__(self):
        self.box = [0]
        self.lock = threading.Lock()

    def load(self):
        return self.box[0]

    def store(self, value):
        self.box[0] = value


class Segment:
    """A counter the processes share: multiprocessing.Value, a segment of shared memory with a
    lock beside it."""

    def __init__(self, value):
        self.value = value
        self.lock = value.get_lock()

    def load(self):
        return self.value.value

    def store(self, value):
        self.value.value = value


_OWN = Own()
_CELL = _OWN


def counter_reset(segment=None):
    """A run starts from 0 in this interpreter's own counter, or counts in segment (a
    multiprocessing.Value the processes share)."""
    global _OWN, _CELL
    _OWN = Own()
    _CELL = Segment(segment) if segment is not None else _OWN


def counter_counted():
    """The counter now, where this interpreter counts."""
    return _CELL.load()


def counter_exact(spec, lane):
    """Whether the count cannot depend on timing (crate: Counter::exact)."""
    if spec["sync"] != "none":
        return True
    if lane == "sequential":
        return True
    return lane in ("gil", "async") and spec["stepMs"] == 0


def counter_processes_total(spec, segment, partial_sum):
    """What the processes lane counted, seen from the parent: the shared segment's count, the sum
    of the counts the processes handed back (partial), or the parent's own counter, which no
    process can reach (none)."""
    if segment is not None:
        return segment.value
    return partial_sum if spec["sync"] == "partial" else counter_counted()


class Updates:
    """One task's size updates."""

    def __init__(self, spec):
        self.sync = spec["sync"]
        self.left = spec["size"]
        self.step = spec["stepMs"]
        self.done = 0
        self.mine = 0
        self.seen = None
        self.waited = False

    def advance(self, budget):
        cell = _CELL
        if self.step > 0:
            return self._stepped(cell)
        n = min(self.left, max(budget, 1))
        if self.sync == "none":
            # Unsynchronised updates never count in a segment: this is the interpreter's own.
            box = cell.box
            for _ in range(n):
                box[0] += 1
        elif self.sync in ("lock", "atomic"):
            lock = cell.lock
            for _ in range(n):
                with lock:
                    cell.store(cell.load() + 1)
        else:
            self.mine += n
        return self._counted(n)

    def _stepped(self, cell):
        """One update with a wait in it: read, wait, write (the lock held throughout)."""
        if self.sync in ("atomic", "partial"):
            if not self.waited:
                self.waited = True
                return WAIT, self.step
            if self.sync == "atomic":
                with cell.lock:
                    cell.store(cell.load() + 1)
            else:
                self.mine += 1
            self.waited = False
            return self._counted(1)
        if self.seen is None:
            # Positional: threading.Lock calls it blocking, multiprocessing's lock block.
            if self.sync == "lock" and not cell.lock.acquire(False):
                return BLOCKED, cell.lock
            self.seen = cell.load()
            return WAIT, self.step
        cell.store(self.seen + 1)
        self.seen = None
        if self.sync == "lock":
            cell.lock.release()
        return self._counted(1)

    def _counted(self, n):
        self.left -= n
        self.done += n
        if self.left > 0:
            return WORKING, None
        if self.sync == "partial":
            with _CELL.lock:
                _CELL.store(_CELL.load() + self.mine)
        return DONE, self.done


def start_counter(spec, index, data):
    return Updates(spec)


# How the lanes reach the counter (workloads.SHARED).
COUNTER_STATE = SharedState(reset=counter_reset, counted=counter_counted, exact=counter_exact)
