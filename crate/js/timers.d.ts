// Types for timers.js, which the page's serve dispatcher imports as well as the wasm.
/** Resolves after `ms`, within microseconds of its deadline, without the nested-timer clamp. */
export function sleep(ms: number): Promise<void>;
export function yieldNow(): Promise<void>;
