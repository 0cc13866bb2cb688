/** Epoch milliseconds, sub-millisecond, the same clock on the page and in every worker. */
export function nowMs(): number;
