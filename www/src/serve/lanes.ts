// Serve mode's lanes on the playground's workers: sequential and async on a plain-build worker,
// threads and gil on the lab's rayon pool, processes on a pool of their own (processes.ts). Each
// lane warms its kernels untimed first, until two warm-ups take as long (as the batch lanes do:
// V8 swaps in optimised code on a later call), then serves the same arrivals.
import type { Lane, ServeFigures, ServeOptions, ServeRun, Spec } from '../types';
import { checkCancelled, onCancel, startWasmWorker, warmUp } from '../lanes/common';
import type { LabHost } from '../lanes/threads';
import { plainWarmed, warmupSpec } from '../wasm';
import { serveOnProcesses } from './processes';
import type { ServeMemory } from './types';

/** What a lane's run gave: its records, and how to read its memory once its figures are known. */
export interface LaneServed {
  records: Float64Array;
  /** The requests' CPU parts, summed (ms): the lane's own measure of a request's CPU. */
  computeMs: number;
  memory: (figures: ServeFigures) => ServeMemory;
}

export async function serveLane(lane: Lane, options: ServeOptions, spec: Spec, arrivals: Float64Array, lab: LabHost, signal: AbortSignal): Promise<LaneServed> {
  switch (lane) {
    case 'sequential':
    case 'async':
      return oneWorker(lane, options, spec, signal);
    case 'threads':
    case 'gil':
      return onLab(lane === 'gil', options, spec, lab, signal);
    case 'processes': {
      const served = await serveOnProcesses(options, spec, arrivals, signal);
      const total = served.memoryBytes.reduce((a, b) => a + b, 0);
      return {
        records: Float64Array.from(served.records),
        computeMs: served.computeMs,
        memory: () => ({
          memoryBytes: total,
          memoryPerRequestBytes: total / served.memoryBytes.length,
          memorySource: 'a whole process per request in flight: each process\'s own WebAssembly memory (memory.buffer.byteLength, read in the process)',
        }),
      };
    }
  }
}

async function oneWorker(lane: 'sequential' | 'async', options: ServeOptions, spec: Spec, signal: AbortSignal): Promise<LaneServed> {
  const worker = await startWasmWorker(signal);
  onCancel(signal, () => worker.terminate());
  try {
    if (!plainWarmed.has(spec.workload)) {
      await warmUp(signal, () => worker.call((api) => api.runSequential(warmupSpec(spec))));
      plainWarmed.add(spec.workload);
    }
    checkCancelled(signal);
    const run = await worker.call((api) => (lane === 'async' ? api.serveAsync(options) : api.serveSequential(options)));
    return { records: Float64Array.from(run.records), computeMs: run.computeMs, memory: (f) => (lane === 'async' ? asyncMemory(run, f) : oneInstance(run)) };
  } finally {
    worker.terminate();
  }
}

async function onLab(gil: boolean, options: ServeOptions, spec: Spec, lab: LabHost, signal: AbortSignal): Promise<LaneServed> {
  const release = lab.hold();
  try {
    const { lab: ready } = await lab.ready(options.workers, signal);
    if (!ready.warmed.has(spec.workload)) {
      await warmUp(signal, () => lab.call(ready, signal, (api) => api.runThreads(warmupSpec(spec))));
      ready.warmed.add(spec.workload);
    }
    checkCancelled(signal);
    const run = await lab.call(ready, signal, (api) => api.serveThreads(options, gil));
    checkCancelled(signal);
    return { records: Float64Array.from(run.records), computeMs: run.computeMs, memory: () => threadMemory(run) };
  } finally {
    release();
  }
}

function oneInstance(run: ServeRun): ServeMemory {
  return {
    memoryBytes: run.memoryBytes,
    memoryPerRequestBytes: run.memoryBytes,
    memorySource: 'one worker holds one request at a time: its instance\'s WebAssembly memory (memory.buffer.byteLength)',
  };
}

function asyncMemory(run: ServeRun, f: ServeFigures): ServeMemory {
  return {
    memoryBytes: run.memoryBytes,
    memoryPerRequestBytes: f.peakInSystem > 0 ? run.heapBytes / f.peakInSystem : null,
    memorySource: `a future's state: the heap's growth at its peak (${run.heapBytes} bytes, counted by the crate's allocator) over the most requests open at once (${f.peakInSystem})`,
  };
}

function threadMemory(run: ServeRun): ServeMemory {
  return {
    memoryBytes: run.memoryBytes,
    memoryPerRequestBytes: run.stackBytes ?? null,
    memorySource: run.stackBytes
      ? 'a thread per request in flight: the distance between two threads\' stacks in the one shared memory (each thread\'s stack and thread-local storage)'
      : 'one thread: no second stack to measure against',
  };
}
