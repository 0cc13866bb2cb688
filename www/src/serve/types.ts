// What a serve run reports (window.playground.serve): per lane, the figures servers are chosen
// by, from the crate's arithmetic on every request's arrival, start and end.
import type { ErrorKind, Estimate, Lane, QueuePoint, ServeFigures, ServeOptions } from '../types';

export type { ServeOptions };

/** How a lane's memory figures were measured. */
export interface ServeMemory {
  /** WebAssembly memory the lane held (every instance's; the threads' one shared memory). */
  memoryBytes: number;
  /**
   * What one request in flight holds: a thread's stack, a process, or a future's state; null
   * where the run could not measure it (a pool of one thread has no second stack to measure
   * against).
   */
  memoryPerRequestBytes: number | null;
  /** Where `memoryPerRequestBytes` comes from, in words. */
  memorySource: string;
}

export interface ServeLaneResult extends Partial<ServeFigures>, Partial<ServeMemory> {
  lane: Lane;
  ok: boolean;
  error?: string;
  errorKind?: ErrorKind;
  workers: number;
  /**
   * The most a pool of this lane can serve a second with no queue: workers over a request's
   * own time (its wait and its CPU); the async loop's bound is its one core's CPU. Throughput
   * above it would be a measurement bug.
   */
  capacityPerSec: number | null;
  /** A request's CPU part as this lane measured it (its compute spans over its requests), ms. */
  cpuMsPerRequest?: number;
  /** `[index, start, end]` for each request served (ms from the run's start). */
  records?: number[];
}

export interface ServeReport {
  options: ServeOptions;
  estimate: Estimate;
  /** When each request arrived, ms from the run's start: the same on every lane. */
  arrivals: number[];
  lanes: ServeLaneResult[];
  /** Each lane's queue over the run: requests waiting and in the system. */
  curve: { lane: Lane; points: QueuePoint[] }[];
  /**
   * A request's CPU part (ms): the median of the lanes' own measures, or before any lane served
   * one, the budget's estimate for this machine.
   */
  cpuMsPerRequest: number;
  verdict: string;
}

/** One lane's figures at one offered load of a sweep. */
export interface SweepPoint {
  ratePerSec: number;
  offered: number;
  completed: number;
  completedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  queued: number;
}

export interface ServeSweep {
  options: ServeOptions;
  rates: number[];
  lanes: {
    lane: Lane;
    points: SweepPoint[];
    /** The first offered load the lane did not keep up with (its knee), or null. */
    kneePerSec: number | null;
  }[];
  cancelled: boolean;
  verdict: string;
}

/** What a serve run (not a sweep's points) tells whoever shows it: a script's as the page's own. */
export interface ServeObserver {
  /** Once the options are checked, before any lane serves. */
  runStarted?(options: ServeOptions): void;
  laneStarted?(lane: Lane, index: number, total: number, estimateMs: number): void;
  laneFinished?(result: ServeLaneResult): void;
  /** The report, or null when the run threw after it started. */
  runEnded?(report: ServeReport | null): void;
}
