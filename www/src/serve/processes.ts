// Serve mode's processes lane: a pool of processes, each serving one request at a time (a
// synchronous worker process blocks in its I/O), handed requests by the page in arrival order
// as Python's ProcessPoolExecutor hands work items to its pool's call queue. Every request
// crosses by message both ways; that time is part of its latency, as it is for a real pool.
import { sleep } from '../../../crate/js/timers.js';
import { nowMs } from '../clock';
import { Cancelled, checkCancelled, onCancel, warmUp } from '../lanes/common';
import { FlatTrace, ProcessPool } from '../lanes/pool';
import type { ServeOptions, Spec } from '../types';
import { phaseCode, warmupSpec } from '../wasm';

export interface ProcessesServed {
  records: number[];
  /** Each process's own WebAssembly memory at the end. */
  memoryBytes: number[];
  /** The requests' CPU parts, summed over the processes (ms). */
  computeMs: number;
}

export async function serveOnProcesses(options: ServeOptions, spec: Spec, arrivals: Float64Array, signal: AbortSignal): Promise<ProcessesServed> {
  const pool = await ProcessPool.start(options.workers, signal, new FlatTrace());
  onCancel(signal, () => pool.end());
  try {
    // Warm the kernels untimed on every process (until two warm-ups take as long), then begin
    // the run on each.
    const small = warmupSpec(spec);
    await warmUp(signal, () => Promise.all(pool.procs.map(async (p) => {
      await p.handle.request({ type: 'begin', spec: small, warmUp: true, batch: 1 });
      await p.handle.request({ type: 'chunk', from: 0, to: small.tasks });
      await p.handle.request({ type: 'end' });
    })));
    await Promise.all(pool.procs.map((p) => p.handle.request({ type: 'begin', spec, warmUp: false, batch: 1 })));
    checkCancelled(signal);
    const records = await dispatch(options, pool, arrivals, signal);
    const traces = await Promise.all(pool.procs.map((p) => p.handle.request({ type: 'end' })));
    const compute = phaseCode('compute');
    // Totals are (row, phase, ms) triples.
    const computeMs = traces.reduce((sum, t) => sum + t.totals.reduce((s, v, i) => (i % 3 === 2 && t.totals[i - 1] === compute ? s + v : s), 0), 0);
    return { records, memoryBytes: traces.map((t) => t.memoryBytes), computeMs };
  } finally {
    pool.end();
  }
}

/**
 * Hands each request, once it has arrived, to the process idle longest, until the duration: a
 * request a process could take before the end (arrived, and the process free) is taken however
 * late the timer wakes the pump; one that waited for a process until past the end is queued.
 */
function dispatch(options: ServeOptions, pool: ProcessPool, arrivals: Float64Array, signal: AbortSignal): Promise<number[]> {
  const t0 = nowMs();
  const records: number[] = [];
  const idle = pool.procs.map((_, row) => row);
  /** When each process last became free, ms from the start. */
  const freeSince = pool.procs.map(() => 0);
  let next = 0;
  let sleepingFor = -1;
  return new Promise((resolve, reject) => {
    onCancel(signal, () => reject(new Cancelled()));
    const pump = (): void => {
      const now = nowMs() - t0;
      while (idle.length > 0 && next < arrivals.length && arrivals[next] <= now && Math.max(arrivals[next], freeSince[idle[0]]) < options.durationMs) {
        send(idle.shift()!, next++);
      }
      const more = next < arrivals.length && now < options.durationMs;
      if (!more && idle.length === pool.size) return resolve(records);
      // The next arrival wakes the pump, unless a process is busy and will wake it first.
      if (more && idle.length > 0 && sleepingFor !== next) {
        sleepingFor = next;
        void sleep(arrivals[next] - now).then(pump);
      }
    };
    const send = (row: number, index: number): void => {
      pool.procs[row].handle.request({ type: 'chunk', from: index, to: index + 1 }).then((out) => {
        records.push(index, out.start - t0, nowMs() - t0);
        freeSince[row] = nowMs() - t0;
        idle.push(row);
        pump();
      }, reject);
    };
    pump();
  });
}
