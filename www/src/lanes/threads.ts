// The threads and gil lanes: rayon on Web Workers sharing one memory, hosted by the lab worker.
// Both lanes use the same lab; gil runs every task under one global interpreter lock.
import { proxy, type Remote } from 'comlink';
import { nowMs } from '../clock';
import type { LabApi, LabInfo } from '../protocol';
import type { Spec, LaneRun, Workload } from '../types';
import { kindOf, playgroundError } from '../errors';
import { WorkerHandle, WorkerPanic } from '../worker-client';
import {
  checkCancelled, guarded, IdleReaper, onCancel, warmThenTimed, type LaneContext, type LaneRunner,
} from './common';

/** How long a cancel waits for the kernels to see the flag before it terminates the pool. */
const CANCEL_GRACE_MS = 120;
/**
 * A lab's start (its wasm's load, then its pool's) this slow has hung (a pool of 2 takes about
 * 150 ms, of 64 about 3.5 s on 2 cores); it is tried this many times in all.
 */
const START_MS = 10_000;
const START_TRIES = 3;
/** How long a raised panic flag waits for the panic's own report before ending the lab. */
const PANIC_REPORT_GRACE_MS = 300;

interface Lab {
  worker: WorkerHandle<LabApi>;
  threads: number;
  /** Set once the pool runs: until then a cancel can only end the lab. */
  info: LabInfo | null;
  warmed: Set<Workload>;
  /** Settles when the lab's last call has returned: a cancelled run may still be unwinding. */
  idle: Promise<unknown>;
}

/** The lab worker and its pool, shared by the threads and gil lanes. */
export class LabHost {
  private lab: Lab | null = null;
  private readonly reaper = new IdleReaper(() => this.dispose());

  /** The lab with a pool of `threads`, and what starting it cost (0 when it was reused). */
  async ready(threads: number, signal: AbortSignal): Promise<{ lab: Lab; setupMs: number }> {
    const reuse = this.lab;
    if (reuse?.worker.isAlive && reuse.threads === threads) {
      // A cancelled run's kernels stop within a slice; its call returns before the next starts.
      await reuse.idle;
      checkCancelled(signal);
      if (reuse.worker.isAlive) return { lab: reuse, setupMs: 0 };
    }
    // wasm-bindgen-rayon builds its pool once per instance: a new size needs a new lab.
    this.dispose();
    const t0 = nowMs();
    for (let attempt = 1; ; attempt++) {
      const worker = new WorkerHandle<LabApi>('lab.worker.js');
      const lab: Lab = { worker, threads, info: null, warmed: new Set(), idle: Promise.resolve() };
      this.lab = lab;
      onCancel(signal, () => {
        if (!lab.info) worker.terminate();
      });
      // A start that takes far longer than usual has hung (as Firefox's did when the lab started
      // its pool's threads itself: RAYON_PATCHES in scripts/build.mjs). It is given up and tried
      // again, rather than hanging the lane; its error says which step hung.
      try {
        const info = await within(worker, 'the threads build did not load', (api) => api.init(worker.channel));
        const startThreads = proxy((script: string, init: unknown, count: number) => startPoolThreads(worker, script, init, count));
        await within(worker, `the thread pool of ${threads} did not start`, (api) => api.startPool(threads, startThreads));
        lab.info = info;
        checkCancelled(signal);
        return { lab, setupMs: nowMs() - t0 };
      } catch (e) {
        if (signal.aborted || attempt >= START_TRIES || kindOf(e) !== 'load') throw e;
      }
    }
  }

  /**
   * Runs one call on the lab. A cancel raises the flag the kernels check, and ends the lab if
   * they have not stopped within a grace period.
   */
  call<T>(lab: Lab, signal: AbortSignal, fn: (api: Remote<LabApi>) => Promise<T>): Promise<T> {
    const info = lab.info;
    if (!info) return Promise.reject(new Error('the lab is not ready'));
    // The flag lives in shared memory: the kernels see it between slices (about 1 ms) even
    // though the lab worker itself is blocked inside rayon and cannot take a message. Lowered
    // here, before the call leaves, so a cancel raised while it travels is never erased.
    const flag = (value: number) => Atomics.store(new Int32Array(info.memory.buffer), info.cancelAddress >> 2, value);
    flag(0);
    const pending = lab.worker.call(fn);
    lab.idle = pending.catch(() => undefined);
    watchForPanic(lab, info);
    const stop = () => {
      if (!lab.worker.isAlive) return;
      flag(1);
      const grace = setTimeout(() => lab.worker.terminate(), CANCEL_GRACE_MS);
      void lab.idle.then(() => clearTimeout(grace));
    };
    onCancel(signal, stop);
    return pending;
  }

  /** The lab is in use until the returned function is called. */
  hold(): () => void {
    return this.reaper.hold();
  }

  dispose(): void {
    this.reaper.stop();
    this.lab?.worker.terminate();
    this.lab = null;
  }
}

/** One step of a lab's start, given up (the lab ended, a `load` error) after `START_MS`. */
async function within<T>(worker: WorkerHandle<LabApi>, what: string, step: (api: Remote<LabApi>) => Promise<T>): Promise<T> {
  const timer = setTimeout(() => worker.terminate(playgroundError('load', `${what} within ${START_MS / 1000} s`)), START_MS);
  try {
    return await worker.call(step);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `count` of the lab's pool threads from the page, as the lab's wasm-bindgen-rayon asks
 * (RAYON_PATCHES in scripts/build.mjs says why not from the lab), and resolves once each has
 * loaded the threads build. They end with the lab; one that fails to load ends it as a crash.
 */
function startPoolThreads(lab: WorkerHandle<LabApi>, script: string, init: unknown, count: number): Promise<void> {
  const started = Array.from({ length: count }, () => new Promise<void>((resolve) => {
    const thread = lab.adopt(new Worker(script, { type: 'module', name: 'pool thread' }));
    thread.addEventListener('message', function ready(e: MessageEvent<{ type?: string }>) {
      if (e.data?.type !== 'wasm_bindgen_worker_ready') return;
      thread.removeEventListener('message', ready);
      resolve();
    });
    thread.postMessage(init);
  }));
  return Promise.all(started).then(() => undefined);
}

/**
 * A panicking thread reports on its channel and waits to be ended; it also raises a flag in the
 * shared memory. Should the report be held up (Firefox has not always sent a blocked thread's
 * message), the flag alone ends the lab, so the lane fails instead of hanging.
 */
function watchForPanic(lab: Lab, info: LabInfo): void {
  const flag = new Int32Array(info.memory.buffer, info.panicAddress, 1);
  let raisedAt = 0;
  const timer = setInterval(() => {
    if (!lab.worker.isAlive) return clearInterval(timer);
    if (Atomics.load(flag, 0) === 0) return;
    raisedAt ||= nowMs();
    if (nowMs() - raisedAt < PANIC_REPORT_GRACE_MS) return;
    clearInterval(timer);
    lab.worker.terminate(new WorkerPanic('a thread panicked (its report did not arrive)', 'panicked', null, raisedAt, new Float64Array(0)));
  }, 50);
  void lab.idle.then(() => clearInterval(timer));
}

export class ThreadsLane implements LaneRunner {
  constructor(
    readonly lane: 'threads' | 'gil',
    private readonly host: LabHost,
  ) {}

  run(spec: Spec, ctx: LaneContext): Promise<LaneRun> {
    const { signal } = ctx;
    return guarded(this.lane, spec.workers, ctx, () => this.host.hold(), async (setup) => {
      const ready = await this.host.ready(spec.workers, signal);
      const { lab } = ready;
      setup.ms = ready.setupMs;
      const call = <T>(fn: (api: Remote<LabApi>) => Promise<T>) => this.host.call(lab, signal, fn);
      const result = await warmThenTimed(this.lane, spec.workers, setup.ms, spec, ctx, {
        warmed: lab.warmed,
        warm: (small) => call((api) => api.runThreads(small)),
        prepare: (s) => call((api) => api.prepare(s)),
        run: (s) => call((api) => (this.lane === 'gil' ? api.runGil(s) : api.runThreads(s))),
        progress: (to) => {
          lab.worker.onProgress = to;
        },
      });
      // Cancelled: the lab stays for the next run (the playground reports the lane).
      if (signal.aborted || result.ok) return result;
      // Every thread runs in the one shared instance: a panic on any of them aborts it, and the
      // whole lane with it. The next run starts a new pool.
      if (result.errorKind === 'panicked' || result.errorKind === 'oom') {
        result.error = `${result.error}; the panic aborted the one instance all threads share, so the whole lane failed (the next run starts a new pool)`;
      }
      this.host.dispose();
      return result;
    }, () => {
      if (!signal.aborted) this.host.dispose();
    });
  }

  dispose(): void {
    this.host.dispose();
  }
}
