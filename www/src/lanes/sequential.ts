// Lanes that run on one plain-build worker: sequential (every task in turn) and async (every
// task a future on the worker's event loop).
import type { WasmWorkerApi } from '../protocol';
import type { Spec, LaneRun } from '../types';
import { nowMs } from '../clock';
import { plainWarmed, warmupSpec } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import {
  checkCancelled, failed, IdleReaper, onCancel, startWasmWorker, timed, warmUp,
  type LaneContext, type LaneRunner,
} from './common';

export class OneWorkerLane implements LaneRunner {
  private worker: WorkerHandle<WasmWorkerApi> | null = null;
  private readonly reaper = new IdleReaper(() => this.dispose());

  constructor(readonly lane: 'sequential' | 'async') {}

  private call(worker: WorkerHandle<WasmWorkerApi>, spec: Spec) {
    return worker.call((api) => (this.lane === 'async' ? api.runAsync(spec) : api.runSequential(spec)));
  }

  async run(spec: Spec, { signal, progress }: LaneContext): Promise<LaneRun> {
    let setupMs = 0;
    const release = this.reaper.hold();
    let worker = this.worker;
    try {
      checkCancelled(signal);
      if (!worker?.isAlive) {
        const t0 = nowMs();
        worker = await startWasmWorker(signal);
        this.worker = worker;
        setupMs = nowMs() - t0;
      }
      const ready = worker;
      // A cancel ends the worker: the call in flight rejects at once, whatever it was doing.
      onCancel(signal, () => ready.terminate());
      if (!plainWarmed.has(spec.workload)) {
        await warmUp(signal, () => ready.call((api) => api.runSequential(warmupSpec(spec))));
        plainWarmed.add(spec.workload);
      }
      await ready.call((api) => api.prepare(spec));
      checkCancelled(signal);
      ready.onProgress = progress ?? null;
      const result = await timed(this.lane, 1, setupMs, () => this.call(ready, spec));
      ready.onProgress = null;
      // A trap can leave an instance half-updated: never reuse a worker after a failure (a
      // cancel has ended this one already).
      if (!result.ok) ready.terminate();
      return result;
    } catch (e) {
      worker?.terminate();
      return failed(this.lane, 1, e, 0, setupMs);
    } finally {
      release();
    }
  }

  dispose(): void {
    this.reaper.stop();
    this.worker?.terminate();
    this.worker = null;
  }
}
