// What crosses between the page and its workers. Each worker kind exposes one API object over
// Comlink (https://github.com/GoogleChromeLabs/comlink); these are their types, shared by both
// sides, so a call with a wrong message shape does not compile.
import type { FullSpec } from './types';

/** A lane's raw output as the wasm API returns it (crate/src/wasm.rs `output`). */
export interface LaneOutput {
  checksum: string;
  sum: bigint;
  /** Flat events, 5 numbers each: row, task, phase code, start ms, end ms (epoch clock). */
  events: Float64Array;
}

/** The plain-build worker (pkg/): the sequential lane today, processes and async later. */
export interface WasmWorkerApi {
  /** The handshake: instantiates the module compiled by the page; rejects if it cannot. */
  init(module: WebAssembly.Module): Promise<void>;
  runSequential(spec: FullSpec): Promise<LaneOutput>;
}

/** The lab worker: hosts the threads build (pkg-threads/) and its rayon pool. */
export interface LabApi {
  /** The handshake: loads the threads build and starts a pool of `threads` workers. */
  init(threads: number): Promise<LabInfo>;
  runThreads(spec: FullSpec): Promise<LaneOutput>;
}

export interface LabInfo {
  /** The shared memory, so the page can raise the cancel flag while rayon is busy. */
  memory: WebAssembly.Memory;
  cancelAddress: number;
}
