// The page's automation API (window.playground): tests, the bench and embeds all use these types.

// The spec, its enums, the estimate and the schema are Rust types (crate/src/spec/, schema.rs,
// wasm/boundary.rs); these are the TypeScript types wasm-bindgen generates from them (tsify).
import type {
  ChunkOutput, ErrorKind, Estimate, Field, FlatTrace, Lane, LaneOutput, PageData, Phase, ProcessTrace, QueuePoint, Schema,
  ServeField, ServeFigures, ServeOptions, ServeRun, Spec, Workload, WorkloadInfo,
} from '@pkg/concurrency_playground.js';

export type {
  ChunkOutput, ErrorKind, Estimate, Field, FlatTrace, Lane, LaneOutput, PageData, Phase, ProcessTrace, QueuePoint, Schema,
  ServeField, ServeFigures, ServeOptions, ServeRun, Spec, Workload, WorkloadInfo,
};

/** A run request as a caller writes it: any field left out gets its default. */
export type RunSpec = Partial<Spec>;

/**
 * This machine against the time budget's reference (crate/src/budget.rs `Machine`): `speed`, how
 * slow it computes (1: as fast; 2: twice as slow); `memory`, what its reads past the cache add at
 * that speed (1: as much as the reference's; 0: nothing).
 */
export interface Calibration {
  speed: number;
  memory: number;
}


export interface TraceEvent {
  /** The worker, thread or process that ran it: its row on the timeline. */
  row: number;
  task: number;
  phase: Phase;
  /** Milliseconds since the lane's run started; set-up (spawn) events come before 0. */
  start: number;
  end: number;
  /**
   * Milliseconds of the phase really spent inside [start, end]: the trace merges spans too short
   * to see (crate/src/trace.rs), so a merged event may be only partly busy.
   */
  busy: number;
}

/** Exact time one row (worker, thread, process) spent in one phase, whatever was merged. */
export interface PhaseTotal {
  row: number;
  phase: Phase;
  ms: number;
}

export interface FaultMark {
  atMs: number;
  task: number | null;
  row: number;
}

/**
 * How a lane ended: `survived` is the processes lane after a crash, which lost the crashed tasks
 * and kept every other (www/src/outcome.ts says it in words).
 */
export type Outcome = 'done' | 'survived' | 'failed' | 'cancelled' | 'not-run';

export interface LaneResult {
  lane: Lane;
  workers: number;
  ok: boolean;
  outcome: Outcome;
  error?: string;
  /** What kind of failure, when `ok` is false: branch on this, never on `error`'s text. */
  errorKind?: ErrorKind;
  wallMs: number;
  setupMs: number;
  transferMs: number;
  loopLagMs?: number;
  /** async: which task took each turn of the event loop after a wait or a yield, the first 24. */
  turns?: number[];
  checksum: string;
  /** At most 20,000 per lane (crate/src/trace.rs MAX_EVENTS). */
  events: TraceEvent[];
  totals: PhaseTotal[];
  /** Cancelled before it started. */
  notRun?: boolean;
  /** A failed lane: how many tasks it had finished before it failed. */
  tasksDone?: number;
  /** Where tasks panicked: ms from the lane's start, the task (null: unknown), the row it ran on. */
  faults?: FaultMark[];
  /**
   * A workload whose tasks build one value in shared state (the counter): what the lane counted
   * against what it should have. Its `checksum` is the count only where no timing could change it.
   */
  counter?: CounterFigures;
  /** processes: tasks a process got in one message (the spec's `chunk`, or Pool.map's rule). */
  chunk?: number;
  /** processes: how chunks and answers travelled, through pipes (lanes/pipe.ts) or by postMessage. */
  via?: 'pipe' | 'message';
  /** processes: ms spent starting processes to replace crashed ones. */
  replaceMs?: number;
  /** processes: tasks whose process crashed; the pool replaced the process and went on. */
  failedTasks?: number[];
  /** processes: processes started during the run to replace crashed ones. */
  replacedProcesses?: number;
}

/** The counter's figures for one lane. */
export interface CounterFigures {
  /** Every update the lane's finished tasks made. */
  expected: number;
  /** What the shared total came to: the counter every task updated, or for processes the page's. */
  counted: number;
  lostUpdates: number;
  /** processes: what each process counted in its own memory (the page's total stays 0). */
  localCounts?: number[];
}

/** What a lane runner hands the playground, which adds the outcome (and a counter's figures). */
export type LaneRun = Omit<LaneResult, 'outcome'> & {
  /** processes: the shared total and each process's own count, where a counter ran. */
  counted?: number;
  localCounts?: number[];
};

export interface RunReport {
  spec: Spec;
  estimate: Estimate;
  /** `speed` and `memory`: this machine against the time budget's reference (`Calibration`). */
  env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean } & Calibration;
  results: LaneResult[];
  /** The fastest lane that finished (null when none did, or when a fault was injected). */
  verdict: { fastest: Lane | null; text: string };
  /** The result the lanes agree on, in words (or which lane disagrees). */
  answer: string;
  /** The same spec run by the Python script in the visitor's own CPython, when one was dropped. */
  cpython?: CpythonReport;
}

/** One lane of a report from the playground's Python script (www/src/cpython.ts reads it). */
export interface CpythonLane {
  lane: Lane;
  workers: number;
  ok: boolean;
  error?: string;
  wallMs: number;
  setupMs: number;
  transferMs: number;
  checksum: string;
  failedTasks?: number[];
  /** The counter's figures, as the browser's lanes report them. */
  counter?: CounterFigures;
}

/** A report printed by the playground's Python script, checked field by field. */
export interface CpythonReport {
  source: 'cpython';
  spec: Spec;
  /** `cpuCount` is null where Python could not tell (`os.cpu_count()` is None). */
  env: { python: string; implementation: string; gilEnabled: boolean; cpuCount: number | null; startMethod: string; platform: string };
  results: CpythonLane[];
}

/**
 * Why lanes cannot run here (capabilities.ts says it in words). Threads and gil: the engine
 * has no wasm threads; a top-level page without COOP/COEP; a frame whose browser ignores the
 * Document-Isolation-Policy our host sends; a frame whose host sends none. Every lane: a frame
 * sandboxed into an opaque origin (no worker may start).
 */
export type IsolationGap = 'no-wasm-threads' | 'not-isolated' | 'no-dip-support' | 'host-sends-no-dip' | 'sandboxed';

export interface Capabilities {
  crossOriginIsolated: boolean;
  sharedMemory: boolean;
  threads: boolean;
  /** Whether the processes' chunks go through pipes (lanes/pipe.ts) rather than by postMessage. */
  pipes: boolean;
  /** Why lanes are off; null when all run. */
  isolation: IsolationGap | null;
  hardwareConcurrency: number;
  lanes: Lane[];
  /** Why a lane is off, for every lane not in `lanes`. */
  reasons: Record<string, string>;
}

export interface Playground {
  version: string;
  ready: Promise<void>;
  capabilities(): Capabilities;
  /** The spec's schema from the crate: every field, every workload (with a small example spec). */
  schema(): Schema;
  run(spec: RunSpec): Promise<RunReport>;
  /**
   * This machine against the time budget's reference, measured once in a worker after start-up;
   * every run waits for it.
   */
  readonly calibrated: Promise<Calibration>;
  /** Races a decision map: the seed's rules over a grid of cells (www/src/map.ts). */
  map(options?: object, onCell?: (cell: unknown, done: number, total: number, leftMs: number) => void): Promise<unknown>;
  /** What each lane of a spec is expected to take (the time budget's cost model). */
  estimate(spec: RunSpec): Estimate;
  /** The last run's report; null before the first run ends. */
  lastReport: RunReport | null;
  /** A report (the last run's by default) in the Chrome Trace Event format, for Perfetto. */
  traceEvents(report?: RunReport | null): unknown;
  /** The spec as one self-contained Python 3 script (stdlib only) that runs it under CPython and prints a report. */
  pythonScript(spec: RunSpec): string;
  /** Serve mode: requests arriving at a rate; each lane's throughput, latency percentiles, queue and memory. */
  serve(options?: object): Promise<unknown>;
  /** Serve mode at several offered loads: each lane's latency against load, and its knee. */
  serveSweep(options?: object, rates?: number[]): Promise<unknown>;
  /** Stops the run in flight: it settles at once, its unfinished lanes `cancelled`. */
  cancel(): void;
  /** Ends every idle worker now; the next run starts them again. */
  release(): void;
  /** How long a lane's workers may sit idle before they are ended (default 60,000). */
  idleTimeoutMs: number;
}

declare global {
  interface Window {
    playground: Playground;
  }
}
