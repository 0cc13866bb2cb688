"""hash: iterated SHA-256, each task hashing its seed size times (crate/src/workloads/hash.rs).
A unit of work is one round."""

import hashlib
import struct

from ..common import DONE, WORKING, mix


class Chain:
    """SHA-256 applied rounds times to the digest of first, then mixed with the task's index."""

    def __init__(self, index, first, rounds):
        self.index = index
        self.digest = hashlib.sha256(first).digest()
        self.left = rounds

    def advance(self, budget):
        n = min(self.left, budget)
        digest = self.digest
        sha256 = hashlib.sha256
        for _ in range(n):
            digest = sha256(digest).digest()
        self.digest = digest
        self.left -= n
        if self.left == 0:
            return DONE, mix(self.index, int.from_bytes(digest[:8], "little"))
        return WORKING, None


def start_hash(spec, index, data):
    # The chain starts from le32(seed) ++ le32(index).
    return Chain(index, struct.pack("<II", spec["seed"], index), spec["size"])
