"""Serve mode under CPython: the same arrivals on every lane, checked against arithmetic the
lanes do not do (Little's law from the records, counts, percentiles from a sort), and the seed's
I/O rule in numbers: slow I/O above a pool's capacity queues the pool and not asyncio."""

import json
import os
import random
import subprocess
import sys
import unittest

from concurrency_bridge.serve import figures, nearest_rank, serve

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def poisson(rate_per_sec, duration_ms, seed=1):
    rng = random.Random(seed)
    out, t = [], 0.0
    while True:
        t += rng.expovariate(rate_per_sec / 1000.0)
        if t >= duration_ms:
            return out
        out.append(t)


def options(**fields):
    base = {"ratePerSec": 100, "durationMs": 1000, "latencyMs": 50, "jitterMs": 0, "cpuRounds": 0,
            "workers": 2, "lanes": ["sequential", "threads", "processes", "async"], "seed": 1}
    return dict(base, **fields)


class Figures(unittest.TestCase):
    def test_a_queue_that_builds_and_littles_law(self):
        # The crate's own case (crate/src/serve/stats.rs): one worker, 10 ms a request, one every 5 ms.
        arrivals = [i * 5.0 for i in range(10)]
        served = [(i, i * 10.0, (i + 1) * 10.0) for i in range(6)]
        f = figures(arrivals, served, 50.0)
        self.assertEqual((f["offered"], f["completed"], f["queued"]), (10, 6, 4))
        self.assertEqual((f["p50Ms"], f["maxMs"], f["meanMs"]), (20.0, 35.0, 22.5))
        in_system = sum(e - arrivals[i] for i, _, e in served) + sum(60.0 - a for a in arrivals[6:])
        self.assertAlmostEqual(f["meanInSystem"], in_system / 60.0)

    def test_nearest_rank(self):
        xs = [float(i) for i in range(1, 101)]
        got = (nearest_rank(xs, 0.5), nearest_rank(xs, 0.99), nearest_rank([], 0.5))
        self.assertEqual(got, (50.0, 99.0, 0.0))


class SlowIO(unittest.TestCase):
    def test_slow_io_above_capacity_queues_the_pools_not_asyncio(self):
        o = options(ratePerSec=100, durationMs=1000, latencyMs=50)
        arrivals = poisson(100, 1000)
        report = serve(o, arrivals, ["threads", "processes", "async"])
        by = {lane["lane"]: lane for lane in report["lanes"]}
        for lane in report["lanes"]:
            self.assertEqual(lane["completed"] + lane["queued"], len(arrivals))
            records = list(zip(*[iter(lane["records"])] * 3))
            self.assertEqual(len({i for i, _, _ in records}), lane["completed"])
            latencies = sorted(e - arrivals[int(i)] for i, _, e in records)
            self.assertEqual(lane["p99Ms"], nearest_rank(latencies, 0.99))
            for i, start, end in records:
                self.assertGreaterEqual(start, arrivals[int(i)] - 1.0)
                self.assertGreaterEqual(end - arrivals[int(i)], 49.0)
        # 2 workers of 50 ms serve at most 40 a second; asyncio holds every wait at once.
        for lane in ("threads", "processes"):
            self.assertLessEqual(by[lane]["completedPerSec"], 42, by[lane])
            self.assertGreater(by[lane]["queued"], len(arrivals) // 3, by[lane])
        self.assertEqual(by["async"]["queued"], 0)
        self.assertLess(by["async"]["p99Ms"], 50 + 40, by["async"])
        # Little's law where nothing queues: L = throughput x mean latency.
        a = by["async"]
        little = a["completedPerSec"] / 1000.0 * a["meanMs"]
        self.assertAlmostEqual(a["meanInSystem"], little, delta=0.15 * a["meanInSystem"])


class NoWait(unittest.TestCase):
    def test_requests_with_no_io_wait_are_served_on_every_lane(self):
        # latencyMs 0: a response that is there already, so a request only computes (the README's
        # CPU case). Every lane failed on it: they took the first step to be the wait.
        o = options(ratePerSec=100, durationMs=300, latencyMs=0, cpuRounds=200)
        arrivals = poisson(100, 300)
        report = serve(o, arrivals, ["sequential", "threads", "processes", "async"])
        for lane in report["lanes"]:
            self.assertNotIn("error", lane, lane)
            self.assertEqual(lane["completed"] + lane["queued"], len(arrivals), lane["lane"])
            self.assertGreater(lane["completed"], len(arrivals) // 2, lane)


class Cli(unittest.TestCase):
    def run_cli(self, text, *lanes):
        return subprocess.run([sys.executable, "-m", "concurrency_bridge.serve", "-", *lanes], input=text,
                              capture_output=True, text=True, cwd=HERE, timeout=120)

    def test_a_serve_export_runs_and_reports(self):
        export = {"options": options(durationMs=300, latencyMs=5), "arrivals": poisson(20, 300), "lanes": []}
        done = self.run_cli(json.dumps(export), "sequential", "async")
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual([lane["lane"] for lane in report["lanes"]], ["sequential", "async"])
        self.assertEqual(report["arrivals"], export["arrivals"])

    def test_bad_input_says_what_is_wrong(self):
        self.assertIn("Serve JSON", self.run_cli("{}").stderr)
        self.assertIn("lacks", self.run_cli(json.dumps({"options": {}, "arrivals": []})).stderr)
        self.assertIn("unknown lane", self.run_cli("{}", "fibres").stderr)
        self.assertEqual(self.run_cli("not json").returncode, 2)


if __name__ == "__main__":
    unittest.main()
