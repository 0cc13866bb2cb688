// window.playground: checks a spec, runs its lanes one after another (never competing for
// cores), and reports. Everything heavy happens in the lanes' workers.
import { detect } from './capabilities';
import type { LaneRunner } from './lanes/common';
import { failed } from './lanes/common';
import { ProcessesLane } from './lanes/processes';
import { OneWorkerLane } from './lanes/sequential';
import { LabHost, ThreadsLane } from './lanes/threads';
import type { Capabilities, FullSpec, Lane, LaneResult, Playground, RunReport, RunSpec } from './types';
import { verdict } from './verdict';
import { loadPlain, normalize } from './wasm';

export const VERSION = '0.1.0';

export interface RunObserver {
  runStarted?(spec: FullSpec): void;
  laneStarted?(lane: Lane, index: number, total: number): void;
  laneProgress?(lane: Lane, done: number, tasks: number): void;
  /** mandelbrot: a band of the image, as a lane that returns pixels finishes it. */
  lanePixels?(lane: Lane, firstRow: number, pixels: Uint8Array): void;
  laneFinished?(result: LaneResult): void;
}

export class PlaygroundImpl implements Playground {
  readonly version = VERSION;
  readonly ready: Promise<void>;
  private caps: Capabilities | null = null;
  private readonly runners: Map<Lane, LaneRunner>;
  private current: { cancelled: boolean; runner: LaneRunner | null } | null = null;
  observer: RunObserver = {};

  constructor() {
    const lab = new LabHost();
    this.runners = new Map<Lane, LaneRunner>([
      ['sequential', new OneWorkerLane('sequential')],
      ['threads', new ThreadsLane('threads', lab)],
      ['gil', new ThreadsLane('gil', lab)],
      ['processes', new ProcessesLane()],
      ['async', new OneWorkerLane('async')],
    ]);
    this.ready = (async () => {
      const [caps] = await Promise.all([detect(), loadPlain()]);
      this.caps = caps;
    })();
  }

  capabilities(): Capabilities {
    if (!this.caps) throw new Error('playground not ready: await window.playground.ready first');
    return structuredClone(this.caps);
  }

  /** Checks a spec against this environment; throws an Error naming the bad field. */
  check(raw: RunSpec | unknown) {
    const caps = this.capabilities();
    const spec = normalize(raw, caps.hardwareConcurrency, caps.lanes);
    const off = spec.lanes.find((l) => !caps.lanes.includes(l));
    if (off) throw new Error(`lanes: ${off} is off here: ${caps.reasons[off] ?? 'unavailable'}`);
    return spec;
  }

  async run(raw: RunSpec): Promise<RunReport> {
    await this.ready;
    if (this.current) throw new Error('a run is already in flight: cancel() it or wait for it to finish');
    const spec = this.check(raw);
    const caps = this.capabilities();
    const current: { cancelled: boolean; runner: LaneRunner | null } = { cancelled: false, runner: null };
    this.current = current;
    const results: LaneResult[] = [];
    this.observer.runStarted?.(spec);
    try {
      for (const [i, lane] of spec.lanes.entries()) {
        if (current.cancelled) {
          results.push(failed(lane, spec.workers, new Error('cancelled')));
          continue;
        }
        const runner = this.runners.get(lane)!;
        current.runner = runner;
        this.observer.laneStarted?.(lane, i, spec.lanes.length);
        const result = await runner.run(
          spec,
          (done) => this.observer.laneProgress?.(lane, done, spec.tasks),
          (row, pixels) => this.observer.lanePixels?.(lane, row, pixels),
        );
        if (current.cancelled && result.ok === false) result.error = 'cancelled';
        results.push(result);
        this.observer.laneFinished?.(result);
      }
    } finally {
      this.current = null;
    }
    return {
      spec,
      env: {
        userAgent: navigator.userAgent,
        hardwareConcurrency: caps.hardwareConcurrency,
        crossOriginIsolated: caps.crossOriginIsolated,
      },
      results,
      verdict: verdict(spec, results),
    };
  }

  cancel(): void {
    if (!this.current) return;
    this.current.cancelled = true;
    this.current.runner?.cancel();
  }
}
