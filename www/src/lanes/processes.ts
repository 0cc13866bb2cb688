// The processes lane: each process is a plain-build worker with its own wasm instance and its
// own memory. Nothing is shared: inputs and outputs cross by message (copied or transferred),
// starting a process is real work that is timed, and a crash kills one process, not the lane.
import { nowMs } from '../clock';
import type { WasmWorkerApi } from '../protocol';
import type { FullSpec, LaneResult, TraceEvent } from '../types';
import { checksumOf, plainWarmed } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import { failed, warmUp, message, startWasmWorker, toEvents, warmupSpec, type LaneRunner, type OnPixels, type OnProgress } from './common';

/** A warm pool left idle this long is terminated. */
const IDLE_REAP_MS = 60_000;

/** Tasks sent to a process before it returns one (Python's pool queues one extra call too). */
const IN_FLIGHT = 2;

interface Proc {
  row: number;
  worker: WorkerHandle<WasmWorkerApi>;
}

export class ProcessesLane implements LaneRunner {
  readonly lane = 'processes';
  /** The pool: one process per row. Kept between runs only for `pool: 'warm'`. */
  private pool: Proc[] = [];
  /** Every process started and not yet ended, including ones still starting. */
  private readonly live = new Set<WorkerHandle<WasmWorkerApi>>();
  private cancelled = false;
  private reaper: ReturnType<typeof setTimeout> | null = null;
  /** The share buffer as the page holds it, to copy to each process (the parent's data). */
  private share: { mb: number; seed: number; bytes: Uint8Array } | null = null;

  async run(spec: FullSpec, progress?: OnProgress, pixels?: OnPixels): Promise<LaneResult> {
    this.cancelled = false;
    if (this.reaper) clearTimeout(this.reaper);
    let setupMs = 0;
    try {
      const reuse = spec.pool === 'warm' && this.pool.length === spec.workers && this.pool.every((p) => p.worker.isAlive);
      const spawnEvents: TraceEvent[] = [];
      if (!reuse) {
        this.dispose();
        const t = nowMs();
        this.pool = await Promise.all(Array.from({ length: spec.workers }, (_, row) => this.spawn(row, spawnEvents)));
        setupMs = nowMs() - t;
        // Set-up comes before the run: its events end at 0.
        for (const e of spawnEvents) {
          e.start -= t + setupMs;
          e.end -= t + setupMs;
        }
      }
      if (!plainWarmed.has(spec.workload)) {
        const first = this.pool[0].worker;
        await warmUp(() => first.call((api) => api.runSequential(warmupSpec(spec))));
        plainWarmed.add(spec.workload);
      }
      const bytes = spec.workload === 'share' ? await this.shareBytes(spec) : null;

      const t0 = nowMs();
      const events: TraceEvent[] = [...spawnEvents];
      let transferMs = 0;
      const copy = async (p: Proc) => {
        if (!bytes || (await p.worker.call((api) => api.hasShare(spec.size, spec.seed)))) return;
        const start = nowMs();
        // Structured clone: the page serialises a copy and the process's wasm copies it into its
        // own memory. This is the price of having no shared memory.
        await p.worker.call((api) => api.receiveShare(spec.size, spec.seed, bytes));
        const end = nowMs();
        transferMs += end - start;
        events.push({ lane: p.row, task: -1, phase: 'transfer', start: start - t0, end: end - t0 });
      };
      await Promise.all(this.pool.map(copy));

      // A work queue, as a pool's: each process takes the next task when it finishes one, so
      // uneven tasks (Mandelbrot rows) still balance. IN_FLIGHT tasks per process: the next one
      // already waits in the process's queue while the current one runs.
      let next = 0;
      const retry: number[] = [];
      const attempts = new Map<number, number>();
      const take = () => (retry.length > 0 ? retry.shift() : next < spec.tasks ? next++ : undefined);
      const partials: bigint[] = [];
      const crashes: string[] = [];
      const failedTasks: number[] = [];
      let replaced = 0;
      const respawning: (Promise<void> | null)[] = this.pool.map(() => null);
      const lastEnd: number[] = this.pool.map(() => 0);
      const replace = (slot: number, dead: WorkerHandle<WasmWorkerApi>) => {
        if (this.pool[slot].worker === dead && !respawning[slot]) {
          respawning[slot] = (async () => {
            dead.terminate();
            const fresh = await this.spawn(slot, events, t0);
            this.pool[slot] = fresh;
            replaced++;
            await copy(fresh);
          })().finally(() => {
            respawning[slot] = null;
          });
        }
        return respawning[slot];
      };
      const serve = async (slot: number) => {
        for (let index = take(); index !== undefined && !this.cancelled; index = take()) {
          await respawning[slot];
          const p = this.pool[slot];
          const sent = nowMs();
          try {
            const out = await p.worker.call((api) => api.runTask(spec, index));
            const got = nowMs() - t0;
            const own = toEvents(out.events, t0, p.row);
            if (own.length > 0) {
              // The task's message there (or, if it was queued behind another, from when the
              // process was free) and its result back.
              const first = Math.min(...own.map((e) => e.start));
              const last = Math.max(...own.map((e) => e.end));
              const out_ = Math.min(first, Math.max(sent - t0, lastEnd[slot]));
              events.push({ lane: p.row, task: index, phase: 'transfer', start: out_, end: first });
              events.push({ lane: p.row, task: index, phase: 'transfer', start: last, end: got });
              transferMs += first - out_ + (got - last);
              lastEnd[slot] = Math.max(lastEnd[slot], got);
            }
            events.push(...own);
            partials.push(out.partial);
            progress?.(partials.length);
            // The task's rows, as crate/src/workloads/mod.rs `split` cuts them.
            if (out.pixels) pixels?.(Math.floor((spec.size * index) / spec.tasks), out.pixels);
          } catch (e) {
            if (this.cancelled) throw e;
            const why = message(e);
            const tries = (attempts.get(index) ?? 0) + 1;
            attempts.set(index, tries);
            // A crash fails every task in flight on that process; only the one that crashed it
            // is at fault. The others go back in the queue (once).
            const culprit = Number(/^panicked: task (\d+) /.exec(why)?.[1]) === index;
            if (culprit || tries > 1 || p.worker.isAlive) {
              failedTasks.push(index);
              crashes.push(`task ${index} on process ${p.row}: ${why}`);
            } else {
              retry.push(index);
            }
            // The process is gone (or poisoned by a trap): the pool starts a new one in its place.
            await replace(slot, p.worker);
          }
        }
      };
      await Promise.all(this.pool.flatMap((_, slot) => Array.from({ length: IN_FLIGHT }, () => serve(slot))));
      if (this.cancelled) throw new Error('cancelled');
      const wallMs = nowMs() - t0;
      const done = spec.tasks - failedTasks.length;
      const result: LaneResult = {
        lane: this.lane,
        workers: spec.workers,
        ok: failedTasks.length === 0,
        wallMs,
        setupMs,
        transferMs,
        checksum: checksumOf(spec.workload, partials),
        events,
        failedTasks: failedTasks.sort((a, b) => a - b),
        replacedProcesses: replaced,
      };
      if (failedTasks.length > 0) {
        result.error = `${failedTasks.length} of ${spec.tasks} tasks failed (${crashes.join('; ')}). `
          + `The pool replaced ${replaced === 1 ? 'that process' : `those ${replaced} processes`}; the other ${done} tasks `
          + 'completed and the checksum covers exactly them.';
      }
      return result;
    } catch (e) {
      this.dispose();
      return failed(this.lane, spec.workers, e, 0, setupMs);
    } finally {
      if (spec.pool === 'cold' || this.cancelled) this.dispose();
      else this.reaper = setTimeout(() => this.dispose(), IDLE_REAP_MS);
    }
  }

  /** Starts process `row` and records its start-up (worker start + instantiate) as a spawn event. */
  private async spawn(row: number, events: TraceEvent[], origin = 0): Promise<Proc> {
    const start = nowMs();
    const worker = await startWasmWorker((w) => this.live.add(w));
    events.push({ lane: row, task: -1, phase: 'spawn', start: start - origin, end: nowMs() - origin });
    return { row, worker };
  }

  /** The page's copy of the share buffer, made once by a process and transferred (not copied) here. */
  private async shareBytes(spec: FullSpec): Promise<Uint8Array> {
    if (this.share?.mb !== spec.size || this.share.seed !== spec.seed) {
      const bytes = await this.pool[0].worker.call((api) => api.shareBuffer(spec.size, spec.seed));
      this.share = { mb: spec.size, seed: spec.seed, bytes };
    }
    return this.share.bytes;
  }

  cancel(): void {
    this.cancelled = true;
    this.dispose();
  }

  dispose(): void {
    if (this.reaper) clearTimeout(this.reaper);
    this.reaper = null;
    for (const w of this.live) w.terminate();
    this.live.clear();
    this.pool = [];
  }
}
