"""The end of the one-file script the page hands out: scripts/python.mjs assembles that script
from this package's modules, this one last, and the page writes the run's SPEC and CHUNK above
them. Never imported in the package.

    python3 this-script.py [sequential|gil|threads|processes|async ...]
"""

import sys

from .run import run

if __name__ == "__main__":
    sys.exit(run(SPEC, CHUNK, sys.argv[1:]))
