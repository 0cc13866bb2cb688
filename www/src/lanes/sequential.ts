// The sequential lane: one plain-build worker runs every task in order.
import { nowMs } from '../clock';
import type { WasmWorkerApi } from '../protocol';
import type { FullSpec, LaneResult } from '../types';
import { plainWarmed } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import { failed, startWasmWorker, timed, warmupSpec, type LaneRunner } from './common';

export class SequentialLane implements LaneRunner {
  readonly lane = 'sequential';
  private worker: WorkerHandle<WasmWorkerApi> | null = null;

  async run(spec: FullSpec): Promise<LaneResult> {
    let setupMs = 0;
    try {
      if (!this.worker?.isAlive) {
        const t0 = nowMs();
        this.worker = await startWasmWorker();
        setupMs = nowMs() - t0;
      }
      const worker = this.worker;
      if (!plainWarmed.has(spec.workload)) {
        await worker.call((api) => api.runSequential(warmupSpec(spec)));
        plainWarmed.add(spec.workload);
      }
      await worker.call((api) => api.prepare(spec));
      const result = await timed(this.lane, 1, setupMs, () => worker.call((api) => api.runSequential(spec)));
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
