"""The ports' kernels against answers that do not come from the ports: known values, the crate's
own tests (crate/src/workloads/*.rs) and the browser's checksums."""

import hashlib
import struct
import unittest

from concurrency_bridge._constants import MANDELBROT_MAX_ITER, SHARE_STRIDE
from concurrency_bridge.common import DONE, FNV_OFFSET, FNV_PRIME, M64, WAIT, WORKING, mix, split
from concurrency_bridge.report import format_checksum
from concurrency_bridge.workloads.hash import Chain
from concurrency_bridge.workloads.io import latency, start_io
from concurrency_bridge.workloads.mandelbrot import Band
from concurrency_bridge.workloads.primes import is_prime
from concurrency_bridge.workloads.share import share_buffer

from .support import checksum, make_spec, run_to_end, sieve_count


def band_pixels(size, first_row, end_row):
    band = Band(size, first_row, end_row)
    while band.advance(100)[0] == WORKING:
        pass
    return band.pixels


class Common(unittest.TestCase):
    def test_mix_is_splitmix64s_finaliser(self):
        # SplitMix64's first output from seed 0 is the finaliser of its increment, the golden
        # ratio constant: mix(0, 1) finalises exactly that word.
        self.assertEqual(mix(0, 1), 0xE220A8397B1DCDAF)

    def test_split_covers_everything_once(self):
        for total, tasks in [(10, 3), (5_000_000, 64), (7, 7), (100, 1)]:
            ranges = [split(total, tasks, i) for i in range(tasks)]
            self.assertEqual(ranges[0][0], 0)
            self.assertEqual(ranges[-1][1], total)
            for (_, hi), (lo, _) in zip(ranges, ranges[1:]):
                self.assertEqual(hi, lo)


class Primes(unittest.TestCase):
    def test_small_primes(self):
        self.assertEqual([n for n in range(30) if is_prime(n)], [2, 3, 5, 7, 11, 13, 17, 19, 23, 29])
        self.assertTrue(is_prime(4_999_999) and is_prime(4_999_963))
        self.assertFalse(is_prime(4_999_997))

    def test_pi_of_known_sizes(self):
        # pi(n) counts the primes below n here, as the crate's primes workload does.
        for size, tasks, pi in [(2, 1, 0), (3, 1, 1), (100, 7, 25), (1_000_000, 64, 78_498)]:
            with self.subTest(size=size):
                self.assertEqual(checksum(make_spec("primes", size, tasks)), pi)

    def test_agrees_with_a_sieve(self):
        for size, tasks in [(12_500, 3), (100_000, 8)]:
            self.assertEqual(checksum(make_spec("primes", size, tasks)), sieve_count(size))


class Mandelbrot(unittest.TestCase):
    def test_known_points(self):
        # The centre of the main cardioid never escapes; the far corner escapes at once.
        self.assertEqual(band_pixels(4, 2, 3)[2], MANDELBROT_MAX_ITER)
        self.assertEqual(band_pixels(1000, 0, 1)[0], 1)

    def test_image_is_symmetric_about_the_real_axis(self):
        size = 64
        px = band_pixels(size, 0, size)
        for y in range(size):
            mirror = size - 1 - y
            self.assertEqual(px[y * size : (y + 1) * size], px[mirror * size : (mirror + 1) * size])

    def test_checksum_does_not_depend_on_task_count(self):
        self.assertEqual(
            checksum(make_spec("mandelbrot", 120, 1)), checksum(make_spec("mandelbrot", 120, 120))
        )

    def test_a_band_stops_where_its_budget_does(self):
        band = Band(120, *split(120, 120, 3))
        self.assertEqual(band.advance(119), (WORKING, None))
        self.assertEqual(len(band.pixels), 119)


class Hash(unittest.TestCase):
    def test_one_round_is_sha256_of_the_seed_digest(self):
        # sha256(sha256(le32(1) ++ le32(0))), as crate/src/workloads/hash.rs checks it.
        chain = Chain(0, struct.pack("<II", 1, 0), 1)
        chain.advance(1)
        self.assertEqual(
            chain.digest.hex(), "08533f6bbd4975113e4f0cb104abcdec1d86d99d5782b4a9a7f6270c0ebb6a27"
        )

    def test_the_partial_mixes_the_index_with_the_digests_head(self):
        spec = make_spec("hash", 3, 2, seed=9)
        digest = hashlib.sha256(struct.pack("<II", 9, 1)).digest()
        for _ in range(3):
            digest = hashlib.sha256(digest).digest()
        self.assertEqual(run_to_end(spec, 1), mix(1, int.from_bytes(digest[:8], "little")))

    def test_chains_differ_by_seed_and_index(self):
        def run(seed, index):
            return run_to_end(make_spec("hash", 10, 8, seed=seed), index)

        self.assertNotEqual(run(1, 0), run(1, 1))
        self.assertNotEqual(run(1, 0), run(2, 0))
        self.assertEqual(run(3, 4), run(3, 4))


class Io(unittest.TestCase):
    def test_waits_first_then_computes(self):
        spec = make_spec("io", 10, jitterMs=20)
        request = start_io(spec, 3, b"")
        state, ms = request.advance(1 << 40)
        self.assertEqual(state, WAIT)
        self.assertTrue(80 <= ms <= 120, ms)
        self.assertEqual(request.advance(1 << 40)[0], DONE)

    def test_a_response_of_0_ms_is_not_waited_for(self):
        spec = make_spec("io", 10, latencyMs=0)
        self.assertEqual(start_io(spec, 3, b"").advance(1 << 40)[0], DONE)

    def test_latencies_are_seeded_and_spread(self):
        spec = make_spec("io", 1000, jitterMs=50)
        lat = [latency(spec, i) for i in range(1000)]
        self.assertTrue(all(50 <= x <= 150 for x in lat))
        self.assertTrue(95 < sum(lat) / 1000 < 105)
        self.assertEqual(lat, [latency(spec, i) for i in range(1000)])
        self.assertNotEqual(lat[0], latency(dict(spec, seed=2), 0))

    def test_mixed_runs_cpu_rounds_after_the_wait(self):
        index, rounds = 2, 7
        digest = hashlib.sha256(struct.pack("<I", index)).digest()
        for _ in range(rounds):
            digest = hashlib.sha256(digest).digest()
        spec = make_spec("mixed", 4, cpuRounds=rounds)
        self.assertEqual(run_to_end(spec, index), mix(index, int.from_bytes(digest[:8], "little")))


class Share(unittest.TestCase):
    def test_buffer_is_seeded_and_sized(self):
        a = share_buffer(1, 7)
        self.assertEqual(len(a), 1 << 20)
        self.assertEqual(a, share_buffer(1, 7))
        self.assertNotEqual(a, share_buffer(1, 8))
        # Not all one value: the scan must see real data.
        self.assertLess(a.count(a[0]), 10_000)

    def test_every_task_reads_the_whole_buffer(self):
        data = share_buffer(1, 1)
        spec = make_spec("share", 1, 4)
        before = run_to_end(spec, 2, data)
        # Its first byte, its last, and one on each side of where its scan begins and wraps.
        first = 2
        last = len(data) - 1 - (len(data) - 1 - first) % SHARE_STRIDE
        reads = -(-(len(data) - first) // SHARE_STRIDE)
        began = first + reads * 2 // 4 * SHARE_STRIDE
        for at in [first, last, began - SHARE_STRIDE, began, began + SHARE_STRIDE]:
            changed = bytearray(data)
            changed[at] ^= 0xFF
            self.assertNotEqual(before, run_to_end(spec, 2, bytes(changed)), f"byte {at}")

    def test_a_task_reads_each_of_its_bytes_once_from_its_own_place(self):
        # The definition, written out: the task's bytes in order, rotated to begin
        # index / tasks of the way through.
        data = share_buffer(1, 3)
        tasks = 7
        spec = make_spec("share", 1, tasks)
        for task in range(tasks):
            mine = list(range(task % SHARE_STRIDE, len(data), SHARE_STRIDE))
            skip = len(mine) * task // tasks
            acc = FNV_OFFSET
            for at in mine[skip:] + mine[:skip]:
                acc = ((acc ^ data[at]) * FNV_PRIME) & M64
            self.assertEqual(run_to_end(spec, task, data), mix(task, acc), f"task {task}")


class BrowsersChecksums(unittest.TestCase):
    """The checksums the browser prints for tests/python.test.mjs's specs (seed 1): the crate's
    kernels in wasm, so the ports must reach them exactly."""

    def test_every_workload(self):
        cases = [
            (make_spec("primes", 200_000, 8), "17984"),
            (make_spec("mandelbrot", 64, 64), "5d2e7b614ff1bfe9"),
            (make_spec("hash", 200, 4), "0674b83f81b27f1d"),
            (make_spec("io", 20, latencyMs=2), "3aef58b436148864"),
            (make_spec("mixed", 10, latencyMs=2, cpuRounds=100), "2f15d21abdb5e286"),
            (make_spec("share", 2, 4), "430965d020fabf1a"),
        ]
        for spec, expected in cases:
            with self.subTest(workload=spec["workload"]):
                data = share_buffer(spec["size"], spec["seed"]) if spec["workload"] == "share" else b""
                self.assertEqual(format_checksum(spec["workload"], checksum(spec, data)), expected)


if __name__ == "__main__":
    unittest.main()
