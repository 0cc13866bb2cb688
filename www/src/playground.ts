// window.playground: checks a spec, runs its lanes one after another (never competing for
// cores), and reports. Everything heavy happens in the lanes' workers.
import { detect } from './capabilities';
import { Cancelled, failed, IdleReaper, laneWorkers, measureMachine, notRun, onCancel, type LaneRunner } from './lanes/common';
import { ProcessesLane } from './lanes/parent';
import { OneWorkerLane } from './lanes/sequential';
import { LabHost, ThreadsLane } from './lanes/threads';
import type { Calibration, Capabilities, Estimate, Lane, LaneResult, Playground, RunReport, RunSpec, Schema, Spec } from './types';
import { answer } from './answer';
import { outcome } from './outcome';
import { cellParams, cellSpec, describeMap, mapLanesHere, mapOptions, winners, type DecisionMap, type MapCell, type MapOptions } from './map';
import { asError, kindOf, playgroundError } from './errors';
import { chromeTrace, type TraceEventFormat } from './trace-export';
import { verdict } from './verdict';
import { pythonScript } from './python';
import { estimateSpec, exactOn, loadPlain, normalize, schema, workloadInfo } from './wasm';
import { checkServeOptions, serve, sweep, sweepRates, type ServeContext } from './serve/run';
import type { ServeObserver, ServeReport, ServeSweep } from './serve/types';

export const VERSION = '0.1.0';

export interface RunObserver {
  runStarted?(spec: Spec): void;
  laneStarted?(lane: Lane, index: number, total: number): void;
  laneProgress?(lane: Lane, done: number, tasks: number): void;
  /** mandelbrot: a band of the image, as a lane that returns pixels finishes it. */
  lanePixels?(lane: Lane, firstRow: number, pixels: Uint8Array): void;
  laneFinished?(result: LaneResult): void;
  /** The run's report, whoever started it (the form, a sweep, a script calling `run`). */
  runFinished?(report: RunReport): void;
}

/**
 * A shared counter's figures on a lane that ran one: what it counted against what its finished
 * tasks meant to. Its checksum stays only where no interleaving could change it (a lock, an
 * atomic add, counts summed once, one task at a time): elsewhere the count varies from run to
 * run, and lanes disagreeing is the lesson, not a fault.
 */
function withCounter(spec: Spec, r: LaneResult & { counted?: number; localCounts?: number[] }): LaneResult {
  const { counted: own, localCounts, ...result } = r;
  if (!workloadInfo(spec.workload).sharedState || !result.checksum) return result;
  const counted = own ?? Number(result.checksum);
  const expected = spec.size * (result.tasksDone ?? spec.tasks);
  result.counter = { expected, counted, lostUpdates: Math.max(0, expected - counted) };
  if (localCounts?.length) result.counter.localCounts = localCounts;
  if (!exactOn(spec, result.lane)) result.checksum = '';
  return result;
}

/**
 * Resolves once the page has drawn what the run's start or the last lane left it (its cards,
 * timeline and image) and the next lane shown running: when the page is next idle, or after
 * 250 ms at most (a hidden page may never be). Started at once, a lane shares the cores with that
 * drawing, which the others did not: Mandelbrot 800 on processes, which follow threads,
 * 1.60-1.66x sequential, 1.67-1.73x with the page let settle first (medians of 11 in one browser,
 * Chromium on 2 cores); and the first lane started while the page laid out the run's new cards
 * (about 12 ms of its thread), so a cold pool of 2 processes as the first lane took 23.9-28.1 ms
 * a spawn, 15.8-18.5 ms on a page that drew nothing (medians of 16 spawns, series of 8 runs).
 * Where there is no requestIdleCallback (Safari), the next frame or 100 ms.
 */
/**
 * Refuses the first of `lanes` that is a lane this browser cannot run, with the reason. A name
 * that is no lane at all is left to the crate's checker, which lists the lanes.
 */
function refuseLanesOffHere(lanes: readonly unknown[], caps: Capabilities): void {
  const off = lanes.find((l): l is Lane => schema().lanes.includes(l as Lane) && !caps.lanes.includes(l as Lane));
  if (off) throw playgroundError('invalid', `lanes: ${off} is off here: ${caps.reasons[off] ?? 'unavailable'}`, { field: 'lanes' });
}

/**
 * Why processes cannot run a shared-state spec here, or null: a lock or an atomic add across
 * processes needs a memory segment they share (a SharedArrayBuffer), as multiprocessing.Value is
 * one, and only a cross-origin isolated page may post one. A workload that is none is the
 * checker's to name.
 */
export function processesCannotShare(workload: unknown, sync: unknown, caps: Capabilities): string | null {
  const info = schema().workloads.find((w) => w.name === workload);
  const segment = info?.sharedState === true && (sync === 'lock' || sync === 'atomic');
  return segment && !caps.sharedMemory ? `${String(sync)} across processes needs a memory segment they share (a SharedArrayBuffer), which only a cross-origin isolated page may post` : null;
}

/** Serve options' lanes, where they name one this browser cannot run (anything else is the checker's to name). */
function refuseServeLanesOffHere(raw: object | null, caps: Capabilities): void {
  // Not an object (null, a number): the crate's checker says so, naming `options`.
  const lanes = (raw as { lanes?: unknown } | null)?.lanes;
  if (Array.isArray(lanes)) refuseLanesOffHere(lanes, caps);
}

/**
 * Resolves once the page has drawn what the last lane's end changed (cards, table, timeline) and
 * is idle, so the next lane is not timed while the browser rasters and composites that frame on
 * its cores. Two frames, not only an idle callback: the idle callback came while that frame was
 * still being drawn off the main thread, and the lane after paid for it. Measured in one browser
 * on 2 cores, runs alternated between a page of each build: Mandelbrot 800 (30 runs each),
 * threads 1.859x against 1.824x and processes 1.718x against 1.704x; primes 5M in 64 tasks
 * (15 each), threads 1.905x against 1.883x and processes 1.873x against 1.835x.
 */
function pageSettled(): Promise<void> {
  return new Promise((resolve) => {
    // A hidden page draws no frames: the run goes on after a while.
    const timer = setTimeout(resolve, 250);
    const idle = () => {
      clearTimeout(timer);
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 250 });
      else setTimeout(resolve, 0);
    };
    requestAnimationFrame(() => requestAnimationFrame(idle));
  });
}

export class PlaygroundImpl implements Playground {
  readonly version = VERSION;
  readonly ready: Promise<void>;
  private caps: Capabilities | null = null;
  /**
   * This machine against the time budget's reference machine (crate/src/budget.rs `calibrate`),
   * measured once in a worker after start-up; the reference until then. A run waits for it.
   */
  machine: Calibration = { speed: 1, memory: 1 };
  /** Resolves with `machine` once it is measured. */
  readonly calibrated: Promise<Calibration>;
  private readonly runners: Map<Lane, LaneRunner>;
  private current: AbortController | null = null;
  private mapping: AbortController | null = null;
  /** Settles when the last run has: the next one starts after it. */
  private settled: Promise<unknown> = Promise.resolve();
  observer: RunObserver = {};
  /** The last run's report, for exports and embeds; null before the first run ends. */
  lastReport: RunReport | null = null;

  private readonly lab = new LabHost();
  serveObserver: ServeObserver = {};
  /** The last serve run's report, for exports; null before the first one ends. */
  lastServe: ServeReport | null = null;

  constructor() {
    const lab = this.lab;
    this.runners = new Map<Lane, LaneRunner>([
      ['sequential', new OneWorkerLane('sequential')],
      ['threads', new ThreadsLane('threads', lab)],
      ['gil', new ThreadsLane('gil', lab)],
      ['processes', new ProcessesLane()],
      ['async', new OneWorkerLane('async')],
    ]);
    this.ready = (async () => {
      await loadPlain();
      this.caps = await detect(schema().lanes);
      // When a visitor could first run something: the bench reads this User Timing entry.
      performance.mark('playground-ready');
    })();
    // Not part of `ready`: the page can show itself while a worker times the kernels. A machine
    // that cannot start one is estimated as the reference (its runs will say why they fail).
    this.calibrated = this.ready.then(measureMachine).then((machine) => {
      this.machine = machine;
      return machine;
    }, () => this.machine);
  }

  /** The spec's schema from the crate: fields, ranges, defaults, help, workloads and their examples. */
  schema(): Schema {
    return structuredClone(schema());
  }

  capabilities(): Capabilities {
    if (!this.caps) throw new Error('playground not ready: await window.playground.ready first');
    return structuredClone(this.caps);
  }

  /** Checks a spec against this environment; throws an Error naming the bad field. */
  check(raw: RunSpec | unknown) {
    const caps = this.capabilities();
    const spec = normalize(raw, caps.hardwareConcurrency, caps.lanes, this.machine, caps.pipes);
    refuseLanesOffHere(spec.lanes, caps);
    const unshared = spec.lanes.includes('processes') ? processesCannotShare(spec.workload, spec.sync, caps) : null;
    if (unshared) throw playgroundError('invalid', `sync: ${unshared}; use partial, or leave out processes`, { field: 'sync' });
    return spec;
  }

  run(raw: RunSpec): Promise<RunReport> {
    return this.exclusive((signal) => this.runLanes(raw, signal));
  }

  /**
   * One run at a time, of any kind. A cancelled run is over for the caller: a new one may start
   * at once (it waits for the old one's report, which is a microtask away).
   */
  private exclusive<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.current && !this.current.signal.aborted) {
      return Promise.reject(playgroundError('invalid', 'a run is already in flight: cancel() it or wait for it to finish'));
    }
    // Claimed before the first await, so a cancel() in the same tick as run() is not lost.
    const controller = new AbortController();
    this.current = controller;
    const report = this.settled.then(() => body(controller.signal)).finally(() => {
      if (this.current === controller) this.current = null;
    });
    this.settled = report.catch(() => undefined);
    return report;
  }

  /** Checks serve options against this environment and the time budget; throws naming the field. */
  checkServe(raw: object = {}) {
    const caps = this.capabilities();
    refuseServeLanesOffHere(raw, caps);
    return checkServeOptions(raw, { cores: caps.hardwareConcurrency, lanes: caps.lanes, machine: this.machine });
  }

  /**
   * Serve mode (www/src/serve): requests keep arriving at `ratePerSec` for `durationMs`, the
   * same seeded arrivals on every lane; resolves to each lane's throughput, latency percentiles,
   * queue and memory. `cancel()` settles it at once, unfinished lanes `cancelled`.
   */
  serve(raw: object = {}): Promise<ServeReport> {
    return this.exclusive(async (signal) => {
      const report = await serve(raw, await this.serveContext(raw, signal));
      this.lastServe = report;
      return report;
    });
  }

  /** Serve mode at several offered loads (default: a tenth to twice `ratePerSec`): each lane's knee. */
  serveSweep(raw: object = {}, rates?: number[], onPoint?: (report: ServeReport, done: number, total: number) => void): Promise<ServeSweep> {
    return this.exclusive(async (signal) => {
      const ctx = await this.serveContext(raw, signal);
      const base = this.checkServe(raw).options;
      return sweep({ ...raw }, rates ?? sweepRates(base), ctx, onPoint);
    });
  }

  private async serveContext(raw: object | null, signal: AbortSignal): Promise<ServeContext> {
    await this.ready;
    await this.calibrated;
    const caps = this.capabilities();
    refuseServeLanesOffHere(raw, caps);
    return { lab: this.lab, cores: caps.hardwareConcurrency, lanes: caps.lanes, machine: this.machine, signal, observer: this.serveObserver };
  }

  private async runLanes(raw: RunSpec, signal: AbortSignal): Promise<RunReport> {
    // A cancel settles the lane in flight at once: its runner ends its workers in the background.
    const cancelled = new Promise<'cancelled'>((resolve) => onCancel(signal, () => resolve('cancelled')));
    await this.ready;
    // Stop while the machine is still being timed: every lane is then not run.
    await Promise.race([this.calibrated, cancelled]);
    const spec = this.check(raw);
    const caps = this.capabilities();
    const results: LaneResult[] = [];
    // A lane that did not finish reports its own workers, as a finished one would, not the spec's.
    const workers = (lane: Lane) => laneWorkers(lane, spec.workers);
    this.observer.runStarted?.(spec);
    for (const [i, lane] of spec.lanes.entries()) {
      if (signal.aborted) {
        const skipped = { ...notRun(lane, workers(lane)), outcome: 'not-run' as const };
        results.push(skipped);
        this.observer.laneFinished?.(skipped);
        continue;
      }
      this.observer.laneStarted?.(lane, i, spec.lanes.length);
      // A cancel while the page settles ends the lane it has shown running: cancelled.
      await Promise.race([pageSettled(), cancelled]);
      const settled = signal.aborted ? 'cancelled' : await Promise.race([this.runners.get(lane)!.run(spec, {
        signal,
        progress: (done) => this.observer.laneProgress?.(lane, done, spec.tasks),
        pixels: (row, pixels) => this.observer.lanePixels?.(lane, row, pixels),
      }), cancelled]);
      const run = settled === 'cancelled' || signal.aborted ? failed(lane, workers(lane), new Cancelled()) : settled;
      const result = withCounter(spec, { ...run, outcome: outcome(run) });
      results.push(result);
      this.observer.laneFinished?.(result);
    }
    const report: RunReport = {
      spec,
      estimate: this.estimate(spec),
      env: {
        userAgent: navigator.userAgent,
        hardwareConcurrency: caps.hardwareConcurrency,
        crossOriginIsolated: caps.crossOriginIsolated,
        ...this.machine,
      },
      results,
      verdict: verdict(spec, results, caps.hardwareConcurrency),
      answer: answer(spec, results),
    };
    this.lastReport = report;
    this.observer.runFinished?.(report);
    return report;
  }

  /** A report (the last run's by default) in the Chrome Trace Event format, for Perfetto. */
  traceEvents(report: RunReport | null = this.lastReport): TraceEventFormat {
    if (!report) throw playgroundError('invalid', 'report: no run has finished yet; run() one first', { field: 'report' });
    return chromeTrace(report);
  }

  /**
   * What the time budget (crate/src/budget.rs) expects each lane of a spec to take, set-up
   * included. Works for specs over the budget too: the controls show how far over they are.
   */
  estimate(raw: RunSpec): Estimate {
    const caps = this.capabilities();
    return estimateSpec({ workers: caps.hardwareConcurrency, lanes: caps.lanes, ...raw }, caps.hardwareConcurrency, this.machine, caps.pipes);
  }

  /** The spec as a self-contained Python script that runs it under CPython (www/src/python.ts). */
  pythonScript(raw: RunSpec): string { return pythonScript(this.check(raw)); }

  /** Whether a map, or a run or serve run not cancelled, is in flight (a cancelled run lets the next one start). */
  get running(): boolean {
    return (this.current !== null && !this.current.signal.aborted) || this.mapping !== null;
  }

  cancel(): void {
    this.mapping?.abort();
    this.current?.abort();
  }

  /**
   * Races every cell of a decision map (map.ts) and resolves to the map; `onCell` sees each cell
   * as it is measured, with the estimated time left. `cancel()` stops it within a cell: it then
   * resolves with the cells measured so far and `cancelled: true`.
   */
  async map(raw: MapOptions = {}, onCell?: (cell: MapCell, done: number, total: number, leftMs: number) => void): Promise<DecisionMap> {
    await this.ready;
    if (this.running) throw playgroundError('invalid', 'a run is already in flight: cancel() it or wait for it to finish');
    const options = mapOptions(raw);
    const caps = this.capabilities();
    const lanes = mapLanesHere(options, caps.lanes);
    const plan = options.yValues.flatMap((y) => options.xValues.map((x) => {
      let spec: Spec;
      try {
        spec = this.check(cellSpec(cellParams(options, x, y), lanes));
      } catch (e) {
        // The caller set map options, not spec fields: say which cell, and why.
        throw playgroundError(kindOf(e) ?? 'invalid', `map.cells: the cell at ${options.x} ${x}, ${options.y} ${y} is not a valid run: ${asError(e).message}`, { field: 'map.cells' });
      }
      return { x, y, spec, estimate: this.estimate(spec).totalMs };
    }));
    const totalMs = plan.reduce((sum, c) => sum + c.estimate, 0);
    const { budgetMs } = schema();
    if (totalMs > budgetMs) {
      throw playgroundError('budget', `map.xValues: the map would take about ${(totalMs / 1000).toFixed(0)} s, over the budget of ${(budgetMs / 1000).toFixed(0)} s: use fewer or smaller cells`, { field: 'map.xValues' });
    }
    const controller = new AbortController();
    this.mapping = controller;
    // The cells are the map's, not a race to show in the race panel.
    const observer = this.observer;
    this.observer = {};
    const cells: MapCell[] = [];
    let estimated = 0;
    let measured = 0;
    try {
      for (const [i, c] of plan.entries()) {
        if (controller.signal.aborted) break;
        const started = performance.now();
        const report = await this.run(c.spec);
        if (controller.signal.aborted || report.results.some((r) => r.errorKind === 'cancelled')) break;
        const cell: MapCell = { x: c.x, y: c.y, spec: report.spec, results: report.results, winner: winners(report.results, options.margin) };
        cells.push(cell);
        estimated += c.estimate;
        measured += performance.now() - started;
        // What is left, by the estimate scaled by how the cells so far compared with theirs.
        const left = plan.slice(i + 1).reduce((sum, p) => sum + p.estimate, 0) * (measured / Math.max(estimated, 1));
        onCell?.(cell, i + 1, plan.length, left);
      }
    } finally {
      if (this.mapping === controller) this.mapping = null;
      this.observer = observer;
    }
    return {
      axes: { x: { name: options.x, values: options.xValues }, y: { name: options.y, values: options.yValues } },
      options,
      lanes,
      cells,
      cancelled: cells.length < plan.length,
      sentence: describeMap(options, cells),
    };
  }

  /** Ends every idle worker now (the next run starts them again). */
  release(): void {
    if (this.current) return;
    for (const runner of this.runners.values()) runner.dispose();
  }

  /** How long a lane's workers may sit idle before they are ended (default 60 s). */
  get idleTimeoutMs(): number {
    return IdleReaper.timeoutMs;
  }

  set idleTimeoutMs(ms: number) {
    if (!(ms >= 0 && ms <= 3_600_000)) throw playgroundError('invalid', `idleTimeoutMs: must be a number of ms from 0 to 3600000, got ${String(ms)}`, { field: 'idleTimeoutMs' });
    IdleReaper.timeoutMs = ms;
  }
}
