// One clock for the page and every worker: each worker has its own `performance.now()` origin,
// but timeOrigin + now() is wall-clock time in all of them.
export function nowMs() {
  return performance.timeOrigin + performance.now();
}
