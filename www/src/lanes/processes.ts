// The processes lane: each process is a plain-build worker with its own wasm instance and its
// own memory. Nothing is shared: inputs and outputs cross by message (copied or transferred),
// starting a process is real work that is timed, and a crash kills one process, not the lane.
import { nowMs } from '../clock';
import type { TaskOutput } from '../protocol';
import { kindOf } from '../errors';
import type { ErrorKind, FaultMark, FullSpec, LaneRun } from '../types';
import { WorkerPanic } from '../worker-client';
import { boundTrace, checksumOf, plainWarmed, taskStartOf, warmupSpec } from '../wasm';
import {
  checkCancelled, failed, IdleReaper, message, onCancel, STRIDE, toEvents, toTotals,
  warmUp, type LaneContext, type LaneRunner,
} from './common';
import { FlatTrace, ProcessPool } from './pool';

/** Tasks sent to a process before it returns one (Python's pool queues one extra call too). */
const IN_FLIGHT = 2;

/** What one run of the lane gathers as its tasks come back. */
interface Tally {
  partials: bigint[];
  failedTasks: number[];
  crashes: string[];
  /** Where tasks failed, on the epoch clock until the result is built. */
  faults: FaultMark[];
  /** What the first failure was (a panic, out of memory, a process that would not load). */
  kind?: ErrorKind;
  transferMs: number;
}

export class ProcessesLane implements LaneRunner {
  readonly lane = 'processes';
  /** Kept between runs only for `pool: 'warm'`, until the reaper ends it. */
  private pool: ProcessPool | null = null;
  private readonly reaper = new IdleReaper(() => this.dispose());

  async run(spec: FullSpec, ctx: LaneContext): Promise<LaneRun> {
    const { signal } = ctx;
    const release = this.reaper.hold();
    let setupMs = 0;
    let pool: ProcessPool | null = null;
    try {
      checkCancelled(signal);
      const trace = new FlatTrace();
      const warm = this.pool;
      if (spec.pool === 'warm' && warm?.alive && warm.size === spec.workers) {
        pool = warm;
      } else {
        this.dispose();
        const t = nowMs();
        pool = await ProcessPool.start(spec.workers, signal, trace);
        setupMs = nowMs() - t;
      }
      this.pool = pool;
      const running = pool;
      onCancel(signal, () => running.end());
      if (!plainWarmed.has(spec.workload)) {
        const first = running.procs[0];
        await warmUp(signal, () => first.call((api) => api.runSequential(warmupSpec(spec))));
        plainWarmed.add(spec.workload);
      }
      const t0 = nowMs();
      const tally: Tally = { partials: [], failedTasks: [], crashes: [], faults: [], transferMs: 0 };
      await this.dispatch(spec, running, ctx, trace, tally);
      checkCancelled(signal);
      return this.result(spec, running, trace, tally, t0, setupMs);
    } catch (e) {
      pool?.end();
      return failed(this.lane, spec.workers, e, 0, setupMs);
    } finally {
      if (spec.pool === 'cold' || signal.aborted || !pool?.alive) {
        pool?.end();
        if (this.pool === pool) this.pool = null;
      }
      release();
    }
  }

  /**
   * Copies the share buffer into every process that lacks it, and runs every task as a pool's
   * work queue: each process takes the next task when it finishes one, so uneven tasks
   * (Mandelbrot rows) still balance. IN_FLIGHT tasks per process: the next one already waits in
   * the process's queue while the current one runs.
   */
  private async dispatch(spec: FullSpec, pool: ProcessPool, ctx: LaneContext, trace: FlatTrace, tally: Tally): Promise<void> {
    const { signal } = ctx;
    const copy = await shareCopier(spec, pool, signal, trace, tally);
    await Promise.all(pool.procs.map((_, row) => copy(row)));
    checkCancelled(signal);
    let next = 0;
    const retry: number[] = [];
    const attempts = new Map<number, number>();
    const take = () => (retry.length > 0 ? retry.shift() : next < spec.tasks ? next++ : undefined);
    const lastEnd = pool.procs.map(() => 0);
    const serve = async (row: number) => {
      for (let index = take(); index !== undefined && !signal.aborted; index = take()) {
        await pool.settled(row);
        checkCancelled(signal);
        const worker = pool.procs[row];
        const sent = nowMs();
        try {
          const out = await worker.call((api) => api.runTask(spec, index));
          checkCancelled(signal);
          lastEnd[row] = addTask(trace, tally, row, index, out, Math.max(sent, lastEnd[row]));
          tally.partials.push(out.partial);
          ctx.progress?.(tally.partials.length);
          if (out.pixels) ctx.pixels?.(taskStartOf(spec, index), out.pixels);
        } catch (e) {
          checkCancelled(signal);
          const tries = (attempts.get(index) ?? 0) + 1;
          attempts.set(index, tries);
          // A crash fails every task in flight on that process; only the one that crashed it
          // is at fault. The others go back in the queue (once).
          const culprit = e instanceof WorkerPanic && e.task === index;
          if (culprit || tries > 1 || worker.isAlive) {
            tally.failedTasks.push(index);
            tally.crashes.push(`task ${index} on process ${row}: ${message(e)}`);
            tally.faults.push({ atMs: (e instanceof WorkerPanic ? e.at : nowMs()), task: index, row });
            tally.kind ??= kindOf(e);
          } else {
            retry.push(index);
          }
          // The process is gone (or poisoned by a trap): the pool starts a new one in its place.
          await pool.replace(row, worker, signal, trace, copy);
        }
      }
    };
    await Promise.all(pool.procs.flatMap((_, row) => Array.from({ length: IN_FLIGHT }, () => serve(row))));
  }

  private result(spec: FullSpec, pool: ProcessPool, trace: FlatTrace, tally: Tally, t0: number, setupMs: number): LaneRun {
    const wallMs = nowMs() - t0;
    const bounded = boundTrace(trace.numbers);
    const events = toEvents(bounded.events, t0);
    const { failedTasks, crashes } = tally;
    const result: LaneRun = {
      lane: this.lane,
      workers: spec.workers,
      ok: failedTasks.length === 0,
      wallMs,
      setupMs,
      transferMs: tally.transferMs,
      checksum: checksumOf(spec.workload, tally.partials),
      events,
      totals: toTotals(bounded.totals),
      failedTasks: failedTasks.sort((a, b) => a - b),
      replacedProcesses: pool.replaced,
      replaceMs: pool.replaceMs,
    };
    if (failedTasks.length > 0) {
      const done = spec.tasks - failedTasks.length;
      result.tasksDone = done;
      if (tally.kind) result.errorKind = tally.kind;
      result.faults = tally.faults.map((f) => ({ ...f, atMs: f.atMs - t0 }));
      const n = pool.replaced;
      result.error = `${failedTasks.length} of ${spec.tasks} tasks failed (${crashes.join('; ')}). `
        + `The pool replaced ${n === 1 ? 'that process' : `those ${n} processes`}; the other ${done} tasks `
        + 'completed and the checksum covers exactly them.';
    }
    return result;
  }

  dispose(): void {
    this.reaper.stop();
    this.pool?.end();
    this.pool = null;
  }
}

/**
 * For `share`: a function that gives process `row` its own copy of the buffer, timed as a
 * transfer, as a parent's data is pickled to each child. The buffer is made once for the page by
 * the first process that needs it (in JS memory, transferred, not copied) and dropped when the
 * run ends, so no copy stays behind on the page.
 */
async function shareCopier(spec: FullSpec, pool: ProcessPool, signal: AbortSignal, trace: FlatTrace, tally: Tally): Promise<(row: number) => Promise<void>> {
  if (spec.workload !== 'share') return async () => {};
  let bytes: Promise<Uint8Array> | null = null;
  return async (row) => {
    const worker = pool.procs[row];
    if (await worker.call((api) => api.hasShare(spec.size, spec.seed))) return;
    bytes ??= worker.call((api) => api.shareBuffer(spec.size, spec.seed));
    const data = await bytes;
    checkCancelled(signal);
    const start = nowMs();
    // Structured clone: the page serialises a copy and the process's wasm copies it into its
    // own memory. This is the price of having no shared memory.
    await worker.call((api) => api.receiveShare(spec.size, spec.seed, data));
    const end = nowMs();
    tally.transferMs += end - start;
    trace.push(row, -1, 'transfer', start, end);
  };
}

/**
 * Adds a finished task's events on its process's row, and the two messages around it: the task
 * there (from when it was sent, or when the process was free if it was queued behind another)
 * and its result back. Returns when the result arrived.
 */
function addTask(trace: FlatTrace, tally: Tally, row: number, index: number, out: TaskOutput, from: number): number {
  const got = nowMs();
  const flat = out.events;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i + STRIDE <= flat.length; i += STRIDE) {
    first = Math.min(first, flat[i + 3]);
    last = Math.max(last, flat[i + 4]);
    trace.numbers.push(row, flat[i + 1], flat[i + 2], flat[i + 3], flat[i + 4], flat[i + 5]);
  }
  if (first <= last) {
    const out_ = Math.min(first, from);
    trace.push(row, index, 'transfer', out_, first);
    trace.push(row, index, 'transfer', last, got);
    tally.transferMs += first - out_ + (got - last);
  }
  return got;
}
