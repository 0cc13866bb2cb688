"""primes: counts the primes below size by trial division (crate/src/workloads/primes.rs).
A unit of work is one number tested."""

from ..common import DONE, WORKING, split


def is_prime(n):
    """Trial division by odd numbers up to the square root of n."""
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


class Primes:
    """Counts the primes in [lo, hi)."""

    def __init__(self, lo, hi):
        self.next, self.end, self.count = lo, hi, 0

    def advance(self, budget):
        stop = min(self.end, self.next + budget)
        count = 0
        for n in range(self.next, stop):
            if is_prime(n):
                count += 1
        self.count += count
        self.next = stop
        return (DONE, self.count) if self.next == self.end else (WORKING, None)


def start_primes(spec, index, data):
    return Primes(*split(spec["size"], spec["tasks"], index))
