// What crosses between the page and its workers, typed on both sides so a call with a wrong
// message shape does not compile. The sequential/async worker and the lab expose one API object
// each over Comlink (https://github.com/GoogleChromeLabs/comlink); the processes, whose messages
// are the lane's cost per task, speak a small protocol of their own (ToProcess, FromProcess).
import type { Calibration, ChunkOutput, ErrorKind, FlatTrace, LaneOutput, LaneRun, ProcessTrace, ServeOptions, ServeRun, Spec } from './types';

export type { ChunkOutput, FlatTrace, LaneOutput, ProcessTrace };

/** A lane's output as its worker hands it over: async adds how late its loop's timer fired at worst. */
export type WorkerOutput = LaneOutput & { loopLagMs?: number };

/**
 * The page to a process of the processes lane (workers/process.worker.ts): no RPC library on
 * this path, because a message here is per chunk of tasks, and at one task a chunk its cost is
 * the lane's own cost per task. Each request gets one reply, in order.
 */
export type ToProcess =
  /** The handshake: instantiate the page's compiled module, report panics on `channel`. */
  | { type: 'init'; module: WebAssembly.Module; channel: string }
  /** Make the share buffer for the page (in JS memory, transferred out, not kept here). */
  | { type: 'make-share'; mb: number; seed: number }
  /** Keep a copy of the share buffer in this process's own memory. */
  | { type: 'receive-share'; mb: number; seed: number; bytes: Uint8Array }
  /**
   * A run begins: its spec, checked once here (an untimed warm-up may make its own data), a
   * segment the processes share where the run counts in one (the counter's lock or atomic add),
   * and `batch`: how many answers of chunks sent by message to hold and send at once (1: each as
   * it is computed).
   */
  | { type: 'begin'; spec: Spec; warmUp: boolean; segment?: SharedArrayBuffer; batch: number }
  /** Run tasks `from..to` one after another. */
  | { type: 'chunk'; from: number; to: number }
  /**
   * Take chunks from the pipe `chunks` and put their answers in `answers`, ringing `bell` when
   * half of the `depth` chunks the parent keeps in flight or fewer are left (lanes/pipe.ts), until
   * a chunk record closes it; then reply.
   */
  | { type: 'pipe'; chunks: SharedArrayBuffer; answers: SharedArrayBuffer; bell: SharedArrayBuffer; depth: number }
  /** The run is over: hand over its trace. */
  | { type: 'end' };

/** What a process's request failed with: the crate's kinded error, across postMessage. */
export interface ProcessError {
  message: string;
  kind: ErrorKind;
  field?: string;
  task?: number;
}

export type FromProcess =
  | { type: 'ready' }
  | { type: 'share'; bytes: Uint8Array }
  | { type: 'received' }
  | { type: 'begun' }
  | ({ type: 'chunk-done' } & ChunkOutput)
  | { type: 'piped' }
  | ({ type: 'trace' } & ProcessTrace)
  | { type: 'failed'; error: ProcessError }
  /** The instance aborted (a panic): its report comes on the panic channel. */
  | { type: 'trapped'; message: string };

/**
 * The plain-build worker (pkg/): one wasm instance with its own memory. It is the sequential
 * lane's worker and the async lane's event loop.
 */
export interface WasmWorkerApi {
  /**
   * The handshake: instantiates the module compiled by the page; rejects if it cannot.
   * Panics and progress are reported on the BroadcastChannel named `channel`.
   */
  init(module: WebAssembly.Module, channel: string): Promise<void>;
  /**
   * This machine against the time budget's reference: a few ms of the primes kernel, then a
   * 128 MB buffer scanned. End the worker after: the buffer stays in its memory.
   */
  calibrate(): Promise<Calibration>;
  /** Makes what the spec needs (the share buffer) before timing starts. */
  prepare(spec: Spec): Promise<void>;
  runSequential(spec: Spec): Promise<WorkerOutput>;
  /** The async lane: every task a future on this worker's event loop, its lag measured. */
  runAsync(spec: Spec): Promise<WorkerOutput>;
  /** Serve mode: one worker taking each request in turn (crate/src/serve). */
  serveSequential(options: ServeOptions): Promise<ServeRun>;
  /** Serve mode: every request a future on this worker's event loop from its arrival. */
  serveAsync(options: ServeOptions): Promise<ServeRun>;
}

/**
 * The processes lane's parent (workers/parent.worker.ts): the worker that runs the lane, as
 * Python's parent process runs its Pool. The page calls it over Comlink once a run; the lane's
 * per-chunk messages go between the parent and its processes, never through the page.
 */
export interface ParentApi {
  /** The handshake: instantiates the module compiled by the page (for the lane's light work). */
  init(module: WebAssembly.Module): Promise<void>;
  /**
   * Runs the lane once (run `id`). `progress` and `pixels` are the page's callbacks (proxied);
   * a band's pixels come transferred. Never rejects: a failure is a failed result.
   */
  run(id: number, spec: Spec, progress: (done: number) => void, pixels: (firstRow: number, pixels: Uint8Array) => void): Promise<LaneRun>;
  /** Cancels run `id`: its processes end at once, and it resolves as cancelled. */
  cancel(id: number): void;
}

/**
 * Starts `count` pool threads: runs wasm-bindgen-rayon's worker script (`script`, an address of
 * this site) that many times, hands each `init`, and resolves once each has said it is ready.
 */
export type PoolStarter = (script: string, init: unknown, count: number) => Promise<void>;

/** The lab worker: hosts the threads build (pkg-threads/) and its rayon pool. */
export interface LabApi {
  /** The handshake: loads the threads build. */
  init(channel: string): Promise<LabInfo>;
  /**
   * Starts rayon's pool of `threads` workers (once per lab: wasm-bindgen-rayon builds it once).
   * The page starts the workers themselves: `startThreads` (proxied) is called once with them all.
   */
  startPool(threads: number, startThreads: PoolStarter): Promise<void>;
  prepare(spec: Spec): Promise<void>;
  runThreads(spec: Spec): Promise<LaneOutput>;
  /** The threads lane under one global interpreter lock. */
  runGil(spec: Spec): Promise<LaneOutput>;
  /** Serve mode: every thread of the pool a blocking worker; with `gil`, under one lock. */
  serveThreads(options: ServeOptions, gil: boolean): Promise<ServeRun>;
}

export interface LabInfo {
  /** The shared memory, so the page can raise the cancel flag while rayon is busy. */
  memory: WebAssembly.Memory;
  cancelAddress: number;
  /** Raised by a panic on any thread: the page watches it while a call runs. */
  panicAddress: number;
}
