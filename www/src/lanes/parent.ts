// The processes lane on the page: its parent worker (workers/parent.worker.ts) runs it, and the
// page only asks for a run, hears its progress and bands, and gets its result. The parent starts
// with the lane's first run (its start counts as that run's set-up) and ends when the lane has sat
// idle, its processes with it. In Firefox the page is the parent (`parentOnPage`).
import * as Comlink from 'comlink';
import { nowMs } from '../clock';
import type { ParentApi } from '../protocol';
import type { LaneRun, Spec } from '../types';
import { plainModule } from '../wasm';
import type { WorkerHandle } from '../worker-client';
import { guarded, IdleReaper, onCancel, startWorker, type LaneContext, type LaneRunner } from './common';
import { ProcessesRunner } from './processes';

/**
 * Whether the page must run the lane itself: Firefox (153 ESR here) crashes its content process,
 * or freezes the parent for good, when a worker starts and ends workers of its own again and
 * again (4 processes started and ended 60 times from a worker: the tab crashed in each of 2
 * tries, with or without their BroadcastChannels; from the page, 60 of 60 in 4 s; the lane froze
 * in 1 of 20 cold runs). Not a feature a script can test without crashing, so the engine is
 * named; like https://github.com/jvail/glpk.js/issues/49. There every frame the page draws holds
 * up the processes' next chunks, as it did before the lane had a parent.
 */
const parentOnPage = (): boolean => /\bFirefox\//.test(navigator.userAgent);

export class ProcessesLane implements LaneRunner {
  readonly lane = 'processes';
  private parent: WorkerHandle<ParentApi> | null = null;
  private onPage: ProcessesRunner | null = null;
  private runs = 0;
  private readonly reaper = new IdleReaper(() => this.dispose());

  run(spec: Spec, ctx: LaneContext): Promise<LaneRun> {
    if (parentOnPage()) {
      this.onPage ??= new ProcessesRunner();
      const release = this.reaper.hold();
      return this.onPage.run(spec, ctx).finally(release);
    }
    const { signal } = ctx;
    return guarded(this.lane, spec.workers, ctx, () => this.reaper.hold(), async (setup) => {
      let parent = this.parent;
      if (!parent?.isAlive) {
        const t = nowMs();
        parent = await start(signal);
        this.parent = parent;
        setup.ms = nowMs() - t;
      }
      const id = ++this.runs;
      const running = parent;
      // The playground reports a cancelled lane at once; the parent ends the run's processes.
      onCancel(signal, () => {
        running.call((api) => api.cancel(id)).catch(() => {});
      });
      const out = await running.call((api) => api.run(id, spec, Comlink.proxy((done: number) => ctx.progress?.(done)), Comlink.proxy((firstRow: number, band: Uint8Array) => ctx.pixels?.(firstRow, band))));
      out.setupMs += setup.ms;
      return out;
    }, () => {});
  }

  dispose(): void {
    this.reaper.stop();
    this.parent?.terminate();
    this.parent = null;
    this.onPage?.end();
  }
}

/** The parent worker, with the page's compiled module instantiated. */
function start(signal: AbortSignal): Promise<WorkerHandle<ParentApi>> {
  return startWorker<ParentApi>('parent.worker.js', signal, (parent) => parent.call(async (api) => api.init(await plainModule())));
}
