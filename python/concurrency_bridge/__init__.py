"""The Python bridge: the playground's workloads under CPython's own concurrency models.

The kernels are ports of crate/src/workloads (the same split into tasks, the same seeds, the same
arithmetic), so every lane that finishes prints the checksum the browser shows for the same spec.
Standard library only, Python 3.8+.

    python3 -m concurrency_bridge RUN.json [lane ...]

The page hands out the same code as one file: scripts/python.mjs assembles it from these modules.
"""

import importlib.util

# The crate's constants (slice, strides, caps, the spec's fields) reach Python only through the
# build, never retyped: without them the ports could not agree with the browser.
if importlib.util.find_spec(__name__ + "._constants") is None:
    raise ImportError(
        "concurrency_bridge/_constants.py is missing: the build generates it from the crate. "
        "Run `npm run build` in the repository first."
    )
