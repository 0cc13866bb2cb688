"""share: one large read-only buffer that every task scans (crate/src/workloads/share.rs). Threads
read the one copy; each process must first receive a copy of its own. A unit of work is one byte
read."""

import struct

from .._constants import SHARE_STRIDE
from ..common import DONE, FNV_OFFSET, FNV_PRIME, M64, WORKING, mix


def share_buffer(mb, seed):
    """The buffer: mb MiB of xorshift64* words, little-endian."""
    state = mix(seed, 0x5EA7) | 1
    words = mb * 1024 * 1024 // 8
    chunk = 1 << 16
    pack = struct.Struct(f"<{chunk}Q").pack
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
    """Task index's strided FNV-1a scan over the whole buffer, every SHARE_STRIDEth byte from
    index % SHARE_STRIDE, begun index / tasks of the way through and wrapped around: tasks running
    at once read different parts of the buffer, as the crate's do."""

    def __init__(self, data, index, tasks):
        stride = SHARE_STRIDE
        self.data = data
        self.index = index
        first = index % stride
        reads = (len(data) - first + stride - 1) // stride if len(data) > first else 0
        self.began = first + reads * index // max(tasks, 1) * stride
        self.at = self.began
        self.stop = len(data)
        self.wrapped = False
        self.acc = FNV_OFFSET

    def advance(self, budget):
        data = self.data
        stride = SHARE_STRIDE
        while True:
            if self.at < self.stop and budget > 0:
                reads = min(budget, (self.stop - self.at + stride - 1) // stride)
                acc = self.acc
                for b in data[self.at : self.at + reads * stride : stride]:
                    acc = ((acc ^ b) * FNV_PRIME) & M64
                self.acc = acc
                self.at += reads * stride
                budget -= reads
            if self.at < self.stop:
                return WORKING, None
            if self.wrapped:
                return DONE, mix(self.index, self.acc)
            # The first pass reached the end: go round to the start of the task's bytes.
            self.wrapped = True
            self.at = self.index % stride
            self.stop = self.began


def start_share(spec, index, data):
    return Scan(data, index, spec["tasks"])
