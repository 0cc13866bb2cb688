// Lanes that run on one plain-build worker: sequential (every task in turn) and async (every
// task a future on the worker's event loop).
import type { WasmWorkerApi } from '../protocol';
import type { FullSpec, LaneResult } from '../types';
import { nowMs } from '../clock';
import { plainWarmed } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import { failed, warmUp, startWasmWorker, timed, warmupSpec, type LaneRunner, type OnProgress } from './common';

export class OneWorkerLane implements LaneRunner {
  private worker: WorkerHandle<WasmWorkerApi> | null = null;

  constructor(readonly lane: 'sequential' | 'async') {}

  private call(worker: WorkerHandle<WasmWorkerApi>, spec: FullSpec) {
    return worker.call((api) => (this.lane === 'async' ? api.runAsync(spec) : api.runSequential(spec)));
  }

  async run(spec: FullSpec, progress?: OnProgress): Promise<LaneResult> {
    let setupMs = 0;
    try {
      if (!this.worker?.isAlive) {
        const t0 = nowMs();
        this.worker = await startWasmWorker();
        setupMs = nowMs() - t0;
      }
      const worker = this.worker;
      if (!plainWarmed.has(spec.workload)) {
        await warmUp(() => worker.call((api) => api.runSequential(warmupSpec(spec))));
        plainWarmed.add(spec.workload);
      }
      await worker.call((api) => api.prepare(spec));
      worker.onProgress = progress ?? null;
      const result = await timed(this.lane, 1, setupMs, () => this.call(worker, spec));
      worker.onProgress = null;
      // A trap can leave an instance half-updated: never reuse a worker after a failure.
      if (!result.ok) this.dispose();
      return result;
    } catch (e) {
      this.dispose();
      return failed(this.lane, 1, e, 0, setupMs);
    }
  }

  cancel(): void {
    this.dispose();
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
