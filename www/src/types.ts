// The page's automation API (DESIGN.md §2): tests, the bench and embeds all use these types.

export type Lane = 'sequential' | 'threads' | 'gil' | 'processes' | 'async';
export const LANES: readonly Lane[] = ['sequential', 'threads', 'gil', 'processes', 'async'];

export type Workload = 'primes' | 'mandelbrot' | 'hash' | 'io' | 'mixed' | 'share';
export const WORKLOADS: readonly Workload[] = ['primes', 'mandelbrot', 'hash', 'io', 'mixed', 'share'];

export type Phase = 'spawn' | 'compute' | 'wait' | 'transfer' | 'gil-wait';
/** Index = the phase code the wasm trace uses (crate/src/trace.rs). */
export const PHASES: readonly Phase[] = ['spawn', 'compute', 'wait', 'transfer', 'gil-wait'];
export const PHASE_CODE = Object.fromEntries(PHASES.map((p, i) => [p, i])) as Record<Phase, number>;

export interface RunSpec {
  workload: Workload;
  size: number;
  tasks?: number;
  lanes?: Lane[];
  workers?: number;
  latencyMs?: number;
  jitterMs?: number;
  gilSwitchMs?: number;
  yieldEvery?: number;
  seed?: number;
  fault?: 'none' | 'panic-one-task' | 'oom-one-task';
  /** processes: start fresh processes for the run ('cold', as a ProcessPoolExecutor used once) or reuse a warm pool. */
  pool?: 'cold' | 'warm';
  /** mixed: SHA-256 rounds of CPU work after each response (2000 ≈ 1 ms). */
  cpuRounds?: number;
}

export type FullSpec = Required<RunSpec>;

export interface TraceEvent {
  /** Row: the worker, thread or process that ran it. */
  lane: number;
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

export interface Fault {
  atMs: number;
  task: number | null;
  row: number;
}

export interface LaneResult {
  lane: Lane;
  workers: number;
  ok: boolean;
  error?: string;
  wallMs: number;
  setupMs: number;
  transferMs: number;
  loopLagMs?: number;
  checksum: string;
  /** At most 20,000 per lane (crate/src/trace.rs MAX_EVENTS). */
  events: TraceEvent[];
  totals: PhaseTotal[];
  /** Cancelled before it started. */
  notRun?: boolean;
  /** A failed lane: how many tasks it had finished before it failed. */
  tasksDone?: number;
  /** Where tasks panicked: ms from the lane's start, the task (null: unknown), the row it ran on. */
  faults?: Fault[];
  /** processes: ms spent starting processes to replace crashed ones. */
  replaceMs?: number;
  /** processes: tasks whose process crashed; the pool replaced the process and went on. */
  failedTasks?: number[];
  /** processes: processes started during the run to replace crashed ones. */
  replacedProcesses?: number;
}

/** The time budget's estimate of a spec (crate/src/budget.rs), in ms. */
export interface Estimate {
  /** Each lane's whole time, set-up and warm-up included: what the budget counts. */
  lanes: Partial<Record<Lane, number>>;
  /** Each lane's timed part alone, comparable with a result's `wallMs`. */
  wallMs: Partial<Record<Lane, number>>;
  totalMs: number;
  budgetMs: number;
}

export interface RunReport {
  spec: FullSpec;
  estimate: Estimate;
  env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean };
  results: LaneResult[];
  /** The fastest lane that finished (null when none did, or when a fault was injected). */
  verdict: { fastest: Lane | null; text: string };
  /** The result the lanes agree on, in words (or which lane disagrees). */
  answer: string;
}

export interface Capabilities {
  crossOriginIsolated: boolean;
  sharedMemory: boolean;
  threads: boolean;
  hardwareConcurrency: number;
  lanes: Lane[];
  /** Why a lane is off, for every lane not in `lanes`. */
  reasons: Record<string, string>;
}

export interface Playground {
  version: string;
  ready: Promise<void>;
  capabilities(): Capabilities;
  run(spec: RunSpec): Promise<RunReport>;
  /** What each lane of a spec is expected to take (the time budget's cost model). */
  estimate(spec: RunSpec): Estimate;
  /** The last run's report; null before the first run ends. */
  lastReport: RunReport | null;
  /** A report (the last run's by default) in the Chrome Trace Event format, for Perfetto. */
  traceEvents(report?: RunReport | null): unknown;
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
