"""One run: a normalized spec's workload under the lanes asked for (every lane by default),
printed as one JSON report on stdout, with progress on stderr."""

import json
import sys

from ._constants import FIELDS
from .common import now_ms
from .lanes import LANE_NAMES, LANES
from .lanes.processes import START_METHOD
from .report import run_report
from .workloads.share import share_buffer


def ordered_spec(spec):
    """spec with its fields in the crate's order, or ValueError: a spec the playground normalized
    has every field and no other."""
    if not isinstance(spec, dict):
        raise ValueError("spec: must be an object (the spec the playground normalized)")
    missing = [name for name in FIELDS if name not in spec]
    if missing:
        raise ValueError(f"spec: lacks {', '.join(missing)}: give the spec the playground normalized")
    unknown = [name for name in spec if name not in FIELDS]
    if unknown:
        raise ValueError(f"spec: {', '.join(unknown)} not a spec field (the fields: {', '.join(FIELDS)})")
    return {name: spec[name] for name in FIELDS}


def run(spec, chunk, wanted):
    """Runs spec under the lanes named in wanted (all when it is empty), tasks going to processes
    chunk at a time; prints the report and returns the exit status."""
    for name in wanted:
        if name not in LANE_NAMES:
            print(f"unknown lane {name!r}: choose from {', '.join(LANE_NAMES)}", file=sys.stderr)
            return 2
    try:
        spec = ordered_spec(spec)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    data = b""
    if spec["workload"] == "share":
        t = now_ms()
        data = share_buffer(spec["size"], spec["seed"])
        print(f"share buffer: {spec['size']} MB in {now_ms() - t:.0f} ms", file=sys.stderr)
    results = []
    for name, lane in LANES:
        if wanted and name not in wanted and not (name == "gil" and "threads" in wanted):
            continue
        out = lane(spec, data, chunk)
        results.append(out)
        outcome = out["checksum"] if out["ok"] else out["error"]
        print(f"{out['lane']:<10} {out['wallMs']:10.1f} ms  {outcome}", file=sys.stderr)
    print(json.dumps(run_report(spec, results, START_METHOD), indent=2))
    return 0
