// Lanes that run on one plain-build worker: sequential (every task in turn) and async (every
// task a future on the worker's event loop).
import type { WasmWorkerApi } from '../protocol';
import type { Spec, LaneRun } from '../types';
import { nowMs } from '../clock';
import { plainWarmed } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import {
  guarded, IdleReaper, onCancel, startWasmWorker, warmThenTimed, type LaneContext, type LaneRunner,
} from './common';

export class OneWorkerLane implements LaneRunner {
  private worker: WorkerHandle<WasmWorkerApi> | null = null;
  private readonly reaper = new IdleReaper(() => this.dispose());

  constructor(readonly lane: 'sequential' | 'async') {}

  run(spec: Spec, ctx: LaneContext): Promise<LaneRun> {
    return guarded(this.lane, 1, ctx, () => this.reaper.hold(), async (setup) => {
      let worker = this.worker;
      if (!worker?.isAlive) {
        const t0 = nowMs();
        worker = await startWasmWorker(ctx.signal);
        this.worker = worker;
        setup.ms = nowMs() - t0;
      }
      const ready = worker;
      // A cancel ends the worker: the call in flight rejects at once, whatever it was doing.
      onCancel(ctx.signal, () => ready.terminate());
      const result = await warmThenTimed(this.lane, 1, setup.ms, spec, ctx, {
        warmed: plainWarmed,
        warm: (small) => ready.call((api) => api.runSequential(small)),
        prepare: (s) => ready.call((api) => api.prepare(s)),
        run: (s) => ready.call((api) => (this.lane === 'async' ? api.runAsync(s) : api.runSequential(s))),
        progress: (to) => {
          ready.onProgress = to;
        },
      });
      // A trap can leave an instance half-updated: never reuse a worker after a failure (a
      // cancel has ended this one already).
      if (!result.ok) ready.terminate();
      return result;
    }, () => this.worker?.terminate());
  }

  dispose(): void {
    this.reaper.stop();
    this.worker?.terminate();
    this.worker = null;
  }
}
