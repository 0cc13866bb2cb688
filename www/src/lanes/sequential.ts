// The sequential lane: one plain-build worker runs every task in order.
import { nowMs } from '../clock';
import type { WasmWorkerApi } from '../protocol';
import type { FullSpec, LaneResult, Workload } from '../types';
import { plainModule } from '../wasm';
import { WorkerHandle } from '../worker-client';
import { failed, timed, warmupSpec, type LaneRunner } from './common';

export class SequentialLane implements LaneRunner {
  readonly lane = 'sequential';
  private worker: WorkerHandle<WasmWorkerApi> | null = null;
  private warmed = new Set<Workload>();

  async run(spec: FullSpec): Promise<LaneResult> {
    let setupMs = 0;
    try {
      if (!this.worker?.isAlive) {
        const t0 = nowMs();
        this.worker = new WorkerHandle<WasmWorkerApi>('wasm.worker.js');
        const module = await plainModule();
        await this.worker.call((api) => api.init(module));
        this.warmed.clear();
        setupMs = nowMs() - t0;
      }
      const worker = this.worker;
      if (!this.warmed.has(spec.workload)) {
        await worker.call((api) => api.runSequential(warmupSpec(spec)));
        this.warmed.add(spec.workload);
      }
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
