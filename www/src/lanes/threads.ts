// The threads lane: rayon on Web Workers sharing one memory, hosted by the lab worker.
import { nowMs } from '../clock';
import type { LabApi, LabInfo } from '../protocol';
import type { FullSpec, LaneResult, Workload } from '../types';
import { WorkerHandle } from '../worker-client';
import { failed, timed, warmupSpec, type LaneRunner } from './common';

/** How long a cancel waits for the kernels to see the flag before it terminates the pool. */
const CANCEL_GRACE_MS = 120;

interface Lab {
  worker: WorkerHandle<LabApi>;
  threads: number;
  info: LabInfo;
  warmed: Set<Workload>;
}

export class ThreadsLane implements LaneRunner {
  readonly lane = 'threads';
  private lab: Lab | null = null;
  private running = false;

  async run(spec: FullSpec): Promise<LaneResult> {
    let setupMs = 0;
    this.running = true;
    try {
      // wasm-bindgen-rayon builds its pool once per instance: a new size needs a new lab.
      if (!this.lab?.worker.isAlive || this.lab.threads !== spec.workers) {
        this.dispose();
        const t0 = nowMs();
        const worker = new WorkerHandle<LabApi>('lab.worker.js');
        const info = await worker.call((api) => api.init(spec.workers, worker.panicChannel));
        this.lab = { worker, threads: spec.workers, info, warmed: new Set() };
        setupMs = nowMs() - t0;
      }
      const lab = this.lab;
      if (!lab.warmed.has(spec.workload)) {
        await lab.worker.call((api) => api.runThreads(warmupSpec(spec)));
        lab.warmed.add(spec.workload);
      }
      await lab.worker.call((api) => api.prepare(spec));
      const result = await timed(this.lane, spec.workers, setupMs, () => lab.worker.call((api) => api.runThreads(spec)));
      if (!result.ok && result.error !== 'cancelled') {
        // Every thread runs in the one shared instance: a panic on any of them aborts it, and the
        // whole lane with it. The next run starts a new pool.
        if (result.error?.startsWith('panicked')) {
          result.error = `${result.error}; the panic aborted the one instance all threads share, so the whole lane failed (the next run starts a new pool)`;
        }
        this.dispose();
      }
      return result;
    } catch (e) {
      this.dispose();
      return failed(this.lane, spec.workers, e, 0, setupMs);
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    const lab = this.lab;
    if (!lab || !this.running) return;
    // Raise the flag in shared memory: the kernels see it between slices (about 1 ms) even
    // though the lab worker itself is blocked inside rayon and cannot take a message.
    const flags = new Int32Array(lab.info.memory.buffer);
    Atomics.store(flags, lab.info.cancelAddress >> 2, 1);
    setTimeout(() => {
      if (this.running && this.lab === lab) this.dispose();
    }, CANCEL_GRACE_MS);
  }

  dispose(): void {
    this.lab?.worker.terminate();
    this.lab = null;
  }
}
