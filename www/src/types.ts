// The page's automation API (DESIGN.md §2): tests, the bench and embeds all use these types.

export type Lane = 'sequential' | 'threads' | 'gil' | 'processes' | 'async';
export const LANES: readonly Lane[] = ['sequential', 'threads', 'gil', 'processes', 'async'];

export type Workload = 'primes' | 'mandelbrot' | 'hash' | 'io' | 'mixed' | 'share';
export const WORKLOADS: readonly Workload[] = ['primes', 'mandelbrot', 'hash', 'io', 'mixed', 'share'];

export type Phase = 'spawn' | 'compute' | 'wait' | 'transfer' | 'gil-wait';
/** Index = the phase code the wasm trace uses (crate/src/trace.rs). */
export const PHASES: readonly Phase[] = ['spawn', 'compute', 'wait', 'transfer', 'gil-wait'];

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
  fault?: 'none' | 'panic-one-task';
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
  events: TraceEvent[];
  /** processes: tasks whose process crashed; the pool replaced the process and went on. */
  failedTasks?: number[];
  /** processes: processes started during the run to replace crashed ones. */
  replacedProcesses?: number;
}

export interface RunReport {
  spec: FullSpec;
  env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean };
  results: LaneResult[];
  verdict: { fastest: Lane; text: string };
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
  cancel(): void;
}

declare global {
  interface Window {
    playground: Playground;
  }
}
