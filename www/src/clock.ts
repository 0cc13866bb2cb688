/** The clock every worker shares (crate/js/clock.js): epoch milliseconds, sub-millisecond. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
