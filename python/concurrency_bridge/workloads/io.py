"""io and mixed: simulated requests (crate/src/workloads/io.rs). A request waits for its
response (latencyMs +- jitterMs, seeded), then runs SHA-256 rounds over le32(index): IO_ROUNDS of
them for io, the spec's cpuRounds for mixed. A unit of work is one round."""

import struct

from .._constants import IO_ROUNDS
from ..common import WAIT, mix
from .hash import Chain


def latency(spec, index):
    """Request index's latency: uniform in latencyMs +- jitterMs, from the seed alone."""
    r = mix(spec["seed"], index)
    unit = float(r >> 11) / float(1 << 53)
    return spec["latencyMs"] + spec["jitterMs"] * (2.0 * unit - 1.0)


class Request(Chain):
    """Waits once, then computes as a hash chain does."""

    def __init__(self, spec, index, rounds):
        super().__init__(index, struct.pack("<I", index), rounds)
        self.latency = latency(spec, index)
        self.waited = False

    def advance(self, budget):
        if not self.waited:
            self.waited = True
            # A response of 0 ms is there already: no lane waits for it (io.rs says why).
            if self.latency > 0:
                return WAIT, self.latency
        return super().advance(budget)


def start_io(spec, index, data):
    return Request(spec, index, IO_ROUNDS)


def start_mixed(spec, index, data):
    return Request(spec, index, spec["cpuRounds"])
