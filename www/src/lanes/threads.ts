// The threads and gil lanes: rayon on Web Workers sharing one memory, hosted by the lab worker.
// Both lanes use the same lab; gil runs every task under one global interpreter lock.
import { nowMs } from '../clock';
import type { LabApi, LabInfo } from '../protocol';
import type { FullSpec, LaneResult, Workload } from '../types';
import { WorkerHandle } from '../worker-client';
import { failed, warmUp, timed, warmupSpec, type LaneRunner, type OnProgress } from './common';

/** How long a cancel waits for the kernels to see the flag before it terminates the pool. */
const CANCEL_GRACE_MS = 120;

interface Lab {
  worker: WorkerHandle<LabApi>;
  threads: number;
  info: LabInfo;
  warmed: Set<Workload>;
}

/** The lab worker and its pool, shared by the threads and gil lanes. */
export class LabHost {
  private lab: Lab | null = null;
  running = false;
  /** Counts runs, so a cancel's grace timer only ever ends the run it was set for. */
  runs = 0;

  /** The lab with a pool of `threads`, and what starting it cost (0 when it was reused). */
  async ready(threads: number): Promise<{ lab: Lab; setupMs: number }> {
    // wasm-bindgen-rayon builds its pool once per instance: a new size needs a new lab.
    if (this.lab?.worker.isAlive && this.lab.threads === threads) return { lab: this.lab, setupMs: 0 };
    this.dispose();
    const t0 = nowMs();
    const worker = new WorkerHandle<LabApi>('lab.worker.js');
    this.lab = { worker, threads, info: undefined as never, warmed: new Set() };
    this.lab.info = await worker.call((api) => api.init(threads, worker.channel));
    return { lab: this.lab, setupMs: nowMs() - t0 };
  }

  cancel(): void {
    const lab = this.lab;
    if (!lab || !this.running) return;
    // Raise the flag in shared memory: the kernels see it between slices (about 1 ms) even
    // though the lab worker itself is blocked inside rayon and cannot take a message.
    Atomics.store(new Int32Array(lab.info.memory.buffer), lab.info.cancelAddress >> 2, 1);
    const run = this.runs;
    setTimeout(() => {
      if (this.running && this.runs === run && this.lab === lab) this.dispose();
    }, CANCEL_GRACE_MS);
  }

  dispose(): void {
    this.lab?.worker.terminate();
    this.lab = null;
  }
}

export class ThreadsLane implements LaneRunner {
  constructor(
    readonly lane: 'threads' | 'gil',
    private readonly host: LabHost,
  ) {}

  async run(spec: FullSpec, progress?: OnProgress): Promise<LaneResult> {
    let setupMs = 0;
    this.host.running = true;
    this.host.runs++;
    try {
      const ready = await this.host.ready(spec.workers);
      const { lab } = ready;
      setupMs = ready.setupMs;
      if (!lab.warmed.has(spec.workload)) {
        await warmUp(() => lab.worker.call((api) => api.runThreads(warmupSpec(spec))));
        lab.warmed.add(spec.workload);
      }
      await lab.worker.call((api) => api.prepare(spec));
      lab.worker.onProgress = progress ?? null;
      const result = await timed(this.lane, spec.workers, setupMs, () =>
        lab.worker.call((api) => (this.lane === 'gil' ? api.runGil(spec) : api.runThreads(spec))));
      lab.worker.onProgress = null;
      if (!result.ok && result.error !== 'cancelled') {
        // Every thread runs in the one shared instance: a panic on any of them aborts it, and the
        // whole lane with it. The next run starts a new pool.
        if (result.error?.startsWith('panicked')) {
          result.error = `${result.error}; the panic aborted the one instance all threads share, so the whole lane failed (the next run starts a new pool)`;
        }
        this.host.dispose();
      }
      return result;
    } catch (e) {
      this.host.dispose();
      return failed(this.lane, spec.workers, e, 0, setupMs);
    } finally {
      this.host.running = false;
    }
  }

  cancel(): void {
    this.host.cancel();
  }

  dispose(): void {
    this.host.dispose();
  }
}
