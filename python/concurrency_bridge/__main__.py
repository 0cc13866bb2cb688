"""python3 -m concurrency_bridge RUN.json [lane ...]

RUN.json (or - for stdin) is {"spec": <the spec the playground normalized>, "chunk": <tasks a
process gets in one message>}, as the page's Python panel writes it into its one-file script.
The lanes: sequential, gil (or threads: the threading lane either way), processes, async; every
one when none is named. Prints one JSON report on stdout, the lanes' progress on stderr."""

import json
import sys

from .run import run

USAGE = "usage: python3 -m concurrency_bridge RUN.json|- [sequential|gil|threads|processes|async ...]"


def read_request(path):
    """The spec and chunk in RUN.json, or ValueError saying what is wrong with it."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        request = json.loads(text)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: {e}") from None
    if not isinstance(request, dict) or "spec" not in request or "chunk" not in request:
        raise ValueError(f'{path}: must be {{"spec": {{...}}, "chunk": N}}')
    chunk = request["chunk"]
    if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
        raise ValueError(f"{path}: chunk must be a whole number of tasks, at least 1; got {chunk!r}")
    return request["spec"], chunk


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        spec, chunk = read_request(argv[0])
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    return run(spec, chunk, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
