// A pool of processes, as Python's ProcessPoolExecutor keeps one: each process is a plain-build
// worker with its own wasm instance and memory. The pool starts them (timed), replaces one that
// crashed, and ends them all on cancel or when reaped.
import { nowMs } from '../clock';
import type { Phase } from '../types';
import { processScript, ProcessHandle } from '../worker-client';
import { phaseCode, plainModule, traceStride } from '../wasm';
import { Cancelled, checkCancelled, onCancel } from './common';

/** Flat trace events the page adds (stride 6, epoch times): spawns, copies, messages. */
export class FlatTrace {
  readonly numbers: number[] = [];

  push(row: number, task: number, phase: Phase, start: number, end: number): void {
    this.numbers.push(row, task, phaseCode(phase), start, end, end - start);
  }

  /** Adds events recorded elsewhere (a process's own trace, on its row 0) on `row`. */
  pushRow(row: number, events: Float64Array): void {
    const stride = traceStride();
    for (let i = 0; i + stride <= events.length; i += stride) {
      this.numbers.push(row, events[i + 1], events[i + 2], events[i + 3], events[i + 4], events[i + 5]);
    }
  }
}

/** One process and what it holds: the share buffer it has a copy of, if any. */
export interface Proc {
  handle: ProcessHandle;
  share: { mb: number; seed: number } | null;
}

export class ProcessPool {
  /** One process per row; a replaced process takes its predecessor's row. */
  readonly procs: Proc[] = [];
  /** Processes started during the current run to replace crashed ones, and the ms it took. */
  replaced = 0;
  replaceMs = 0;
  private readonly respawning = new Map<number, Promise<void>>();

  /** Starts `n` processes in parallel; each start-up (worker + instantiate) is a spawn event. */
  static async start(n: number, signal: AbortSignal, trace: FlatTrace): Promise<ProcessPool> {
    const pool = new ProcessPool();
    const started = Array.from({ length: n }, (_, row) => pool.spawn(row, signal, trace));
    // Every worker is ended by the signal; settle them all before reporting a failure.
    const settled = await Promise.allSettled(started);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      pool.end();
      throw (failure as PromiseRejectedResult).reason;
    }
    return pool;
  }

  get size(): number {
    return this.procs.length;
  }

  get alive(): boolean {
    return this.procs.length > 0 && this.procs.every((p) => p.handle.isAlive);
  }

  /** A new run on this pool: nothing replaced yet. */
  reset(): void {
    this.replaced = 0;
    this.replaceMs = 0;
  }

  private async spawn(row: number, signal: AbortSignal, trace: FlatTrace): Promise<void> {
    const start = nowMs();
    const script = await processScript();
    checkCancelled(signal);
    const handle = new ProcessHandle(script);
    onCancel(signal, () => handle.terminate());
    try {
      await handle.request({ type: 'init', module: await plainModule(), channel: handle.channel });
      checkCancelled(signal);
    } catch (e) {
      handle.terminate(e instanceof Error ? e : new Error(String(e)));
      throw signal.aborted ? new Cancelled() : e;
    }
    trace.push(row, -1, 'spawn', start, nowMs());
    this.procs[row] = { handle, share: null };
  }

  /**
   * Replaces the process at `row` (it crashed or trapped) once, however many of its chunks
   * noticed; then `ready` prepares the new one for the run. Later calls wait for the same
   * replacement.
   */
  replace(row: number, dead: ProcessHandle, signal: AbortSignal, trace: FlatTrace, ready: (row: number) => Promise<void>): Promise<void> {
    if (this.procs[row]?.handle !== dead) return this.respawning.get(row) ?? Promise.resolve();
    let pending = this.respawning.get(row);
    if (!pending) {
      dead.terminate();
      pending = (async () => {
        const start = nowMs();
        await this.spawn(row, signal, trace);
        checkCancelled(signal);
        this.replaced++;
        this.replaceMs += nowMs() - start;
        await ready(row);
      })().finally(() => this.respawning.delete(row));
      this.respawning.set(row, pending);
    }
    return pending;
  }

  /** The replacement of `row` in progress, if any. */
  replacing(row: number): Promise<void> | undefined {
    return this.respawning.get(row);
  }

  end(): void {
    for (const p of this.procs) p?.handle.terminate();
    this.procs.length = 0;
  }
}
