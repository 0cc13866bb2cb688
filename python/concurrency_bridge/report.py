"""The report, in the playground's shape: what www/src/cpython.ts reads back beside the browser's
run of the same spec. One JSON object: the spec, this Python's environment, one result a lane."""

import os
import platform
import sys


def format_checksum(workload, total):
    """As the browser shows it: the prime count in decimal, a digest in 16 hex digits."""
    return str(total) if workload == "primes" else f"{total:016x}"


def describe(e):
    return f"{type(e).__name__}: {e}"


def error_kind(spec):
    """The report's errorKind for a lane that failed: what the injected fault does."""
    return {"panic-one-task": "panicked", "oom-one-task": "oom"}.get(spec["fault"])


def lane_result(lane, spec, wall_ms, total=None, error=None, setup_ms=0.0, transfer_ms=0.0):
    """One lane's result. events and totals stay empty: CPython's lanes are timed whole."""
    out = {
        "lane": lane,
        "workers": spec["workers"],
        "ok": error is None,
        "wallMs": round(wall_ms, 3),
        "setupMs": round(setup_ms, 3),
        "transferMs": round(transfer_ms, 3),
        "checksum": "" if total is None else format_checksum(spec["workload"], total),
        "events": [],
        "totals": [],
    }
    if error is not None:
        out["error"] = error
        if error_kind(spec) is not None and "(injected fault)" in error:
            out["errorKind"] = error_kind(spec)
    return out


def gil_enabled():
    # sys._is_gil_enabled is 3.13's; every Python before it has the GIL.
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def run_report(spec, results, start_method):
    """The whole run's report: the spec, this Python and the lanes' results."""
    return {
        "spec": spec,
        "env": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "gilEnabled": gil_enabled(),
            "cpuCount": os.cpu_count(),
            "startMethod": start_method,
            "platform": platform.platform(),
        },
        "results": results,
        "source": "cpython",
    }
