"""What a trivial task costs CPython's process pools, for the bench to set beside the processes lane.

On 2 processes, 4096 tasks that return their argument, medians of 3 after the pool has started,
for every start method this platform has: ProcessPoolExecutor.submit (a future a task),
Pool.map(chunksize=1) (a message a task) and Pool.map with its automatic chunks. Prints one JSON
object: {method: {"submit": us, "map1": us, "map": us}} in microseconds a task.

    python3 tests/cpython_pool.py [tasks] [workers] [repeats]
"""

import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def trivial(i):
    return i


def per_task_us(run, tasks, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / tasks * 1e6)
    return statistics.median(times)


def measure(method, tasks, workers, repeats):
    context = multiprocessing.get_context(method)
    out = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        # Every process started and ready before the clock runs.
        list(executor.map(trivial, range(workers * 4)))
        out["submit"] = per_task_us(
            lambda: [f.result() for f in [executor.submit(trivial, i) for i in range(tasks)]], tasks, repeats
        )
    with context.Pool(workers) as pool:
        pool.map(trivial, range(workers * 4))
        out["map1"] = per_task_us(lambda: pool.map(trivial, range(tasks), chunksize=1), tasks, repeats)
        out["map"] = per_task_us(lambda: pool.map(trivial, range(tasks)), tasks, repeats)
    return out


def main(argv):
    tasks, workers, repeats = (int(a) for a in (argv + ["4096", "2", "3"][len(argv):]))
    methods = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
    print(json.dumps({m: measure(m, tasks, workers, repeats) for m in methods}))


if __name__ == "__main__":
    main(sys.argv[1:])
