// What crosses between the page and its workers. Each worker kind exposes one API object over
// Comlink (https://github.com/GoogleChromeLabs/comlink); these are their types, shared by both
// sides, so a call with a wrong message shape does not compile.
import type { FullSpec } from './types';

/** A lane's raw output as the wasm API returns it (crate/src/wasm.rs `output`). */
export interface LaneOutput {
  checksum: string;
  sum: bigint;
  /** Flat events, 6 numbers each: row, task, phase code, start ms, end ms (epoch clock), busy ms. */
  events: Float64Array;
  /** Exact ms per row and phase: triples row, phase code, ms. */
  totals: Float64Array;
  /** async: how late the worker's periodic timer fired at worst during the run. */
  loopLagMs?: number;
}

/** One task's output from a process (crate/src/wasm.rs `run_task`). */
export interface TaskOutput {
  partial: bigint;
  events: Float64Array;
  totals: Float64Array;
  /** mandelbrot: the band's rows, one escape count per pixel (transferred, not copied). */
  pixels?: Uint8Array;
}

/**
 * The plain-build worker (pkg/): one wasm instance with its own memory. It is the sequential
 * lane's worker, the async lane's event loop, and each process of the processes lane.
 */
export interface WasmWorkerApi {
  /**
   * The handshake: instantiates the module compiled by the page; rejects if it cannot.
   * Panics and progress are reported on the BroadcastChannel named `channel`.
   */
  init(module: WebAssembly.Module, channel: string): Promise<void>;
  /** This machine's speed against the time budget's reference: a few ms of the primes kernel. */
  calibrate(): Promise<number>;
  /** Makes what the spec needs (the share buffer) before timing starts. */
  prepare(spec: FullSpec): Promise<void>;
  runSequential(spec: FullSpec): Promise<LaneOutput>;
  /** The async lane: every task a future on this worker's event loop, its lag measured. */
  runAsync(spec: FullSpec): Promise<LaneOutput>;
  runTask(spec: FullSpec, index: number): Promise<TaskOutput>;
  /** The share buffer, made for the page in JS memory (not kept here) and transferred out. */
  shareBuffer(mb: number, seed: number): Promise<Uint8Array>;
  /** Keeps a copy of the share buffer in this instance's own memory. */
  receiveShare(mb: number, seed: number, data: Uint8Array): Promise<void>;
  hasShare(mb: number, seed: number): Promise<boolean>;
}

/** The lab worker: hosts the threads build (pkg-threads/) and its rayon pool. */
export interface LabApi {
  /** The handshake: loads the threads build and starts a pool of `threads` workers. */
  init(threads: number, channel: string): Promise<LabInfo>;
  prepare(spec: FullSpec): Promise<void>;
  runThreads(spec: FullSpec): Promise<LaneOutput>;
  /** The threads lane under one global interpreter lock. */
  runGil(spec: FullSpec): Promise<LaneOutput>;
}

export interface LabInfo {
  /** The shared memory, so the page can raise the cancel flag while rayon is busy. */
  memory: WebAssembly.Memory;
  cancelAddress: number;
  /** Raised by a panic on any thread: the page watches it while a call runs. */
  panicAddress: number;
}
