"""End to end: python3 -m concurrency_bridge on tiny specs, every lane, as a person runs it."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from concurrency_bridge._constants import FIELDS
from concurrency_bridge.report import format_checksum
from concurrency_bridge.workloads.share import share_buffer

from .support import checksum, make_spec, sieve_count

# The folder that holds the package: python3 -m concurrency_bridge runs from there.
HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = [
    make_spec("primes", 20_000, 5),
    make_spec("mandelbrot", 16, 4),
    make_spec("hash", 30, 3),
    make_spec("io", 6, latencyMs=1, jitterMs=1),
    make_spec("mixed", 4, latencyMs=1, cpuRounds=40),
    make_spec("share", 1, 3, yieldEvery=500),
]


def bridge(args, stdin="", cwd=HOME):
    """Runs python3 -m concurrency_bridge with args: (exit status, stdout, stderr)."""
    r = subprocess.run(
        [sys.executable, "-m", "concurrency_bridge", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return r.returncode, r.stdout, r.stderr


def run_json(spec, chunk=2):
    return json.dumps({"spec": spec, "chunk": chunk})


class EveryLane(unittest.TestCase):
    def test_every_lane_agrees_with_the_kernels(self):
        for spec in TINY:
            with self.subTest(workload=spec["workload"]):
                status, out, err = bridge(["-"], run_json(spec))
                self.assertEqual(status, 0, err)
                report = json.loads(out)
                self.assertEqual(list(report), ["spec", "env", "results", "source"])
                self.assertEqual(report["source"], "cpython")
                self.assertEqual(report["spec"], spec)
                gil = "gil" if report["env"]["gilEnabled"] else "threads"
                lanes = [r["lane"] for r in report["results"]]
                self.assertEqual(lanes, ["sequential", gil, "processes", "async"])
                data = share_buffer(1, 1) if spec["workload"] == "share" else b""
                expected = format_checksum(spec["workload"], checksum(spec, data))
                for r in report["results"]:
                    self.assertTrue(r["ok"], r)
                    self.assertEqual(r["checksum"], expected, r["lane"])
                    self.assertEqual(r["workers"], 2)
                processes = report["results"][2]
                self.assertEqual(processes["chunk"], 2)
                self.assertEqual(processes["failedTasks"], [])
                self.assertGreater(processes["setupMs"], 0)
                self.assertIn("loopLagMs", report["results"][3])

    def test_primes_count_as_a_sieve_does(self):
        status, out, err = bridge(["-", "processes"], run_json(make_spec("primes", 30_000, 7), chunk=3))
        self.assertEqual(status, 0, err)
        self.assertEqual(json.loads(out)["results"][0]["checksum"], str(sieve_count(30_000)))


class Arguments(unittest.TestCase):
    def test_a_file_and_chosen_lanes(self):
        spec = make_spec("hash", 12, 2)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "RUN.json")
            with open(path, "w") as f:
                f.write(run_json(spec))
            status, out, err = bridge([path, "async", "threads"])
        self.assertEqual(status, 0, err)
        lanes = [r["lane"] for r in json.loads(out)["results"]]
        # threads asks for the threading lane, reported as gil where the GIL is on.
        self.assertEqual(len(lanes), 2)
        self.assertIn(lanes[0], ("gil", "threads"))
        self.assertEqual(lanes[1], "async")

    def test_the_spec_comes_back_in_the_crates_order(self):
        spec = dict(reversed(list(make_spec("hash", 5, 1).items())))
        status, out, err = bridge(["-", "sequential"], run_json(spec))
        self.assertEqual(status, 0, err)
        self.assertEqual(list(json.loads(out)["spec"]), list(FIELDS))

    def test_mistakes_are_named(self):
        spec = make_spec("hash", 5, 1)
        partial = {k: v for k, v in spec.items() if k != "seed"}
        cases = [
            ([], "", "usage: python3 -m concurrency_bridge"),
            (["-", "fast"], run_json(spec), "unknown lane 'fast'"),
            (["-"], "{nope", "-: Expecting property name"),
            (["-"], json.dumps({"spec": spec}), '-: must be {"spec"'),
            (["-"], run_json(spec, chunk=0), "chunk must be a whole number of tasks"),
            (["-"], run_json(partial), "spec: lacks seed"),
            (["-"], run_json(dict(spec, colour=1)), "spec: colour not a spec field"),
            (["no-such-run.json"], "", "no-such-run.json: [Errno 2]"),
        ]
        for args, stdin, message in cases:
            with self.subTest(args=args, stdin=stdin[:30]):
                status, out, err = bridge(args, stdin)
                self.assertEqual(status, 2)
                self.assertEqual(out, "")
                self.assertIn(message, err)

    def test_without_the_generated_constants_it_says_to_build(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(
                os.path.join(HOME, "concurrency_bridge"),
                os.path.join(tmp, "concurrency_bridge"),
                ignore=shutil.ignore_patterns("_constants.py", "__pycache__"),
            )
            status, _, err = bridge(["-"], run_json(make_spec("hash", 5, 1)), cwd=tmp)
        self.assertNotEqual(status, 0)
        self.assertIn("_constants.py is missing", err)
        self.assertIn("npm run build", err)


if __name__ == "__main__":
    unittest.main()
