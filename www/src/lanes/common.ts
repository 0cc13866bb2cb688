// What every lane runner shares: the runner interface, the warm-up spec, turning the wasm's flat
// trace into events, and the shape of a failed result.
import { nowMs } from '../clock';
import type { LaneOutput, WasmWorkerApi } from '../protocol';
import { PHASES, type FullSpec, type Lane, type LaneResult, type TraceEvent, type Workload } from '../types';
import { plainModule } from '../wasm';
import { WorkerHandle } from '../worker-client';

/** Told how many of the spec's tasks are done, a few times a second. */
export type OnProgress = (done: number) => void;

/** Given a finished band of the Mandelbrot image: its first row and its pixels. */
export type OnPixels = (firstRow: number, pixels: Uint8Array) => void;

export interface LaneRunner {
  readonly lane: Lane;
  /** Runs the spec once, timed, after any set-up and warm-up it needs. Never rejects. */
  run(spec: FullSpec, progress?: OnProgress, pixels?: OnPixels): Promise<LaneResult>;
  /** Stops the run in flight; its `run` then resolves with `ok: false`. */
  cancel(): void;
  /** Ends every worker this lane holds (the page is going away or the lane is reset). */
  dispose(): void;
}

/**
 * A small run of the same kernels: V8 compiles wasm with its baseline tier first and optimises
 * hot functions later, so an untimed warm-up keeps the first lane timed from paying for tier-up.
 */
export function warmupSpec(spec: FullSpec): FullSpec {
  const small: Record<Workload, Partial<FullSpec>> = {
    primes: { size: Math.min(spec.size, 300_000), tasks: Math.min(spec.tasks, 16) },
    mandelbrot: { size: Math.min(spec.size, 160), tasks: Math.min(spec.tasks, 160) },
    hash: { size: Math.min(spec.size, 1_000), tasks: Math.min(spec.tasks, 8) },
    io: { size: Math.min(spec.size, 16), tasks: Math.min(spec.size, 16), latencyMs: 0, jitterMs: 0 },
    mixed: { size: Math.min(spec.size, 16), tasks: Math.min(spec.size, 16), latencyMs: 0, jitterMs: 0 },
    share: { size: 1, tasks: Math.min(spec.tasks, 8) },
  };
  return { ...spec, ...small[spec.workload], fault: 'none' };
}

/**
 * Runs `once` until two runs in a row take about as long (at most 6 runs): V8 optimises a hot
 * function in the background and switches to the new code on a later call, so one warm-up run
 * can end before the fast code is in place.
 */
export async function warmUp(once: () => Promise<unknown>): Promise<void> {
  let previous = Infinity;
  for (let i = 0; i < 6; i++) {
    const t = nowMs();
    await once();
    const took = nowMs() - t;
    if (took >= 0.9 * previous) return;
    previous = took;
  }
}

/**
 * The wasm's flat events (row, task, phase, start, end) as objects, times from `t0`. `row`
 * replaces the wasm's row where the page knows better (a process reports row 0: it is alone).
 */
export function toEvents(flat: Float64Array, t0: number, row?: number): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (let i = 0; i + 4 < flat.length; i += 5) {
    events.push({
      lane: row ?? flat[i],
      task: flat[i + 1],
      phase: PHASES[flat[i + 2]],
      start: flat[i + 3] - t0,
      end: flat[i + 4] - t0,
    });
  }
  return events;
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Times `work` on the shared clock and builds the lane's result (set-up is not in `wallMs`). */
export async function timed(
  lane: Lane,
  workers: number,
  setupMs: number,
  work: () => Promise<LaneOutput>,
): Promise<LaneResult> {
  const t0 = nowMs();
  try {
    const out = await work();
    const result: LaneResult = {
      lane, workers, ok: true, wallMs: nowMs() - t0, setupMs, transferMs: 0,
      checksum: out.checksum, events: toEvents(out.events, t0),
    };
    if (out.loopLagMs !== undefined) result.loopLagMs = out.loopLagMs;
    return result;
  } catch (e) {
    return failed(lane, workers, e, nowMs() - t0, setupMs);
  }
}

export function failed(lane: Lane, workers: number, e: unknown, wallMs = 0, setupMs = 0): LaneResult {
  return { lane, workers, ok: false, error: message(e), wallMs, setupMs, transferMs: 0, checksum: '', events: [] };
}

/**
 * Starts a plain-build worker (own instance, own memory) and completes its handshake.
 * `created` sees the worker before the handshake, so a cancel during start-up can end it too.
 */
export async function startWasmWorker(
  created?: (w: WorkerHandle<WasmWorkerApi>) => void,
): Promise<WorkerHandle<WasmWorkerApi>> {
  const worker = new WorkerHandle<WasmWorkerApi>('wasm.worker.js');
  created?.(worker);
  try {
    const module = await plainModule();
    await worker.call((api) => api.init(module, worker.channel));
  } catch (e) {
    worker.terminate(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
  return worker;
}
