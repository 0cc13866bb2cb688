// Event-loop lag: how late a periodic timer fires. A loop that runs a long stretch of code
// without yielding fires it late by about that stretch, which is what "blocking the event loop"
// costs every other task waiting on it.
const PERIOD_MS = 5;

export function monitorLag(): () => number {
  let worst = 0;
  let due = performance.now() + PERIOD_MS;
  const id = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - due);
    due = now + PERIOD_MS;
  }, PERIOD_MS);
  return () => {
    clearInterval(id);
    // A loop blocked until the very end never ran the tick that was due: count it too.
    return Math.max(worst, performance.now() - due, 0);
  };
}
