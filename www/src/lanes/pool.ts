// A pool of processes, as Python's ProcessPoolExecutor keeps one: each process is a plain-build
// worker with its own wasm instance and memory. The pool starts them (timed), replaces one that
// crashed, copies the share buffer into each, and ends them all on cancel or when reaped.
import { nowMs } from '../clock';
import type { WasmWorkerApi } from '../protocol';
import type { Phase } from '../types';
import type { WorkerHandle } from '../worker-client';
import { phaseCode } from '../wasm';
import { checkCancelled, startWasmWorker } from './common';

/** Flat trace events the page adds (stride 6, epoch times): spawns, copies, messages. */
export class FlatTrace {
  readonly numbers: number[] = [];

  push(row: number, task: number, phase: Phase, start: number, end: number): void {
    this.numbers.push(row, task, phaseCode(phase), start, end, end - start);
  }
}

export class ProcessPool {
  /** One process per row; a replaced process takes its predecessor's row. */
  readonly procs: WorkerHandle<WasmWorkerApi>[] = [];
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
    return this.procs.length > 0 && this.procs.every((p) => p.isAlive);
  }

  private async spawn(row: number, signal: AbortSignal, trace: FlatTrace): Promise<void> {
    const start = nowMs();
    const worker = await startWasmWorker(signal);
    trace.push(row, -1, 'spawn', start, nowMs());
    this.procs[row] = worker;
  }

  /**
   * Replaces the process at `row` (it crashed or trapped) once, however many of its tasks
   * noticed; then `ready` gives it its share copy. Later calls wait for the same replacement.
   */
  replace(row: number, dead: WorkerHandle<WasmWorkerApi>, signal: AbortSignal, trace: FlatTrace, ready: (row: number) => Promise<void>): Promise<void> {
    if (this.procs[row] !== dead) return this.respawning.get(row) ?? Promise.resolve();
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

  /** Waits for a replacement of `row` in progress, if any. */
  settled(row: number): Promise<void> {
    return this.respawning.get(row) ?? Promise.resolve();
  }

  end(): void {
    for (const p of this.procs) p?.terminate();
    this.procs.length = 0;
  }
}
