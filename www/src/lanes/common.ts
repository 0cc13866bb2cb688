// What every lane runner shares: the runner interface, the warm-up spec, turning the wasm's flat
// trace into events, and the shape of a failed result.
import { nowMs } from '../clock';
import type { WasmWorkerApi, WorkerOutput } from '../protocol';
import type { Calibration, Spec, Lane, LaneRun, PhaseTotal, TraceEvent } from '../types';
import { boundTrace, phaseAt, plainModule, traceStride, warmupSpec } from '../wasm';
import { kindOf } from '../errors';
import { WorkerHandle, WorkerPanic } from '../worker-client';

/** The workers a lane runs on: one thread for sequential and async, the spec's for the pools. */
export const laneWorkers = (lane: Lane, workers: number) => (lane === 'sequential' || lane === 'async' ? 1 : workers);

/** Told how many of the spec's tasks are done, a few times a second. */
export type OnProgress = (done: number) => void;

/** Given a finished band of the Mandelbrot image: its first row and its pixels. */
export type OnPixels = (firstRow: number, pixels: Uint8Array) => void;

/**
 * Whether Mandelbrot's bands reach the page as they arrive, to be painted at once: only where a
 * core is left over for the page (this machine's cores, as `Capabilities` reads them, against the
 * run's `workers`). With none spare, painting during the run took a core from the processes
 * (ui/mandelbrot.ts), and so did only handing each band to the page: Mandelbrot 800 on 2
 * processes, 1.74x sequential with the bands sent as they came and 1.77x with them held until the
 * run was timed (the previous build and this one alternated, 4 series of 7 runs each). The other
 * lanes keep their image in their own memory and hand nothing over. Read on the page and in the
 * processes' parent worker alike.
 */
export const paintsLive = (workers: number): boolean => (navigator.hardwareConcurrency || 1) > workers;

/** What one lane run is given: its cancel signal and where to report as it goes. */
export interface LaneContext {
  /**
   * Aborted by `cancel()`. A runner ends its workers when it fires, at any moment (start-up,
   * warm-up, the run), and touches none of its shared state after it.
   */
  signal: AbortSignal;
  progress?: OnProgress;
  pixels?: OnPixels;
}

export interface LaneRunner {
  readonly lane: Lane;
  /**
   * Runs the spec once, timed, after any set-up and warm-up it needs. Never rejects. Once the
   * signal has fired its result is not used: the playground reports the lane cancelled.
   */
  run(spec: Spec, ctx: LaneContext): Promise<LaneRun>;
  /** Ends every worker this lane holds (the page is going away, or they sat idle too long). */
  dispose(): void;
}

export class Cancelled extends Error {
  readonly kind = 'cancelled';

  constructor() {
    super('cancelled');
  }
}

/** Throws `cancelled` once the run's signal has fired: a runner calls it after every await. */
export function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new Cancelled();
}

/** Calls `fn` once, as soon as `signal` fires (at once if it already has). */
export function onCancel(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn();
  else signal.addEventListener('abort', fn, { once: true });
}

/**
 * Ends a lane's idle workers after a while: a worker that held a 256 MB buffer keeps that memory
 * until it ends (wasm memory never shrinks). The next run starts them again.
 */
export class IdleReaper {
  /** How long idle workers live; the page's API can change it (tests set it short). */
  static timeoutMs = 60_000;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private holds = 0;

  constructor(private readonly reap: () => void) {}

  /**
   * The lane is in use until the returned function is called; the reaper runs once nothing has
   * held it for the timeout. A cancelled run may still be unwinding when the next one starts:
   * counting holds keeps the one ending from reaping the one going on.
   */
  hold(): () => void {
    this.holds++;
    this.stop();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.reap();
      }, IdleReaper.timeoutMs);
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Runs `once` until two runs in a row take about as long (at most 6 runs): V8 optimises a hot
 * function in the background and switches to the new code on a later call, so one warm-up run
 * can end before the fast code is in place.
 */
export async function warmUp(signal: AbortSignal, once: () => Promise<unknown>): Promise<void> {
  let previous = Infinity;
  for (let i = 0; i < 6; i++) {
    const t = nowMs();
    await once();
    checkCancelled(signal);
    const took = nowMs() - t;
    if (took >= 0.9 * previous) return;
    previous = took;
  }
}


/**
 * The wasm's flat events as objects, times from `t0`. The wasm bounds them (crate/src/trace.rs):
 * an event may stand for many short spans merged, `busy` of its length really spent.
 */
export function toEvents(flat: Float64Array, t0: number): TraceEvent[] {
  const events: TraceEvent[] = [];
  const stride = traceStride();
  for (let i = 0; i + stride <= flat.length; i += stride) {
    events.push({
      row: flat[i],
      task: flat[i + 1],
      phase: phaseAt(flat[i + 2]),
      start: flat[i + 3] - t0,
      end: flat[i + 4] - t0,
      busy: flat[i + 5],
    });
  }
  return events;
}

/** The wasm's exact time per row and phase (triples: row, phase, ms) as objects. */
export function toTotals(flat: Float64Array): PhaseTotal[] {
  const totals: PhaseTotal[] = [];
  for (let i = 0; i + 3 <= flat.length; i += 3) totals.push({ row: flat[i], phase: phaseAt(flat[i + 1]), ms: flat[i + 2] });
  return totals;
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a lane's start-up cost this run (0 when it reused its workers). */
export interface Setup {
  ms: number;
}

/**
 * Every lane's run: its workers held against the idle reaper while it goes, a cancel noticed
 * before anything starts, and whatever fails turned into a failed result with what its set-up
 * cost (`dropped` ends what the failure may have left half-updated).
 */
export async function guarded(
  lane: Lane,
  workers: number,
  ctx: LaneContext,
  hold: () => () => void,
  body: (setup: Setup) => Promise<LaneRun>,
  dropped: () => void,
): Promise<LaneRun> {
  const release = hold();
  const setup: Setup = { ms: 0 };
  try {
    checkCancelled(ctx.signal);
    return await body(setup);
  } catch (e) {
    dropped();
    return failed(lane, workers, e, 0, setup.ms);
  } finally {
    release();
  }
}

/** The calls of a lane that runs a whole spec in one call to its worker. */
export interface WholeRunCalls {
  /** Workloads this lane's kernels are warm for. */
  warmed: Set<string>;
  warm(spec: Spec): Promise<unknown>;
  prepare(spec: Spec): Promise<void>;
  run(spec: Spec): Promise<WorkerOutput>;
  /** Where the worker's progress goes while the timed run goes (null after it). */
  progress(to: OnProgress | null): void;
}

/**
 * The timed part of such a lane: warm the kernels once per workload (untimed), make what the
 * spec needs (untimed), then time the run.
 */
export async function warmThenTimed(lane: Lane, workers: number, setupMs: number, spec: Spec, ctx: LaneContext, calls: WholeRunCalls): Promise<LaneRun> {
  if (!calls.warmed.has(spec.workload)) {
    await warmUp(ctx.signal, () => calls.warm(warmupSpec(spec)));
    calls.warmed.add(spec.workload);
  }
  await calls.prepare(spec);
  checkCancelled(ctx.signal);
  calls.progress(ctx.progress ?? null);
  try {
    return await timed(lane, workers, setupMs, () => calls.run(spec));
  } finally {
    calls.progress(null);
  }
}

/** Times `work` on the shared clock and builds the lane's result (set-up is not in `wallMs`). */
export async function timed(
  lane: Lane,
  workers: number,
  setupMs: number,
  work: () => Promise<WorkerOutput>,
): Promise<LaneRun> {
  const t0 = nowMs();
  try {
    const out = await work();
    const result: LaneRun = {
      lane, workers, ok: true, wallMs: nowMs() - t0, setupMs, transferMs: 0,
      checksum: out.checksum, events: toEvents(out.events, t0), totals: toTotals(out.totals),
    };
    if (out.loopLagMs !== undefined) result.loopLagMs = out.loopLagMs;
    if (out.turns?.length) result.turns = Array.from(out.turns);
    return result;
  } catch (e) {
    return withFault(failed(lane, workers, e, nowMs() - t0, setupMs), e, t0);
  }
}

/**
 * A lane that a panic ended keeps what it did before: the tasks the flight log had finished
 * (drawn on the timeline up to the fault) and where the fault happened.
 */
function withFault(result: LaneRun, e: unknown, t0: number): LaneRun {
  if (!(e instanceof WorkerPanic)) return result;
  const bounded = boundTrace(e.done);
  result.events = toEvents(bounded.events, t0);
  result.totals = toTotals(bounded.totals);
  result.wallMs = e.at - t0;
  result.tasksDone = e.done.length / traceStride();
  // Which thread panicked is not reported: the mark goes on the lane's first row.
  result.faults = [{ atMs: e.at - t0, task: e.task, row: 0 }];
  return result;
}

export function failed(lane: Lane, workers: number, e: unknown, wallMs = 0, setupMs = 0): LaneRun {
  const result: LaneRun = { lane, workers, ok: false, error: message(e), wallMs, setupMs, transferMs: 0, checksum: '', events: [], totals: [] };
  const kind = kindOf(e);
  if (kind) result.errorKind = kind;
  return result;
}

/** A lane that a cancel stopped before it started. */
export function notRun(lane: Lane, workers: number): LaneRun {
  return { ...failed(lane, workers, new Cancelled()), notRun: true };
}

/**
 * Starts a worker of `script` and completes its `handshake`; a handshake that fails ends it, and
 * the start throws `cancelled` if the signal fired meanwhile.
 */
export async function startWorker<Api>(
  script: 'wasm.worker.js' | 'parent.worker.js',
  signal: AbortSignal,
  handshake: (worker: WorkerHandle<Api>) => Promise<unknown>,
): Promise<WorkerHandle<Api>> {
  const worker = new WorkerHandle<Api>(script);
  try {
    await handshake(worker);
    checkCancelled(signal);
  } catch (e) {
    worker.terminate(e instanceof Error ? e : new Error(String(e)));
    throw signal.aborted ? new Cancelled() : e;
  }
  return worker;
}

/**
 * Starts a plain-build worker (own instance, own memory) and completes its handshake; a cancel
 * ends it at any point of that, and the start then throws `cancelled`.
 */
export function startWasmWorker(signal: AbortSignal): Promise<WorkerHandle<WasmWorkerApi>> {
  return startWorker<WasmWorkerApi>('wasm.worker.js', signal, async (worker) => {
    onCancel(signal, () => worker.terminate());
    const module = await plainModule();
    await worker.call((api) => api.init(module, worker.channel));
  });
}

/**
 * This machine against the time budget's reference (crate/src/budget.rs `calibrate`,
 * `calibrate_memory`): timed in a worker of its own, so the page never computes it, then ended
 * (its memory grew by the buffer it scanned).
 */
export async function measureMachine(): Promise<Calibration> {
  const worker = await startWasmWorker(new AbortController().signal);
  try {
    return await worker.call((api) => api.calibrate());
  } finally {
    worker.terminate();
  }
}
